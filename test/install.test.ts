// Installing the CLI into a state repo the two ways a user can today, and running it there:
// from a packed tarball (`npm pack`, what the registry would serve) and from git (`npm i -D
// git+file://...`, as `github:owner/repo` does: npm clones, installs dev dependencies, runs
// `prepare`, packs by `files`). Dependencies come from npm's cache (--prefer-offline), which
// `npm ci` filled; the registry is asked only for what the cache lacks.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { git, gitEnv } from './support/git-repos';
import { copyTree, removeTempDirs, snapshot, tempDir } from './support/tree';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const FIXTURE = path.join(__dirname, 'fixtures', 'generate-basic');
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

/**
 * The environment for npm run from a test: `npm test` exports its own npm_* settings (local
 * prefix, lifecycle, the package being tested) that would make a nested npm act on this repository;
 * only the settings that say where packages come from are kept.
 */
function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => (!/^npm_/i.test(k) || keep.has(k.toLowerCase())) && k !== 'INIT_CWD' && k !== '_PACOTE_NO_PREPARE_'),
  );
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv()): Run {
  const r = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 64 << 20 });
  if (r.error) throw r.error;
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function npm(args: string[], cwd: string): Run {
  const r = run('npm', args, cwd);
  assert.is(r.code, 0, `npm ${args.join(' ')} in ${cwd}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** A state repo holding the generate-basic fixture's input, with a package.json of its own. */
function stateRepo(name: string): string {
  const dir = tempDir(name);
  copyTree(path.join(FIXTURE, 'input'), dir);
  fs.writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify({ name: 'images-state', version: '1.0.0', private: true }, null, 2)}\n`);
  return dir;
}

/**
 * The installed CLI, run as a state repo's CI would: `npx --no -- image-factory` (`--no`: never fetch a
 * package of that name from the registry, which is someone else's), --version then generate.
 */
function checkInstalledCli(state: string): void {
  const installed = path.join(state, 'node_modules', pkg.name);
  assert.ok(fs.existsSync(path.join(installed, 'dist', 'generator', 'src', 'cli', 'cli.js')), 'dist/ is shipped');
  assert.not.ok(fs.existsSync(path.join(installed, '.tools')), 'no helm in the installed package');
  const version = run('npx', ['--no', '--', 'image-factory', '--version'], state);
  assert.is(version.code, 0, version.stderr);
  assert.is(version.stdout.trim(), pkg.version);

  const input = snapshot(state);
  const generate = run('npx', ['--no', '--', 'image-factory', 'generate'], state, { ...npmEnv(), SOURCE_DATE_EPOCH: '1767225600' });
  assert.is(generate.code, 0, generate.stderr);
  assert.is(generate.stderr, '');
  const written = new Map([...snapshot(state)].filter(([rel, content]) => !rel.startsWith('node_modules/') && input.get(rel) !== content && rel !== 'package-lock.json'));
  const expected = snapshot(path.join(FIXTURE, 'expected'));
  assert.equal([...written.keys()].sort(), [...expected.keys()].sort());
  for (const [rel, content] of expected) assert.fixture(written.get(rel) ?? '', content, rel);

  // The report's templates ship in the package and handlebars is a runtime dependency.
  const report = run('npx', ['--no', '--', 'image-factory', 'report', '--out', path.join(state, 'site')], state);
  assert.is(report.code, 0, report.stderr);
  assert.match(fs.readFileSync(path.join(state, 'site', 'index.html'), 'utf8'), /<svg [^>]*class="graph"/);
  fs.rmSync(path.join(state, 'site'), { recursive: true });

  const bad = run('npx', ['--no', '--', 'image-factory', 'validate', '--root', 'no-such-dir'], state);
  assert.is(bad.code, 1);
  assert.not.match(bad.stderr, /\n\s+at /, 'no stack trace');
}

test.after(removeTempDirs);

test('npm pack ships the CLI; installed from the tarball it runs generate in a state repo', () => {
  const out = tempDir('pack');
  // `npm pack` runs prepare (the build) as a publish would.
  const packed = JSON.parse(npm(['pack', '--pack-destination', out, '--json', ...NPM_FLAGS], root).stdout) as { filename: string; files: { path: string }[] }[];
  const files = packed[0].files.map((f) => f.path);
  for (const needed of ['bin/image-factory.js', 'dist/generator/src/cli/cli.js', 'dist/analysis-step/src/command.js', 'dist/analysis-step/src/server.js', 'generator/schema/images.schema.json', 'generator/schema/state.schema.json', 'generator/report/page.hbs']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  assert.equal(files.filter((f) => /^(test|scripts|bench|templates|\.tools|node_modules)\/|\.ts$/.test(f) && !f.endsWith('.d.ts')), [], 'nothing for development only');

  const state = stateRepo('tarball-state');
  npm(['install', '--save-dev', path.join(out, packed[0].filename), ...NPM_FLAGS], state);
  checkInstalledCli(state);
});

test('installed from git (git+file://, as github:owner/repo), prepare builds it and fetches no helm', () => {
  // A repository holding this working tree as it is (tracked and new files, not ignored ones).
  const source = tempDir('git-source');
  const listed = git(root, ['ls-files', '-z', '--cached', '--others', '--exclude-standard']).split('\0').filter(Boolean);
  for (const rel of listed) {
    const from = path.join(root, rel);
    if (!fs.existsSync(from)) continue; // deleted in the working tree
    fs.mkdirSync(path.dirname(path.join(source, rel)), { recursive: true });
    fs.copyFileSync(from, path.join(source, rel));
    fs.chmodSync(path.join(source, rel), fs.statSync(from).mode);
  }
  git(source, ['init', '--quiet', '--initial-branch=main']);
  git(source, ['add', '--all']);
  git(source, ['commit', '--quiet', '-m', 'snapshot'], gitEnv());

  const state = stateRepo('git-state');
  // --foreground-scripts shows the output of prepare as npm runs it from the state repo.
  const installed = npm(['install', '--save-dev', `git+file://${source}`, '--foreground-scripts', ...NPM_FLAGS], state);
  assert.match(installed.stdout, 'install-helm: installed as a dependency; helm (for the tests) not installed');
  assert.not.match(installed.stdout + installed.stderr, 'unpacked helm');
  checkInstalledCli(state);
});

test.run();
