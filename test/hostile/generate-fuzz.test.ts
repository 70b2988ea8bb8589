// A seeded stream of hostile state repos (test/support/hostile-cases.ts) for `generate`, a bounded
// number on every run: deep nesting, huge counts, long strings, special files, links. They run in
// one child process under a heap limit, a memory watchdog and a wall-clock limit; every case must
// end in exit 0 or 1 (never a crash or exit 70), print a bounded amount, leave the tree unchanged
// when it fails, never touch anything outside the repo, and when it succeeds, the next run must
// read back everything it wrote. HOSTILE_SEED and HOSTILE_CASES explore further.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as path from 'node:path';
import { describeEnd, runChild } from '../support/cli-child';
import type { FuzzOutcome } from '../support/generate-fuzz-child';
import { removeTempDirs, tempDir } from '../support/tree';
import { MAX_LISTED_PROBLEMS, MAX_MESSAGE_CHARS } from '../../generator/src/core/errors';

const SEED = Number(process.env.HOSTILE_SEED ?? 20261130);
const CASES = Number(process.env.HOSTILE_CASES ?? 30);
const CHILD = path.join(__dirname, '..', 'support', 'generate-fuzz-child.ts');

test(`${CASES} hostile state repos (seed ${SEED}): exit 0 or 1, bounded output, nothing half-written, nothing outside touched`, async () => {
  const run = await runChild(CHILD, [String(SEED), '0', String(CASES), tempDir('fuzz')], { timeoutMs: 40_000 + CASES * 4_000 });
  const lines = run.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as FuzzOutcome | { start: number; what: string });
  const started = lines.filter((l): l is { start: number; what: string } => 'start' in l);
  const last = started[started.length - 1];
  assert.is(run.code, 0, `the child ${describeEnd(run)}; last case started: ${JSON.stringify(last)} (seed ${SEED})`);
  const outcomes = lines.filter((l): l is FuzzOutcome => 'index' in l);
  assert.is(outcomes.length, CASES);
  for (const o of outcomes) {
    const label = `case ${o.index} (seed ${SEED}, ${o.what}): exit ${o.code}: ${o.stderr.slice(0, 300)}`;
    assert.ok(o.code === 0 || o.code === 1, label);
    assert.not.match(o.stderr, /internal error|\n\s+at /, label);
    assert.ok(o.stderrLines <= MAX_LISTED_PROBLEMS + 3, `${label}: ${o.stderrLines} lines`);
    assert.ok(o.longestLine <= MAX_MESSAGE_CHARS, `${label}: a line of ${o.longestLine} characters`);
    assert.ok(o.outsideUnchanged, `${label}: a file outside the repo changed`);
    assert.not.match(o.stderr, 'precious', `${label}: a file outside the repo was read and quoted`);
    if (o.code === 1) assert.ok(o.treeUnchanged, `${label}: a failed run changed the tree`);
    else {
      assert.is(o.again?.code, 0, `${label}: the next run could not read it back: ${o.again?.stderr.slice(0, 300)}`);
      assert.match(o.again!.stdout, 'nothing to change', label);
    }
  }
});

test.after(removeTempDirs);
test.run();
