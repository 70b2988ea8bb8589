// Proof that concurrent rebuild records do not lose each other. Each rebuild Stage's promotion ends
// with Kargo's git-clone, file/yaml update of images/<name>.yaml, git-commit and git-push; git-push
// retries a rejected push (fetch + rebase, then push again; maxAttempts defaults to 10, and "each
// attempt, including the first, rebases prior to pushing"). Here 20 such promotions run at once
// against one bare repository, with the real git, each in its own clone, each writing only its file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git, gitEnv, makeRepo } from './support/git-repos';
import { removeTempDirs, tempDir } from './support/tree';

const WORKERS = 20;
/** git-push's default. */
const KARGO_DEFAULT_MAX_ATTEMPTS = 10;
/**
 * What the push step needs: a push is only rejected when another one landed since this worker's
 * rebase, and each landing can reject a given worker at most once (its attempts do not overlap), so
 * N concurrent writers all land within N attempts, whatever the timing. The default 10 is not enough
 * for 20 writers; the lockstep tests show the worst case.
 */
const MAX_ATTEMPTS = WORKERS;

interface GitResult {
  ok: boolean;
  stdout: string;
  stderr: string;
}

/** The tests' clean git environment, without background housekeeping (auto gc, maintenance) after each fetch. */
const FAST_GIT_ENV: NodeJS.ProcessEnv = {
  ...gitEnv(),
  GIT_CONFIG_COUNT: '3',
  GIT_CONFIG_KEY_0: 'gc.auto',
  GIT_CONFIG_VALUE_0: '0',
  GIT_CONFIG_KEY_1: 'maintenance.auto',
  GIT_CONFIG_VALUE_1: 'false',
  GIT_CONFIG_KEY_2: 'fetch.writeCommitGraph',
  GIT_CONFIG_VALUE_2: 'false',
};

