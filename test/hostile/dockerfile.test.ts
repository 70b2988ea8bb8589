// Hostile Dockerfiles (issue 11, items 1 and 2): exponential backtracking in `${V%%pattern}`,
// quadratic scopes and stage lookups, values built from values, nesting. Each runs in a child
// process with a 256 MiB heap and a 30 s limit per Dockerfile: a regression fails here, naming the
// Dockerfile, instead of hanging CI. The tests assert outcomes (analyzed, with what; or refused with
// a DockerfileError), never times: bench/hostile-dockerfile.ts measures those.
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { runContained, type ContainOptions } from '../support/contained';
import type { ContainedResult } from './analyze-contained';
import { NAMED_CASES, NAMED_OUTCOMES } from './hostile-dockerfiles';

const SCRIPT = path.join(__dirname, 'analyze-contained.ts');
const LIMITS: ContainOptions = { heapMb: 256, stepTimeoutMs: 30_000 };
/** Generated cases per run; the seed is fixed so a failure repeats (HOSTILE_SEED overrides it). */
const GENERATED = 200;
const SEED = Number(process.env.HOSTILE_SEED ?? 20261124);

const resultsOf = (lines: unknown[]) => lines.filter((l): l is ContainedResult => typeof l === 'object' && l !== null && 'outcome' in l);

test('the attacks of issue 11 are analyzed, or refused with a DockerfileError, within the limits', async () => {
  const names = Object.keys(NAMED_CASES);
  const run = await runContained(SCRIPT, { names }, LIMITS);
  assert.is(run.failure, undefined, run.failure);
  const results = resultsOf(run.lines);
  assert.equal(results.map((r) => r.name), names);
  for (const result of results) {
    const expected = NAMED_OUTCOMES[result.name];
    assert.ok(result.bytes <= 1024 * 1024, `${result.name}: ${result.bytes} bytes is over the cap`);
    if ('refused' in expected) {
      assert.is(result.outcome, 'refused', `${result.name}: ${JSON.stringify(result.refs)}`);
      assert.match(result.error ?? '', expected.refused, result.name);
    } else {
      assert.is(result.outcome, 'analyzed', `${result.name}: ${result.error}`);
      if (expected.refs) assert.equal(result.refs, expected.refs, result.name);
    }
  }
});

test(`${GENERATED} generated hostile Dockerfiles: each analyzed or refused with a DockerfileError within the limits`, async () => {
  const run = await runContained(SCRIPT, { seed: SEED, from: 0, count: GENERATED }, LIMITS);
  assert.is(run.failure, undefined, `seed ${SEED}: ${run.failure}`);
  const results = resultsOf(run.lines);
  assert.is(results.length, GENERATED);
  // Both outcomes occur, or the generator has stopped making what it claims to.
  const refused = results.filter((r) => r.outcome === 'refused').length;
  assert.ok(refused > 0 && refused < GENERATED, `${refused} of ${GENERATED} refused`);
  assert.ok(results.some((r) => r.bytes > 512 * 1024), 'some cases are near the 1 MiB cap');
});

test.run();
