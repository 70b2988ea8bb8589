// `image-factory generate` end to end on fixture state repos (test/fixtures/generate-*/): the
// files it writes, that a second run changes nothing, --check, removals, and that every kind of
// bad input fails with its message and leaves the tree exactly as it was.
// UPDATE_FIXTURES=1 rewrites the expected files from the current output (review the diff!).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../generator/src/cli/cli';
import { parseImagesConfig } from '../generator/src/core/config';
import { externalFetcher } from '../generator/src/cli/external';
import { readRegularFile } from '../generator/src/cli/read-file';
import { UserError } from '../generator/src/core/errors';
import { captureOutput, copyTree, removeTempDirs, snapshot, tempDir } from './support/tree';

const FIXTURES = path.join(__dirname, 'fixtures');
const UPDATE = process.env.UPDATE_FIXTURES === '1';
process.env.SOURCE_DATE_EPOCH = '1767225600'; // 2026-01-01T00:00:00Z: analysis times are fixed

async function cli(...args: string[]) {
  const { result, stdout, stderr } = await captureOutput(() => main(['node', 'image-factory', ...args]));
  return { code: result, stdout, stderr };
}

function fixtureCopy(name: string): string {
  const root = tempDir(name);
  copyTree(path.join(FIXTURES, name, 'input'), root);
  return root;
}

/** The files generate wrote: everything in the tree that was not in the input. */
function outputsOf(root: string, input: Map<string, string>): Map<string, string> {
  return new Map([...snapshot(root)].filter(([rel, content]) => input.get(rel) !== content));
}

test('generate-basic: writes the expected state files and values', async () => {
  const root = fixtureCopy('generate-basic');
  const input = snapshot(root);
  const run = await cli('generate', '--root', root);
  assert.is(run.stderr, '');
  assert.is(run.code, 0);
  const outputs = outputsOf(root, input);
  const expectedDir = path.join(FIXTURES, 'generate-basic', 'expected');
  if (UPDATE) {
    fs.rmSync(expectedDir, { recursive: true, force: true });
    for (const [rel, content] of outputs) {
      fs.mkdirSync(path.dirname(path.join(expectedDir, rel)), { recursive: true });
      fs.writeFileSync(path.join(expectedDir, rel), content, 'latin1');
    }
  }
  const expected = snapshot(expectedDir);
  assert.equal([...outputs.keys()].sort(), [...expected.keys()].sort());
  for (const [rel, content] of expected) assert.fixture(outputs.get(rel) ?? '', content, rel);
});

test('a second run changes nothing, and --check agrees', async () => {
  const root = fixtureCopy('generate-basic');
  await cli('generate', '--root', root);
  const after = snapshot(root);
  const again = await cli('generate', '--root', root);
  assert.is(again.code, 0);
  assert.match(again.stdout, 'nothing to change');
  assert.equal(snapshot(root), after);
  const check = await cli('generate', '--root', root, '--check');
  assert.is(check.code, 0);
});

