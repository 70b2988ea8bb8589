// `image-factory init`: a new state repo in one command. What it writes is accepted by generate as
// it is (and with its commented example enrolled), the CI workflow commits new files too, the build
// workflow declares the inputs the rebuild step sends, the Argo CD Application names this state repo
// and a chart tag that is this release; a second run, or a run over a user's files, replaces nothing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { main } from '../generator/src/cli/cli';
import { DEFAULT_DISPATCH_INPUTS } from '../generator/src/core/config';
import { httpsRemoteURL } from '../generator/src/core/scaffold';
import { git, gitEnv } from './support/git-repos';
import { captureOutput, removeTempDirs, snapshot, tempDir } from './support/tree';

const ROOT = path.resolve(__dirname, '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string; repository: { url: string } };
const PROJECT = pkg.repository.url.replace(/^git\+/, '').replace(/\.git$/, '');
const STATE_URL = 'https://github.com/acme/images-state.git';

async function cli(...args: string[]) {
  const { result, stdout, stderr } = await captureOutput(() => main(['node', 'image-factory', ...args]));
  return { code: result, stdout, stderr };
}

/** A git repository with `origin` set, as a new state repo's clone is. */
function clone(origin: string, branch = 'main'): string {
  const dir = tempDir('init');
  git(dir, ['init', '--quiet', `--initial-branch=${branch}`]);
  git(dir, ['remote', 'add', 'origin', origin]);
  return dir;
}

const yamlOf = (dir: string, rel: string) => parse(fs.readFileSync(path.join(dir, rel), 'utf8'));

test.after(removeTempDirs);

test('init scaffolds a state repo that generate accepts at once; a second run changes nothing', async () => {
  const dir = clone('git@github.com:acme/images-state.git');
  const run = await cli('init', dir);
  assert.is(run.code, 0, run.stderr);
  assert.equal([...snapshot(dir).keys()].filter((f) => !f.startsWith('.git/')).sort(), [
    '.github/workflows/build-image.yml',
    '.github/workflows/image-factory.yml',
    'argocd/image-factory.yaml',
    'images.yaml',
  ]);
  assert.match(run.stdout, `a state repo for ${STATE_URL} (branch main)`);
  assert.equal(yamlOf(dir, 'images.yaml').stateRepo, { url: STATE_URL, branch: 'main' });

  const generated = await cli('generate', '--root', dir, '--strict');
  assert.is(generated.code, 0, generated.stderr);
  assert.match(fs.readFileSync(path.join(dir, 'dist/values.yaml'), 'utf8'), `url: ${STATE_URL}`);

  const before = snapshot(dir);
  const again = await cli('init', dir);
  assert.is(again.code, 0);
  assert.is(again.stdout, 'image-factory init: nothing to do: images.yaml, .github/workflows/image-factory.yml, .github/workflows/build-image.yml, argocd/image-factory.yaml exist already (never replaced)\n');
  assert.equal(snapshot(dir), before);
});

test("a user's files are kept, and init says which", async () => {
  const dir = clone(STATE_URL);
  fs.writeFileSync(path.join(dir, 'images.yaml'), 'images: []\n# mine\n');
  fs.mkdirSync(path.join(dir, 'argocd'));
  fs.symlinkSync('/nonexistent', path.join(dir, 'argocd/image-factory.yaml'));
  const run = await cli('init', dir);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stdout, 'image-factory init: kept images.yaml, argocd/image-factory.yaml: they exist already');
  assert.is(fs.readFileSync(path.join(dir, 'images.yaml'), 'utf8'), 'images: []\n# mine\n');
  assert.ok(fs.lstatSync(path.join(dir, 'argocd/image-factory.yaml')).isSymbolicLink());
  assert.ok(fs.existsSync(path.join(dir, '.github/workflows/image-factory.yml')));
});

test('the state repo URL: --repo-url, else origin (SSH made https, credentials dropped), else a clear error', async () => {
  assert.is(httpsRemoteURL('git@github.com:acme/x.git'), 'https://github.com/acme/x.git');
  assert.is(httpsRemoteURL('ssh://git@github.com:22/acme/x.git'), 'https://github.com/acme/x.git');
  assert.is(httpsRemoteURL('https://x-access-token:ghs_secret@github.com/acme/x.git'), 'https://github.com/acme/x.git');

  const withToken = clone('https://x-access-token:ghs_secret123@github.com/acme/images-state.git', 'trunk');
  const run = await cli('init', withToken);
  assert.is(run.code, 0, run.stderr);
  const all = [...snapshot(withToken)].filter(([f]) => !f.startsWith('.git/')).map(([, c]) => c).join('\n') + run.stdout;
  assert.not.match(all, 'ghs_secret123');
  assert.equal(yamlOf(withToken, 'images.yaml').stateRepo, { url: STATE_URL, branch: 'trunk' }, 'the branch checked out');

  const none = tempDir('init-none');
  const missing = await cli('init', none);
  assert.is(missing.code, 1);
  assert.is(missing.stderr, `${none}: has no git remote "origin" to read the state repo\u2019s URL from; pass --repo-url https://github.com/<owner>/<name>.git\n`);
  assert.equal([...snapshot(none).keys()], [], 'nothing written');

  const bad = await cli('init', none, '--repo-url', 'http://github.com/acme/x.git');
  assert.is(bad.code, 1);
  assert.match(bad.stderr, /^--repo-url: "http:\/\/github\.com\/acme\/x\.git" is not an https URL/);
  const made = await cli('init', path.join(none, 'new'), '--repo-url', STATE_URL, '--branch', 'release');
  assert.is(made.code, 0, made.stderr);
  assert.equal(yamlOf(path.join(none, 'new'), 'images.yaml').stateRepo, { url: STATE_URL, branch: 'release' });
});

