// kill -9 at random moments: `generate` on a state repo of 150 images (some 400 files written), SIGKILLed ~20 times
// (seeded), must leave a tree that, once the next run has started (its recovery step), is exactly
// the tree before or the tree after, with no temp file and no journal left. Half the kills land
// anywhere in the run; the other half once the first temp file appears, in the write phase.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI_MAIN } from '../support/cli-child';
import { seeded } from '../support/random';
import { cli, imageEntry, repoWith } from '../support/hostile-repo';
import { copyTree, removeTempDirs, snapshot, tempDir } from '../support/tree';
import { recoverInterruptedRun } from '../../generator/src/cli/files';
import { JOURNAL_FILE } from '../../generator/src/cli/journal';
import { OUTPUT_FOLDERS } from '../../generator/src/cli/generate';

process.env.SOURCE_DATE_EPOCH = '1767225600';
const SEED = 0x5eed11;
const KILLS = 20;
const IMAGES = 150;

const name = (i: number) => `img-${String(i).padStart(3, '0')}`;
const dockerfile = (i: number) => `FROM ${i % 3 === 0 ? `registry.example.com/base-${i % 40}:1` : `node:${18 + (i % 5)}`}\nCOPY --from=tools-${i % 7}:2 /t /t\n`;

/** images.yaml for images [from, to), each with the given delay. */
function imagesYaml(from: number, to: number, delay: string): string {
  return Array.from({ length: to - from }, (_, k) => imageEntry(name(from + k), `  rebuildDelay: ${delay}\n`)).join('');
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// The kills test a process dying, not a disk losing power: trees on a RAM file system, where
// available, spare a loaded machine the fsync of every file each run writes.
const TREES = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();

/** Whether the run has begun writing: changes are staged in path order, base-images/ first. */
function hasTempFile(root: string): boolean {
  try {
    return fs.readdirSync(path.join(root, 'base-images')).some((n) => n.includes('.tmp-'));
  } catch {
    return false; // not made yet
  }
}

interface Killed {
  /** Milliseconds from spawn to the kill (or to the exit, when the run finished first). */
  at: number;
  /** Milliseconds from spawn to the first temp file seen; undefined when none was. */
  tempAt?: number;
  finished: boolean;
}

/**
 * Runs generate in a child and kills it with SIGKILL `delay` ms after spawn, or (afterTemp) `delay`
 * ms after its first temp file appears. Resolves once the child is gone.
 */
async function runAndKill(root: string, delay: number, afterTemp: boolean): Promise<Killed> {
  const start = Date.now();
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', CLI_MAIN, 'generate', '--root', root, '--quiet'], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: process.env,
    stdio: 'ignore',
  });
  let exited = false;
  const gone = new Promise<number | null>((resolve) => child.on('exit', (code) => ((exited = true), resolve(code))));
  let tempAt: number | undefined;
  if (afterTemp) {
    // Watch for the first temp file, then wait `delay` more.
    while (!exited && tempAt === undefined) {
      if (hasTempFile(root)) tempAt = Date.now() - start;
      else await sleep(2);
    }
    if (!exited && delay !== Infinity) await Promise.race([gone, sleep(delay)]);
    else if (!exited) await gone;
  } else await Promise.race([gone, sleep(delay)]);
  const finished = exited;
  if (!exited) child.kill('SIGKILL');
  const code = await gone;
  if (finished) assert.is(code, 0, 'a run that was not killed succeeds');
  return { at: Date.now() - start, tempAt, finished };
}

test(`${KILLS} SIGKILLs at random moments: after recovery the tree is the old one or the new one, exactly`, async () => {
  const rand = seeded(SEED);
  // Old: images 0..149, delay 7d. New images.yaml: 30 removed, 30 added, every delay changed, so the
  // run creates, updates and removes state files and base files.
  const files: Record<string, string> = { 'images.yaml': imagesYaml(0, IMAGES, '7d') };
  for (let i = 0; i < IMAGES + 30; i++) files[`${name(i)}/Dockerfile`] = dockerfile(i);
  const pristine = repoWith(files);
  assert.is((await cli('generate', '--root', pristine, '--quiet')).code, 0);
  fs.writeFileSync(path.join(pristine, 'images.yaml'), imagesYaml(30, IMAGES + 30, '12h'));
  const oldTree = snapshot(pristine);

  const done = tempDir('kill-new', TREES);
  copyTree(pristine, done);
  assert.is((await cli('generate', '--root', done, '--quiet')).code, 0);
  const newTree = snapshot(done);
  assert.ok(newTree.size > IMAGES && oldTree.size > IMAGES);

  // One uninterrupted run gives the time scale: how long a run takes, and its write phase.
  const calibration = tempDir('kill-calibrate', TREES);
  copyTree(pristine, calibration);
  const whole = await runAndKill(calibration, Infinity, true);
  assert.ok(whole.finished && whole.tempAt !== undefined, 'the calibration run finished and wrote temp files');
  const writePhase = whole.at - whole.tempAt!;
  assert.equal(snapshot(calibration), newTree);

  const outcomes: string[] = [];
  for (let k = 0; k < KILLS; k++) {
    const root = tempDir(`kill-${k}`, TREES);
    copyTree(pristine, root);
    const afterTemp = k % 2 === 1;
    // Anywhere in the run, or in its write phase (from the first temp file on).
    const delay = Math.floor(rand() * (afterTemp ? writePhase : whole.at));
    const killed = await runAndKill(root, delay, afterTemp);
    const journalled = fs.existsSync(path.join(root, JOURNAL_FILE));
    const recovery = recoverInterruptedRun(root, OUTPUT_FOLDERS);
    const tree = snapshot(root);
    const which = isSame(tree, oldTree) ? 'old' : isSame(tree, newTree) ? 'new' : 'mixed';
    outcomes.push(
      `${afterTemp ? 'write phase' : 'anywhere'} +${delay} ms: ${killed.finished ? 'finished' : 'killed'}${journalled ? ', journal finished' : ''}, ${recovery.removedTemps} temp file(s) removed -> ${which}`,
    );
    if (process.env.KILL_DEBUG) console.error(outcomes[outcomes.length - 1]);
    assert.ok(which !== 'mixed', `kill ${k} (seed ${SEED}) left ${describeDifference(tree, oldTree, newTree)}\n${outcomes.join('\n')}`);
    // The next run completes the change (checked for every fifth kill: a run takes a while).
    if (k % 5 === 0) {
      assert.is((await cli('generate', '--root', root, '--quiet')).code, 0);
      assert.ok(isSame(snapshot(root), newTree), `kill ${k}: the run after recovery writes the new tree`);
    }
    fs.rmSync(root, { recursive: true, force: true });
  }
});

function isSame(a: Map<string, string>, b: Map<string, string>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}

function describeDifference(tree: Map<string, string>, oldTree: Map<string, string>, newTree: Map<string, string>): string {
  const extra = [...tree.keys()].filter((k) => !oldTree.has(k) && !newTree.has(k));
  const fromOld = [...tree].filter(([k, v]) => oldTree.get(k) === v && newTree.get(k) !== v).length;
  const fromNew = [...tree].filter(([k, v]) => newTree.get(k) === v && oldTree.get(k) !== v).length;
  return `a mix: ${fromOld} file(s) of the old tree, ${fromNew} of the new, others: ${extra.slice(0, 5).join(', ')}`;
}

test.after(removeTempDirs);
test.run();
