import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../generator/src/cli/cli';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

const fixtures = path.join(__dirname, 'fixtures');
const fixture = (name: string): string => path.join(fixtures, `dockerfile-${name}`, 'Dockerfile');

async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { result, stdout, stderr } = await captureOutput(() => main(['node', 'image-factory', 'bases', ...args]));
  return { code: result, stdout, stderr };
}

test.after(removeTempDirs);

test('--json prints the stable shape, null for what is absent', async () => {
  const { code, stdout, stderr } = await run(fixture('digest'), '--json');
  assert.is(code, 0, stderr);
  assert.is(stderr, '');
  const parsed = JSON.parse(stdout) as { bases: Record<string, unknown>[]; copies: unknown[]; warnings: unknown[] };
  assert.equal(Object.keys(parsed), ['bases', 'copies', 'warnings']);
  assert.equal(Object.keys(parsed.bases[0]), ['ref', 'registry', 'repository', 'tag', 'digest', 'stage', 'platform', 'line']);
  assert.is(parsed.bases[1].tag, null);
  assert.is(parsed.bases[1].stage, null);
  assert.is(parsed.bases[1].platform, null);
  assert.match(String(parsed.bases[1].digest), /^sha256:[0-9a-f]{64}$/);
});

test('--json lists copies and warnings; build args resolve ARGs', async () => {
  const copies = JSON.parse((await run('--json', fixture('run-mount'))).stdout) as { copies: Record<string, unknown>[] };
  assert.equal(copies.copies.map((c) => [c.ref, c.via, c.line, c.tag]), [
    ['docker.io/docker/buildx-bin:0.16', 'mount', 2, '0.16'],
    [`localhost:5000/tools@sha256:${'ab'.repeat(32)}`, 'mount', 6, null],
  ]);
  const unresolved = await run('--json', fixture('unresolved'));
  assert.is(unresolved.code, 0);
  const warned = JSON.parse(unresolved.stdout) as { warnings: { line: number; col: number; message: string }[] };
  assert.equal(warned.warnings.map((w) => [w.line, w.col]), [[2, 6], [4, 6]]);
  const resolved = JSON.parse((await run('--json', '--build-arg', 'BASE=ghcr.io/acme/base:2', '--build-arg', 'NOT_DECLARED=x', fixture('unresolved'))).stdout) as {
    bases: { ref: string }[];
    warnings: { message: string }[];
  };
  assert.equal(resolved.bases.map((b) => b.ref), ['ghcr.io/acme/base:2', 'docker.io/library/alpine:3.20']);
  // A build arg no ARG declares resolves nothing, and says so (Docker ignores it too).
  assert.equal(resolved.warnings.map((w) => w.message.split(' (')[0]), [
    'FROM $NOT_DECLARED uses NOT_DECLARED with no value',
    'build arg NOT_DECLARED is given but no ARG declares it, so it has no effect; remove it from the build args or declare ARG NOT_DECLARED',
  ]);
});

test('the table lists images by line; warnings go to stderr with positions', async () => {
  const { code, stdout, stderr } = await run(fixture('unresolved'));
  assert.is(code, 0);
  assert.equal(stdout.split('\n')[0].split(/\s+/), ['LINE', 'USE', 'IMAGE', 'STAGE', 'PLATFORM']);
  assert.match(stdout, /^3\s+from\s+docker\.io\/library\/alpine:3\.20\s+ok\s+-$/m);
  assert.match(stderr, new RegExp(`^${fixture('unresolved').replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:2:6: warning: .*BASE`, 'm'));
  const scratch = await run(fixture('scratch'));
  assert.match(scratch.stdout, /no external images \(only scratch or earlier stages\)/);
  // Only an unresolved FROM: the image is unknown, which is not the same as "only scratch".
  const dir = tempDir('bases-unresolved');
  fs.writeFileSync(path.join(dir, 'Dockerfile'), 'ARG V\nFROM alpine:${V}\n');
  const unknown = await run(path.join(dir, 'Dockerfile'));
  assert.is(unknown.code, 0);
  assert.is(unknown.stdout, 'no external image known: the FROM on line 2 names its image through an ARG with no value (see the warning); give the ARG a default or pass --build-arg\n');
  assert.match(unknown.stderr, /Dockerfile:2:6: warning: FROM alpine:\$\{V\} uses V with no value/);
});

test('invalid Dockerfiles exit 1 with path:line:col: message and no stack', async () => {
  const cases: [string, RegExp][] = [
    [fixture('err-bad-ref'), /:2:6: FROM ghcr\.io\/Acme\/App:1: invalid image reference .*lower-case/],
    [fixture('err-no-from'), /:1:1: no FROM instruction/],
    [fixture('err-not-dockerfile'), /:1:1: not a Dockerfile/],
    [fixture('err-before-from'), /:2:1: RUN before the first FROM/],
  ];
  for (const [file, message] of cases) {
    const { code, stdout, stderr } = await run(file);
    assert.is(code, 1, file);
    assert.is(stdout, '');
    assert.ok(stderr.startsWith(`${file}:`), stderr);
    assert.match(stderr, message);
    assert.not.match(stderr, /\n\s+at /);
  }
});

test('missing file, a folder, bytes that are not UTF-8, bad --build-arg', async () => {
  const dir = tempDir('bases');
  const missing = await run(path.join(dir, 'nope'));
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /nope: no such file/);
  assert.match((await run(dir)).stderr, /not a file/);
  const latin1 = path.join(dir, 'Dockerfile');
  fs.writeFileSync(latin1, Buffer.concat([Buffer.from('FROM alpine\nLABEL who="'), Buffer.from([0xe9]), Buffer.from('"\n')]));
  const notUtf8 = await run(latin1);
  assert.is(notUtf8.code, 1);
  assert.is(notUtf8.stderr, `${latin1}:2:12: not UTF-8 text: save the Dockerfile as UTF-8\n`);
  const noValue = await run('--build-arg', 'BASE', fixture('simple'));
  assert.is(noValue.code, 1);
  assert.match(noValue.stderr, /--build-arg: "BASE" has no value/);
  const badName = await run('--build-arg', '1X=y', fixture('simple'));
  assert.match(badName.stderr, /not an ARG name/);
});

test('the built CLI prints the same JSON as main()', async () => {
  const root = path.resolve(__dirname, '..');
  const bin = path.join(root, 'bin', 'image-factory.js');
  const built = path.join(root, 'dist', 'generator', 'src', 'cli', 'commands', 'bases.js');
  const sources = ['cli/commands/bases.ts', 'core/dockerfile.ts', 'core/dockerfile-syntax.ts', 'core/image-ref.ts'].map((f) => path.join(root, 'generator', 'src', f));
  const stale = !fs.existsSync(built) || sources.some((f) => fs.statSync(f).mtimeMs > fs.statSync(built).mtimeMs);
  if (stale) {
    const build = spawnSync(process.execPath, [path.join(root, 'scripts', 'build.js')], { cwd: root, encoding: 'utf8' });
    assert.is(build.status, 0, `node scripts/build.js: ${build.stderr}`);
  }
  const child = spawnSync(process.execPath, [bin, 'bases', '--json', fixture('multi-stage')], { cwd: root, encoding: 'utf8' });
  assert.is(child.status, 0, child.stderr);
  assert.is(child.stdout, (await run('--json', fixture('multi-stage'))).stdout);
  const failing = spawnSync(process.execPath, [bin, 'bases', fixture('err-add-from')], { cwd: root, encoding: 'utf8' });
  assert.is(failing.status, 1);
  assert.match(failing.stderr, /:2:5: ADD has no --from flag/);
});

test.run();
