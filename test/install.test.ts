// Installing the CLI into a state repo the two ways a user can today, and running it there:
// from a packed tarball (`npm pack`, what the registry would serve) and from git (`npm i -D
// git+file://...`, as `github:owner/repo` does: npm clones, installs dev dependencies, runs
// `prepare`, packs by `files`). Dependencies come from npm's cache (--prefer-offline), which
// `npm ci` filled; the registry is asked only for what the cache lacks.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { git, gitEnv } from './support/git-repos';
import { npmEnv } from './support/npm-env';
import { copyTree, removeTempDirs, snapshot, tempDir } from './support/tree';

const root = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
const FIXTURE = path.join(__dirname, 'fixtures', 'generate-basic');
const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'];

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

let packedTarball: string | undefined;

test('npm pack ships the CLI; installed from the tarball it runs generate in a state repo', () => {
  const out = tempDir('pack');
  // `npm pack` runs prepare (the build) as a publish would.
  const packed = JSON.parse(npm(['pack', '--pack-destination', out, '--json', ...NPM_FLAGS], root).stdout) as { filename: string; files: { path: string }[] }[];
  packedTarball = path.join(out, packed[0].filename);
  const files = packed[0].files.map((f) => f.path);
  for (const needed of ['bin/image-factory.js', 'dist/generator/src/cli/cli.js', 'dist/analysis-step/src/command.js', 'dist/analysis-step/src/server.js', 'generator/schema/images.schema.json', 'generator/schema/state.schema.json', 'chart/examples/application.yaml', 'generator/report/page.hbs']) {
    assert.ok(files.includes(needed), `${needed} is in the package`);
  }
  assert.equal(files.filter((f) => /^(test|scripts|bench|templates|\.tools|node_modules)\/|\.ts$/.test(f) && !f.endsWith('.d.ts')), [], 'nothing for development only');

  const state = stateRepo('tarball-state');
  npm(['install', '--save-dev', path.join(out, packed[0].filename), ...NPM_FLAGS], state);
  checkInstalledCli(state);
});

interface ActionStep {
  name: string;
  shell: string;
  env: Record<string, string>;
  run: string;
}

/**
 * Runs action.yml's steps as the runner would, without GitHub: each `run:` with bash in the
 * workspace, its env with `${{ inputs.X }}` (the input given, else its default) and
 * `${{ runner.temp }}` substituted. The result of the last step that ran.
 */
function runAction(workspace: string, runnerTemp: string, given: Record<string, string>): Run {
  const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }>; runs: { using: string; steps: ActionStep[] } };
  assert.is(action.runs.using, 'composite');
  const input = (name: string) => given[name] ?? action.inputs[name].default;
  const expand = (text: string) =>
    text.replace(/\$\{\{\s*(inputs\.([a-z]+)|runner\.temp)\s*\}\}/g, (_, whole: string, name?: string) => (name ? input(name) : runnerTemp));
  let last: Run = { code: 0, stdout: '', stderr: '' };
  for (const step of action.runs.steps) {
    assert.is(step.shell, 'bash');
    assert.not.match(step.run, '${{', `${step.name}: inputs reach the script through env only`);
    const env = Object.fromEntries(Object.entries(step.env).map(([k, v]) => [k, expand(v)]));
    last = run('bash', ['-e', '-c', step.run], workspace, { ...npmEnv(), ...env, SOURCE_DATE_EPOCH: '1767225600' });
    if (last.code !== 0) return last;
  }
  return last;
}

test('action.yml: installs the pinned CLI outside the checkout, runs generate, then check; strict by default', () => {
  assert.ok(packedTarball, 'the tarball test ran first');
  const action = parse(fs.readFileSync(path.join(root, 'action.yml'), 'utf8')) as { inputs: Record<string, { default: string }> };
  assert.is(action.inputs.version.default, `github:image-factory/image-factory#v${pkg.version}`, 'the default CLI is this release');
  assert.is(action.inputs.strict.default, 'true');
  const workspace = tempDir('action-workspace');
  fs.cpSync(path.join(FIXTURE, 'input'), workspace, { recursive: true });
  const runnerTemp = tempDir('action-runner-temp');
  const version = packedTarball as string;

  const generated = runAction(workspace, runnerTemp, { version, strict: 'false' });
  assert.is(generated.code, 0, generated.stderr);
  assert.ok(fs.existsSync(path.join(workspace, 'dist/values.yaml')));
  assert.not.ok(fs.existsSync(path.join(workspace, 'node_modules')), 'nothing installed into the state repo');
  assert.not.ok(fs.existsSync(path.join(workspace, 'package-lock.json')));
  const checked = runAction(workspace, runnerTemp, { version, command: 'check', strict: 'false' });
  assert.is(checked.code, 0, checked.stderr);
  assert.match(checked.stdout, 'image-factory: up to date');

  // An image nothing watches: strict (the default) fails the check; the warning says why.
  fs.mkdirSync(path.join(workspace, 'lonely'));
  fs.writeFileSync(path.join(workspace, 'lonely/Dockerfile'), 'FROM scratch\n');
  fs.appendFileSync(path.join(workspace, 'images.yaml'), '- name: lonely\n  registry: ghcr.io\n  repository: acme/lonely\n  source:\n    dockerfile: lonely/Dockerfile\n    workflow: lonely.yml\n');
  const strict = runAction(workspace, runnerTemp, { version, command: 'check' });
  assert.is(strict.code, 1);
  assert.match(strict.stderr, 'image "lonely" has no watched base image');
  const badInput = runAction(workspace, runnerTemp, { version, command: 'publish' });
  assert.is(badInput.code, 2);
  assert.match(badInput.stdout, '::error::command: "publish" is not generate, check or validate');
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