function run(cwd: string, args: string[]): Promise<GitResult> {
  return new Promise((resolve) => {
    execFile('git', args, { cwd, env: FAST_GIT_ENV, timeout: 60_000, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      resolve({ ok: error === null, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

async function must(cwd: string, args: string[]): Promise<string> {
  const r = await run(cwd, args);
  if (!r.ok) throw new Error(`git ${args.join(' ')} failed: ${r.stderr.trim()}`);
  return r.stdout;
}

/** A push refused because the branch moved under us: the case git-push's retry is for. */
const REJECTED = /\[rejected\]|\[remote rejected\]|non-fast-forward|fetch first|cannot lock ref|failed to update ref|Unable to create '.*\.lock'|stale info/i;

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Outcome {
  name: string;
  /** The attempt that landed, or undefined when every attempt was rejected. */
  landedOn?: number;
  rejections: number;
  error?: string;
}

/**
 * Holds pushes until every worker still pushing has rebased for the same round. `firstOnly`: only
 * the first round is held (then workers run free); otherwise every round is (lockstep: the worst case,
 * every worker rebases onto the same tip and exactly one push per round can win).
 */
function pushGate(parties: number, firstOnly: boolean) {
  let active = parties;
  const rounds = new Map<number, { arrived: number; release: () => void; open: Promise<void> }>();
  const roundOf = (n: number) => {
    let r = rounds.get(n);
    if (!r) {
      let release!: () => void;
      const open = new Promise<void>((resolve) => (release = resolve));
      r = { arrived: 0, release, open };
      rounds.set(n, r);
    }
    return r;
  };
  const check = () => {
    for (const r of rounds.values()) if (r.arrived >= active) r.release();
  };
  return {
    beforePush(attempt: number): Promise<void> {
      if (firstOnly && attempt > 1) return Promise.resolve();
      const r = roundOf(attempt);
      r.arrived++;
      check();
      return r.open;
    },
    done(): void {
      active--;
      check();
    },
  };
}

type Gate = ReturnType<typeof pushGate>;

/**
 * One rebuild promotion: git-clone, write images/<name>.yaml, git-commit, then git-push with Kargo's
 * retry (each attempt: fetch + rebase onto the remote branch, then push; a rejected push is tried
 * again, after a short randomised backoff when running free).
 */
async function rebuildRecord(remote: string, workdir: string, name: string, maxAttempts: number, gate: Gate, backoff: boolean): Promise<Outcome> {
  const outcome: Outcome = { name, rejections: 0 };
  try {
    const dir = path.join(workdir, name);
    await must(workdir, ['clone', '--quiet', '--branch', 'main', remote, dir]);
    const file = path.join(dir, 'images', `${name}.yaml`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, recordOf(name));
    await must(dir, ['add', '--', `images/${name}.yaml`]);
    await must(dir, ['commit', '--quiet', '-m', `rebuild ${name}: record lastRebuild`]);
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      const pulled = await run(dir, ['pull', '--quiet', '--rebase', 'origin', 'main']);
      if (!pulled.ok) {
        outcome.error = `rebase failed: ${pulled.stderr.trim()}`;
        return outcome;
      }
      await gate.beforePush(attempt);
      const pushed = await run(dir, ['push', '--quiet', 'origin', 'HEAD:main']);
      if (pushed.ok) {
        outcome.landedOn = attempt;
        return outcome;
      }
      if (!REJECTED.test(pushed.stderr)) {
        outcome.error = `push failed: ${pushed.stderr.trim()}`;
        return outcome;
      }
      outcome.rejections++;
      if (backoff && attempt < maxAttempts) await delay(Math.random() * Math.min(20 * 2 ** attempt, 500));
    }
    outcome.error = `push rejected ${maxAttempts} times`;
    return outcome;
  } finally {
    gate.done();
  }
}

function recordOf(name: string): string {
  return `apiVersion: image-factory.dev/v1\nkind: ImageState\nname: ${name}\nlastRebuild:\n  at: "2026-11-24T10:00:00Z"\n  bases:\n  - ref: docker.io/library/node:22\n    digest: sha256:${'e'.repeat(64)}\n`;
}

/** A bare repository with one commit on main, as a state repo before any rebuild. */
function stateRepo(): { remote: string; bare: string; workdir: string } {
  const parent = tempDir('concurrent-push');
  const seed = makeRepo(parent, 'seed');
  seed.commit({ 'images.yaml': 'images: []\n', 'images/.keep': '' }, 'seed');
  const bare = path.join(parent, 'state.git');
  git(parent, ['clone', '--quiet', '--bare', seed.dir, bare]);
  const workdir = path.join(parent, 'work');
  fs.mkdirSync(workdir);
  return { remote: `file://${bare}`, bare, workdir };
}

const names = Array.from({ length: WORKERS }, (_, i) => `image-${String(i + 1).padStart(2, '0')}`);

test.after(removeTempDirs);

/** The files under images/ on the tip of main. */
function recordsOnMain(bare: string): string[] {
  return git(bare, ['ls-tree', '-r', '--name-only', 'main', 'images/']).trim().split('\n').filter((f) => f.endsWith('.yaml'));
}

test(`${WORKERS} concurrent rebuild records all land on the branch, none lost`, async () => {
  const { remote, bare, workdir } = stateRepo();
  const gate = pushGate(WORKERS, true);
  const outcomes = await Promise.all(names.map((name) => rebuildRecord(remote, workdir, name, MAX_ATTEMPTS, gate, true)));

  for (const o of outcomes) assert.is(o.error, undefined, `${o.name}: ${o.error}`);
  // All 20 rebased onto the same commit before anyone pushed, so exactly one first push could win:
  // the retry really was exercised, 19 times at least.
  assert.is(outcomes.filter((o) => o.landedOn === 1).length, 1);
  assert.ok(outcomes.reduce((n, o) => n + o.rejections, 0) >= WORKERS - 1);

  // The branch holds the seed and one commit per record, in a straight line.
  assert.is(git(bare, ['rev-list', '--count', 'main']).trim(), String(WORKERS + 1));
  assert.is(git(bare, ['rev-list', '--merges', 'main']).trim(), '');
  const subjects = git(bare, ['log', '--format=%s', 'main']).trim().split('\n');
  assert.equal(subjects.filter((s) => s.startsWith('rebuild ')).sort(), names.map((n) => `rebuild ${n}: record lastRebuild`));
  // Every commit touches exactly its own file.
  for (const line of git(bare, ['log', '--format=%H %s', 'main']).trim().split('\n')) {
    const [sha, verb, name] = line.split(' ');
    if (verb !== 'rebuild') continue;
    const touched = git(bare, ['diff-tree', '--no-commit-id', '--name-only', '-r', sha]).trim();
    assert.is(touched, `images/${name.replace(/:$/, '')}.yaml`);
  }
  // Every file is on the tip, with the content its worker wrote.
  assert.equal(recordsOnMain(bare), names.map((n) => `images/${n}.yaml`));
  for (const n of names) assert.is(git(bare, ['show', `main:images/${n}.yaml`]), recordOf(n));
  assert.is(git(bare, ['show', 'main:images.yaml']), 'images: []\n');
  git(bare, ['fsck', '--no-progress']);
});

// The lockstep runs cost a rebase and a push per worker per round (quadratic), so they use fewer writers.
const LOCKSTEP_WORKERS = 12;
const lockstepNames = names.slice(0, LOCKSTEP_WORKERS);

test('lockstep worst case: one push wins per round, so N writers need N attempts and get them', async () => {
  const { remote, bare, workdir } = stateRepo();
  const gate = pushGate(LOCKSTEP_WORKERS, false);
  const outcomes = await Promise.all(lockstepNames.map((name) => rebuildRecord(remote, workdir, name, LOCKSTEP_WORKERS, gate, false)));
  for (const o of outcomes) assert.is(o.error, undefined, `${o.name}: ${o.error}`);
  assert.equal(outcomes.map((o) => o.landedOn!).sort((a, b) => a - b), lockstepNames.map((_, i) => i + 1));
  assert.equal(recordsOnMain(bare), lockstepNames.map((n) => `images/${n}.yaml`));
});

test(`lockstep worst case with Kargo's default maxAttempts ${KARGO_DEFAULT_MAX_ATTEMPTS}: the rest fail loudly, nothing is dropped silently`, async () => {
  const { remote, bare, workdir } = stateRepo();
  const gate = pushGate(LOCKSTEP_WORKERS, false);
  const outcomes = await Promise.all(lockstepNames.map((name) => rebuildRecord(remote, workdir, name, KARGO_DEFAULT_MAX_ATTEMPTS, gate, false)));
  const landed = outcomes.filter((o) => o.landedOn !== undefined);
  const failed = outcomes.filter((o) => o.landedOn === undefined);
  assert.is(landed.length, KARGO_DEFAULT_MAX_ATTEMPTS);
  assert.ok(failed.every((o) => o.error === `push rejected ${KARGO_DEFAULT_MAX_ATTEMPTS} times`));
  assert.is(failed.length, LOCKSTEP_WORKERS - KARGO_DEFAULT_MAX_ATTEMPTS);
  // Exactly the records whose push succeeded are on the branch.
  assert.equal(recordsOnMain(bare), landed.map((o) => `images/${o.name}.yaml`).sort());
  assert.is(git(bare, ['rev-list', '--count', 'main']).trim(), String(KARGO_DEFAULT_MAX_ATTEMPTS + 1));
});

test.run();
