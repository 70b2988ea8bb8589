// The child process of test/hostile/generate-fuzz.test.ts: runs `generate` on hostile cases
// [from, from + count) of a seed, one after another in this one process (which runs under the
// parent's memory and time limits), and prints one JSON line per case: `start` before it runs, so
// a case that exhausts the process is known, then what happened.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../generator/src/cli/cli';
import { hostileCase, materialize } from './hostile-cases';
import { captureOutput, snapshot } from './tree';

export interface FuzzOutcome {
  index: number;
  what: string;
  code: number;
  /** The start of what the run printed (all of it is measured below). */
  stderr: string;
  stdout: string;
  stderrLines: number;
  longestLine: number;
  treeUnchanged: boolean;
  outsideUnchanged: boolean;
  /** For a run that succeeded: the exit code and output of a second run, which must read it all back. */
  again?: { code: number; stdout: string; stderr: string };
}

async function run(...args: string[]) {
  const { result, stdout, stderr } = await captureOutput(() => main(['node', 'image-factory', ...args]));
  const lines = stderr.trimEnd().split('\n');
  return {
    code: result,
    stdout: stdout.slice(0, 16 * 1024),
    stderr: stderr.slice(0, 16 * 1024),
    stderrLines: lines.length,
    longestLine: Math.max(...lines.map((l) => l.length)),
  };
}

async function fuzz(seed: number, from: number, count: number, work: string): Promise<void> {
  for (let index = from; index < from + count; index++) {
    const c = hostileCase(seed, index);
    process.stdout.write(`${JSON.stringify({ start: index, what: c.what })}\n`);
    const root = path.join(work, `case-${index}`, 'repo');
    const outside = path.join(work, `case-${index}`, 'outside');
    fs.mkdirSync(root, { recursive: true });
    fs.mkdirSync(outside);
    fs.writeFileSync(path.join(outside, 'keep.yaml'), 'precious\n');
    materialize(c, root, outside);
    const before = snapshot(root);
    const first = await run('generate', '--root', root);
    const outcome: FuzzOutcome = {
      index,
      what: c.what,
      ...first,
      treeUnchanged: sameTree(snapshot(root), before),
      outsideUnchanged: sameTree(snapshot(outside), new Map([['keep.yaml', 'precious\n']])),
    };
    if (first.code === 0) outcome.again = await run('generate', '--root', root);
    process.stdout.write(`${JSON.stringify(outcome)}\n`);
    fs.rmSync(path.join(work, `case-${index}`), { recursive: true, force: true });
  }
}

function sameTree(a: Map<string, string>, b: Map<string, string>): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

const [seed, from, count, work] = process.argv.slice(2);
process.env.SOURCE_DATE_EPOCH = '1767225600';
fuzz(Number(seed), Number(from), Number(count), work).then(
  () => undefined,
  (e) => {
    process.stderr.write(`fuzz child: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 2;
  },
);