test('a state file holding the right data in another layout is rewritten, never kept as it stands', async () => {
  const root = fixtureCopy('generate-basic');
  await cli('generate', '--root', root);
  const canonical = snapshot(root);
  // The same data three ways a reader accepts but generate does not write: another header, a
  // comment added below it, a string quoted where it need not be.
  const edits: Record<string, (text: string) => string> = {
    'images/web.yaml': (t) => t.replace(/^# .*\n/, '# edited by hand\n'),
    'images/worker.yaml': (t) => t.replace(/\n(?!#)/, '\n# a note\n'),
    'base-images/busybox-1.36.yaml': (t) => t.replace(/: (busybox|docker\.io)(.*)$/m, ': "$1$2"'),
  };
  for (const [rel, edit] of Object.entries(edits)) {
    const file = path.join(root, rel);
    const edited = edit(fs.readFileSync(file, 'utf8'));
    assert.is.not(edited, canonical.get(rel), `${rel} was edited`);
    fs.writeFileSync(file, edited);
  }
  const check = await cli('generate', '--root', root, '--check');
  assert.is(check.code, 1);
  for (const rel of Object.keys(edits)) assert.match(check.stderr, `update  ${rel}`);
  await cli('generate', '--root', root);
  assert.equal(snapshot(root), canonical, 'every file is back to what generate writes');
});

test('files of every size around the read buffers are read whole (generate reads state files and Dockerfiles with readRegularFile)', () => {
  const dir = tempDir('read-sizes');
  for (const size of [0, 1, 2, 4095, 4096, 65535, 65536, 65537, 200_000]) {
    const file = path.join(dir, `f${size}`);
    const bytes = Buffer.alloc(size, 'x');
    fs.writeFileSync(file, bytes);
    const read = readRegularFile(file, `f${size}`, { maxBytes: 200_000 });
    assert.ok(read.kind === 'read' && read.bytes.equals(bytes), `size ${size}`);
    const capped = readRegularFile(file, `f${size}`, { maxBytes: size - 1 });
    if (size > 0) assert.equal(capped, { kind: 'too-large', size }, `size ${size} over a cap one byte smaller`);
  }
  // A file whose size says 0 but that holds bytes (as /proc files do) is read to its end.
  const proc = readRegularFile('/proc/self/status', 'status', { maxBytes: 1024 * 1024 });
  assert.ok(proc.kind === 'read' && proc.bytes.toString().includes('Name:'), 'a /proc file is read whole');
});

test('two fresh copies give byte-identical output', async () => {
  const a = fixtureCopy('generate-basic');
  const b = fixtureCopy('generate-basic');
  await cli('generate', '--root', a);
  await cli('generate', '--root', b);
  assert.equal(snapshot(a), snapshot(b));
});

test('--check writes nothing and lists what would change; removed images lose their files', async () => {
  const root = fixtureCopy('generate-basic');
  await cli('generate', '--root', root);
  const yaml = fs.readFileSync(path.join(root, 'images.yaml'), 'utf8');
  // Drop the `worker` entry: its state file and the base only it used (busybox) must go.
  const withoutWorker = yaml.replace(/- name: worker[\s\S]*?(?=- name: tools)/, '');
  assert.is.not(withoutWorker, yaml);
  fs.writeFileSync(path.join(root, 'images.yaml'), withoutWorker);
  const before = snapshot(root);
  const check = await cli('generate', '--root', root, '--check');
  assert.is(check.code, 1);
  assert.match(check.stderr, 'delete  images/worker.yaml');
  assert.match(check.stderr, /delete  base-images\/busybox-1\.36\.yaml/);
  assert.match(check.stderr, /update  dist\/values\.yaml \(\+\d+ -\d+ lines\)/);
  assert.equal(snapshot(root), before, '--check wrote nothing');
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 0);
  assert.not.ok(fs.existsSync(path.join(root, 'images/worker.yaml')));
  assert.not.ok(fs.existsSync(path.join(root, 'base-images/busybox-1.36.yaml')));
  assert.ok(fs.existsSync(path.join(root, 'base-images/node-22-bookworm-slim.yaml')), 'a base still used stays');
});

test('an external image keeps its earlier analysis while its source is unchanged', async () => {
  const root = fixtureCopy('generate-basic');
  await cli('generate', '--root', root);
  const file = path.join(root, 'images/remote.yaml');
  const pending = fs.readFileSync(file, 'utf8');
  assert.match(pending, 'status: pending');
  // What the analysis service would have written for it.
  const analyzed = pending.replace(
    /analysis:\n[\s\S]*$/,
    `analysis:\n  status: analyzed\n  commit: ${'c'.repeat(40)}\n  analyzedAt: 2026-02-02T00:00:00Z\n  bases:\n  - ref: docker.io/library/golang:1.23\n    line: 1\n  copies: []\n  warnings: []\nlastRebuild:\n  at: 2026-02-03T00:00:00Z\n  base: docker.io/library/golang:1.23\n  digest: sha256:${'d'.repeat(64)}\n  bases:\n    golang-1_23:\n      ref: docker.io/library/golang:1.23\n      digest: sha256:${'d'.repeat(64)}\n      at: 2026-02-03T00:00:00Z\n`,
  );
  fs.writeFileSync(file, analyzed);
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 0, run.stderr);
  assert.is(fs.readFileSync(file, 'utf8'), analyzed);
  assert.ok(fs.existsSync(path.join(root, 'base-images/golang-1.23.yaml')));
  const values = fs.readFileSync(path.join(root, 'dist/values.yaml'), 'utf8');
  assert.match(values, 'slug: golang-1.23');
});

const errorCases = fs.readdirSync(FIXTURES).filter((d) => d.startsWith('generate-error-')).sort();

for (const name of errorCases) {
  test(`${name}: fails with its message and changes nothing`, async () => {
    const root = fixtureCopy(name);
    const before = snapshot(root);
    const run = await cli('generate', '--root', root);
    const expectedFile = path.join(FIXTURES, name, 'expected-error.txt');
    if (UPDATE) fs.writeFileSync(expectedFile, run.stderr);
    assert.is(run.code, 1);
    assert.is(run.stdout, '');
    assert.fixture(run.stderr, fs.readFileSync(expectedFile, 'utf8'));
    assert.not.match(run.stderr, /\n\s+at /, 'no stack trace');
    assert.equal(snapshot(root), before);
  });
}

test('a 50 MB images.yaml fails fast with a clear message', async () => {
  const root = tempDir('huge');
  const entry = '- name: web\n  registry: ghcr.io\n  repository: acme/web\n';
  fs.writeFileSync(path.join(root, 'images.yaml'), entry.repeat(Math.ceil((50 * 1024 * 1024) / entry.length)));
  const before = snapshot(root);
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^images\.yaml: .*(MiB|bytes)/);
  assert.equal(snapshot(root), before);
});