test('the commented example, enrolled as written, is valid and built by the example workflow', async () => {
  const dir = clone(STATE_URL);
  await cli('init', dir);
  const text = fs.readFileSync(path.join(dir, 'images.yaml'), 'utf8');
  const [head, example] = text.split('images: []\n');
  const uncommented = example
    .split('\n')
    .filter((l) => /^# ( |images:)/.test(l))
    .map((l) => l.slice(2))
    .join('\n');
  fs.writeFileSync(path.join(dir, 'images.yaml'), `${head}${uncommented}\n`);
  fs.mkdirSync(path.join(dir, 'images/hello'), { recursive: true });
  fs.writeFileSync(path.join(dir, 'images/hello/Dockerfile'), 'FROM alpine:3.20\n');
  const run = await cli('generate', '--root', dir, '--strict');
  assert.is(run.code, 0, run.stderr);
  const state = yamlOf(dir, 'images/hello.yaml');
  assert.is(state.source.workflow, 'build-image.yml');
  assert.ok(fs.existsSync(path.join(dir, '.github/workflows', state.source.workflow)));
  const build = yamlOf(dir, '.github/workflows/build-image.yml');
  // GitHub answers 422 to a dispatch carrying an input the workflow does not declare.
  assert.equal(Object.keys(build.on.workflow_dispatch.inputs).sort(), [DEFAULT_DISPATCH_INPUTS.baseImage, DEFAULT_DISPATCH_INPUTS.baseDigest].sort());
  assert.equal(state.dispatchInputs, { baseImage: DEFAULT_DISPATCH_INPUTS.baseImage, baseDigest: DEFAULT_DISPATCH_INPUTS.baseDigest });
  assert.is(build.jobs.build.steps.find((s: { uses?: string }) => s.uses?.startsWith('docker/build-push-action')).with.context, 'images/hello');
});

test('the Argo CD Application: this state repo, and the chart at this release, which Chart.yaml is', async () => {
  const dir = clone(STATE_URL);
  await cli('init', dir);
  const app = yamlOf(dir, 'argocd/image-factory.yaml');
  const [chart, values] = app.spec.sources;
  assert.is(chart.repoURL, `${PROJECT}.git`);
  assert.is(chart.targetRevision, `v${pkg.version}`);
  const chartYaml = parse(fs.readFileSync(path.join(ROOT, 'Chart.yaml'), 'utf8'));
  assert.is(chartYaml.appVersion, pkg.version);
  assert.is(chartYaml.version, pkg.version);
  assert.equal(chart.helm.valuesObject.stateRepo, { url: STATE_URL, branch: 'main' });
  assert.equal([values.repoURL, values.targetRevision, values.ref], [STATE_URL, 'main', 'values']);
  assert.equal(chart.helm.valueFiles, ['$values/dist/values.yaml']);
  // The example it is made from names the same tag: one release, one tag, everywhere.
  const example = parse(fs.readFileSync(path.join(ROOT, 'chart/examples/application.yaml'), 'utf8'));
  assert.is(example.spec.sources[0].targetRevision, `v${pkg.version}`);
});

test('the CI workflow: the Action at this release; on push it commits new files too', async () => {
  const dir = clone(STATE_URL);
  await cli('init', dir);
  const workflow = yamlOf(dir, '.github/workflows/image-factory.yml');
  const action = `${PROJECT.replace('https://github.com/', '')}@v${pkg.version}`;
  const usesOf = (job: string) => workflow.jobs[job].steps.filter((s: { uses?: string }) => s.uses && !s.uses.startsWith('actions/checkout')).map((s: { uses: string; with: unknown }) => [s.uses, s.with]);
  assert.equal(usesOf('generate'), [[action, { command: 'generate' }]]);
  assert.equal(usesOf('check'), [[action, { command: 'check' }]]);
  assert.equal(Object.keys(workflow.on).sort(), ['pull_request', 'push']);

  // The commit step, run as the runner runs it: in a clone whose generate has just created files.
  const remote = tempDir('init-remote');
  git(remote, ['init', '--quiet', '--bare', '--initial-branch=main']);
  git(dir, ['remote', 'set-url', 'origin', remote]);
  git(dir, ['add', '-A']);
  git(dir, ['commit', '--quiet', '-m', 'init'], gitEnv());
  // -u: actions/checkout leaves the branch tracking its remote, as here.
  git(dir, ['push', '--quiet', '-u', 'origin', 'main'], gitEnv());
  assert.is((await cli('generate', '--root', dir)).code, 0);
  assert.ok(git(dir, ['status', '--porcelain']).includes('?? dist/'), 'generate left an untracked file');
  const commit = workflow.jobs.generate.steps.find((s: { name?: string }) => s.name === 'Commit what generate wrote').run as string;
  execFileSync('bash', ['-e', '-c', commit], { cwd: dir, env: gitEnv(), stdio: 'pipe' });
  assert.equal(git(remote, ['ls-tree', '-r', '--name-only', 'main']).trim().split('\n').filter((f) => f.startsWith('dist/')), ['dist/values.yaml']);
  assert.is(git(remote, ['log', '-1', '--format=%s', 'main']).trim(), 'image-factory: regenerate');
  // Nothing new: nothing committed, and the step still succeeds.
  const out = execFileSync('bash', ['-e', '-c', commit], { cwd: dir, env: gitEnv(), encoding: 'utf8' });
  assert.is(out, 'image-factory: nothing to commit\n');
});

test.run();