test('a Dockerfile path that leads out of the state repo through a link is refused', async () => {
  const outside = tempDir('outside');
  fs.writeFileSync(path.join(outside, 'Dockerfile'), 'FROM alpine:3.20\n');
  const root = fixtureCopy('generate-error-missing-dockerfile');
  fs.mkdirSync(path.join(root, 'web'));
  fs.symlinkSync(path.join(outside, 'Dockerfile'), path.join(root, 'web/Dockerfile'));
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^images\.yaml:1:3: image "web": Dockerfile web\/Dockerfile leads outside the state repo/);
});

test('Dockerfiles with the same bytes are analyzed once a run, but build args still tell them apart', async () => {
  const root = tempDir('same-dockerfile');
  const dockerfile = 'ARG NODE_MAJOR=22\nFROM node:${NODE_MAJOR}-bookworm-slim\nRUN npm ci\n';
  const entries = ['a', 'b', 'c'].map((name) => {
    fs.mkdirSync(path.join(root, name));
    fs.writeFileSync(path.join(root, name, 'Dockerfile'), dockerfile);
    const args = name === 'c' ? '\n    buildArgs:\n      NODE_MAJOR: "20"' : '';
    return `- name: ${name}\n  registry: ghcr.io\n  repository: acme/${name}\n  source:\n    dockerfile: ${name}/Dockerfile\n    workflow: ${name}.yml${args}`;
  });
  fs.writeFileSync(path.join(root, 'images.yaml'), `${entries.join('\n')}\n`);
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 0, run.stderr);
  const state = (name: string) => fs.readFileSync(path.join(root, 'images', `${name}.yaml`), 'utf8');
  assert.match(state('a'), 'ref: docker.io/library/node:22-bookworm-slim');
  assert.match(state('b'), 'ref: docker.io/library/node:22-bookworm-slim');
  assert.match(state('c'), 'ref: docker.io/library/node:20-bookworm-slim');
  assert.not.match(state('c'), 'node:22');
});

test('validate checks images.yaml and state files and writes nothing', async () => {
  const root = fixtureCopy('generate-basic');
  await cli('generate', '--root', root);
  const before = snapshot(root);
  const ok = await cli('validate', '--root', root);
  assert.is(ok.code, 0);
  assert.match(ok.stdout, 'images.yaml (4 image(s), 3 analyzed) and the state files are valid');
  fs.appendFileSync(path.join(root, 'images/web.yaml'), 'extra: 1\n');
  const bad = await cli('validate', '--root', root);
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^images\/web\.yaml:\d+:1: unknown key "extra"/);
  fs.writeFileSync(path.join(root, 'images/web.yaml'), before.get('images/web.yaml')!);
  assert.equal(snapshot(root), before);
});

test('--fetch-external: a repository that cannot be read is a positioned error naming the image', async () => {
  const config = parseImagesConfig(fs.readFileSync(path.join(FIXTURES, 'generate-basic', 'input', 'images.yaml')), 'images.yaml');
  const remote = config.images.find((i) => i.name === 'remote')!;
  // Port 1 on loopback refuses at once: git fails without any traffic leaving the machine.
  const fetcher = externalFetcher({ GIT_USERNAME: 'robot', GIT_PASSWORD: 'hunter2-secret', IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '20' });
  try {
    await fetcher(remote, 'https://127.0.0.1:1/acme/remote.git');
    assert.unreachable('the fetch should fail');
  } catch (e) {
    assert.instance(e, UserError);
    const message = (e as UserError).message;
    assert.match(message, new RegExp(`^images\\.yaml:${remote.position.line}:${remote.position.col}: image "remote": `));
    assert.match(message, 'check source.repo (or source.url), source.branch and source.dockerfile');
    assert.not.match(message, 'hunter2-secret');
  }
});

test('the exemplar state repo is up to date (npm run demo would change nothing)', async () => {
  const root = tempDir('exemplar');
  copyTree(path.join(__dirname, '..', 'examples', 'exemplar'), root);
  delete process.env.SOURCE_DATE_EPOCH;
  try {
    const check = await cli('generate', '--root', root, '--check');
    assert.is(check.stderr, '');
    assert.is(check.code, 0);
  } finally {
    process.env.SOURCE_DATE_EPOCH = '1767225600';
  }
});

test.after(removeTempDirs);
test.run();
