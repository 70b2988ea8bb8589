// The providers exemplar (examples/providers: a state repo on a self-managed GitLab with a GitLab
// image, a plain-git image rebuilt by a signed webhook and a watch-only image) generated, rendered
// with the real `helm template`, and every rebuild task it renders run by kargo-sim (Kargo v1.11.2's
// step and expression semantics): against a bare state repository (file://), the real analysis
// service on loopback (the cooldown gate, the git image's analysis, the webhook signature), a
// loopback GitLab keeping the pipeline trigger API's contract and a loopback receiver that checks
// the signature. Skipped on a plain clone (no ../shared); a failure under CI=true.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { main } from '../generator/src/cli/cli';
import { loadService, settingsOf } from '../analysis-step/src/config';
import { createAnalysisService, type AnalysisService } from '../analysis-step/src/server';
import { CHART_DIR, helm } from './support/helm';
import { git, makeRepo, type TestRepo } from './support/git-repos';
import type { ScriptedAnswer } from './support/scripted-server';
import { startGitLabServer, type GitLabServer } from './support/gitlab-server';
import { startWebhookServer, type WebhookServer } from './support/webhook-server';
import { kargoSim, promote, type Freight, type Promotion } from './support/kargo-sim';
import { both, checkStateRepo as checkStateRepoOf, history, recorded, seedStateRepo, type SeedEdit } from './support/state-seed';
import { captureOutput, copyTree, removeTempDirs, tempDir } from './support/tree';

const SUITE = 'kargo-providers';
const sim = kargoSim(SUITE);
const EXAMPLE = path.join(CHART_DIR, 'examples/providers');
const STATE_URL = 'https://gitlab.example.com/platform/images-state.git';
const GITLAB_API = 'https://gitlab.example.com/api/v4';
const WORKER_URL = 'https://git.example.com/tools/worker.git';
const HOOK_URL = 'https://ci.example.com/hooks/image-factory';
const GL_TOKEN = 'glptt-0123456789abcdef0123456789abcdef';
const AN_TOKEN = 'analysis-token-0123456789abcdef';
const WH_SECRET = 'webhook-secret-0123456789abcdef';
const SECRETS = { 'gitlab-pipeline-triggers': { web: GL_TOKEN }, 'image-factory-analysis-token': { token: AN_TOKEN } };
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const PYTHON = 'docker.io/library/python:3.12-slim-bookworm';
const PY_KEY = 'python-3_12-slim-bookworm';
const NODE = 'docker.io/library/node:22-bookworm-slim';
const NODE_KEY = 'node-22-bookworm-slim';
const LONG_AGO = '2026-10-01T00:00:00Z';

let tmp: string;
let stateBare: string;
/** The exemplar after the worker's analysis and a regenerate: what every rebuild test seeds from. */
let seedDir: string;
let worker: TestRepo;
let gitlab: GitLabServer;
let hook: WebhookServer;
let service: AnalysisService;
let serviceURL: string;
let manifests: string;
let webhookSecretFile: string;
let runs = 0;

/**
 * The rendered chart pointed at this machine: the state repo at the bare repository, the worker's
 * repository at its local copy, GitLab's API and the webhook receiver at the loopback servers, the
 * service at its port. The enrollment the analyze task sends keeps its URLs as images.yaml wrote
 * them (`\"url\":\"...`), since the state file records those.
 */
function localized(text: string): string {
  const outsideEnrollment = (from: string, to: string) => (t: string) =>
    t.replace(new RegExp(`(?<!\\\\"url\\\\":\\\\")${from.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`, 'g'), to);
  return [
    outsideEnrollment(GITLAB_API, gitlab.apiURL),
    outsideEnrollment(HOOK_URL, hook.url),
    outsideEnrollment(WORKER_URL, worker.url),
    (t: string) => t.split(STATE_URL).join(`file://${stateBare}`),
    (t: string) => t.replace(/http:\/\/image-factory-analysis\.image-factory\.svc\.cluster\.local:8080/g, serviceURL),
  ].reduce((t, f) => f(t), text);
}

async function render(valuesFile: string): Promise<string> {
  const r = await helm(['template', 'image-factory', CHART_DIR, '-f', valuesFile]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.stdout;
}

const seedState = (edit?: SeedEdit) => seedStateRepo(tmp, stateBare, seedDir, edit);
const stateFile = (rel: string) => git(tmp, ['--git-dir', stateBare, 'show', `main:${rel}`]);
const stateLog = () => git(tmp, ['--git-dir', stateBare, 'log', '--format=%s', 'main']).trim().split('\n');

function run(stage: string, freight: Freight[], o: { maxPolls?: number; secrets?: Record<string, Record<string, string>> } = {}): Promise<Promotion> {
  return promote({ sim: sim!, manifests, stage, freight, secrets: o.secrets ?? SECRETS, workDir: path.join(tmp, `run-${++runs}`), maxPolls: o.maxPolls ?? 4 });
}

const pythonFreight = (d: string): Freight => ({ name: `py-${d.slice(7, 14)}`, warehouse: 'base-python-3.12-slim-bookworm', images: [{ repoURL: 'docker.io/library/python', tag: '3.12-slim-bookworm', digest: d }] });
const nodeFreight = (d: string): Freight => ({ name: `node-${d.slice(7, 14)}`, warehouse: 'base-node-22-bookworm-slim', images: [{ repoURL: 'docker.io/library/node', tag: '22-bookworm-slim', digest: d }] });
const triggers = () => gitlab.requests.filter((r) => r.method === 'POST');
const hooks = () => hook.requests.filter((r) => r.method === 'POST');

const checkStateRepo = () => checkStateRepoOf(tmp, stateBare);

if (sim !== undefined) {
  test.before(async () => {
    tmp = tempDir('kargo-providers');
    stateBare = path.join(tmp, 'state.git');
    worker = makeRepo(tmp, 'worker-src');
    worker.commit({ Dockerfile: `FROM ${NODE}\nCMD ["node", "worker.js"]\n` }, 'worker Dockerfile');
    gitlab = await startGitLabServer({ 'platform/images-state': { tokens: [GL_TOKEN], refs: ['main'] } });
    hook = await startWebhookServer(WH_SECRET);
    const raw = await render(path.join(EXAMPLE, 'dist/values.yaml'));

    // The analysis service, configured from the rendered ConfigMaps, holding the webhook secret.
    const configDir = path.join(tmp, 'service');
    fs.mkdirSync(configDir);
    for (const doc of parseAllDocuments(raw)) {
      const obj = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
      if (obj?.kind === 'ConfigMap') for (const [key, text] of Object.entries(obj.data ?? {})) fs.writeFileSync(path.join(configDir, key), text.split(WORKER_URL).join(worker.url));
    }
    fs.writeFileSync(path.join(configDir, 'token'), AN_TOKEN);
    webhookSecretFile = path.join(tmp, 'webhook-secret');
    fs.writeFileSync(webhookSecretFile, `${WH_SECRET}\n`);
    service = createAnalysisService(
      loadService(settingsOf({ IMAGE_FACTORY_CONFIG: configDir, IMAGE_FACTORY_TOKEN_FILE: path.join(configDir, 'token'), IMAGE_FACTORY_ALLOW_FILE_URLS: 'true', IMAGE_FACTORY_WEBHOOK_SECRET_FILE: webhookSecretFile, TMPDIR: tmp })),
      { logger: { log: () => undefined }, now: () => new Date('2026-11-30T12:00:00Z') },
    );
    serviceURL = `http://127.0.0.1:${await service.listen(0, '127.0.0.1')}`;

    // The worker's Dockerfile is analyzed in the cluster: the analyze Stage runs, then CI regenerates.
    seedDir = EXAMPLE;
    seedState();
    manifests = path.join(tmp, 'rendered-0.yaml');
    fs.writeFileSync(manifests, localized(raw));
    const analysis = await run('analyze-worker', [{ name: 'w-1', warehouse: 'app-worker', commits: [{ repoURL: worker.url, id: worker.head(), branch: 'main' }] }]);
    if (analysis.phase !== 'Succeeded') throw new Error(`analyze-worker: ${analysis.message}\n${analysis.stdout}`);
    const clone = path.join(tmp, 'regenerated');
    git(tmp, ['clone', '--quiet', stateBare, clone]);
    const regen = await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', clone]));
    if (regen.result !== 0) throw new Error(`generate: ${regen.stderr}`);
    fs.rmSync(path.join(clone, '.git'), { recursive: true, force: true });
    seedDir = path.join(tmp, 'seed-tree');
    copyTree(clone, seedDir);
    manifests = path.join(tmp, 'rendered.yaml');
    fs.writeFileSync(manifests, localized(await render(path.join(seedDir, 'dist/values.yaml'))));
  });

  test.after(async () => {
    await gitlab?.close();
    await hook?.close();
    await service?.close();
    removeTempDirs();
  });

  test('providers exemplar: the service analyzed the git image as generate would; one rebuild task per provider in use; no rebuild Stage for the watch-only image', async () => {
    const state = parseYaml(fs.readFileSync(path.join(seedDir, 'images/worker.yaml'), 'utf8'));
    assert.equal(state.source, { provider: 'git', url: WORKER_URL, branch: 'main', dockerfile: 'Dockerfile', workflow: '', buildArgs: {} });
    assert.equal(state.trigger, { kind: 'webhook', url: HOOK_URL });
    assert.is(state.analysis.status, 'analyzed');
    assert.equal(state.analysis.bases.map((b: { ref: string }) => b.ref), [NODE]);
    seedState();
    const check = await checkStateRepo();
    assert.is(check.code, 0, check.out);

    const docs = parseAllDocuments(fs.readFileSync(manifests, 'utf8')).map((d) => d.toJS()).filter(Boolean) as { kind: string; metadata: { name: string }; spec: any }[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(docs.filter((d) => d.kind === 'PromotionTask').map((d) => d.metadata.name).sort(), ['analyze', 'rebuild', 'rebuild-gitlab', 'rebuild-webhook']);
    const stages = docs.filter((d) => d.kind === 'Stage').map((d) => d.metadata.name);
    assert.ok(stages.includes('rebuild-web') && stages.includes('rebuild-worker'), stages.join(', '));
    assert.not.ok(stages.includes('rebuild-legacy'), 'trigger: none has no rebuild Stage');
    assert.ok(stages.includes('base-debian-bookworm-slim'), "the watch-only image's base is still followed");
    const taskOf = (stage: string) => docs.find((d) => d.kind === 'Stage' && d.metadata.name === stage)!.spec.promotionTemplate.spec.steps[0].task.name;
    assert.equal([taskOf('rebuild-web'), taskOf('rebuild-worker')], ['rebuild-gitlab', 'rebuild-webhook']);
  });

  test('GitLab: the first digest is recorded without a pipeline; a new digest out for the delay starts one pipeline for the branch with the token and the cause as CI/CD variables, and is recorded', async () => {
    seedState();
    const before = triggers().length;
    const first = await run('rebuild-web', [pythonFreight(digest('1'))]);
    assert.is(first.phase, 'Succeeded', first.message + first.stdout);
    assert.is(first.step['rebuild::dispatch'].status, 'Skipped');
    assert.is(triggers().length, before);
    assert.is(parseYaml(stateFile('images/web.yaml')).lastRebuild.bases[PY_KEY].digest, digest('1'));

    seedState(both(recorded('web', PY_KEY, digest('1')), history(PY_KEY, PYTHON, [{ digest: digest('2'), seenAt: LONG_AGO }])));
    const p = await run('rebuild-web', [pythonFreight(digest('2'))]);
    assert.is(p.phase, 'Succeeded', p.message + p.stdout);
    const sent = triggers().slice(before);
    assert.is(sent.length, 1);
    assert.is(sent[0].path, '/api/v4/projects/platform%2Fimages-state/trigger/pipeline', 'the project path is one URL-encoded segment');
    assert.equal(sent[0].json, { token: GL_TOKEN, ref: 'main', variables: { BASE_IMAGE: PYTHON, BASE_DIGEST: digest('2') } });
    assert.equal(gitlab.pipelines.at(-1), { id: gitlab.pipelines.at(-1)!.id, project: 'platform/images-state', ref: 'main', variables: { BASE_IMAGE: PYTHON, BASE_DIGEST: digest('2') } });
    const state = parseYaml(stateFile('images/web.yaml'));
    assert.is(state.lastRebuild.digest, digest('2'));
    assert.is(state.lastRebuild.base, PYTHON);
    assert.is(state.lastRebuild.bases[PY_KEY].digest, digest('2'));
    assert.match(stateLog()[0], /^image-factory: rebuild web for docker\.io\/library\/python:3\.12-slim-bookworm@sha256:2{64}$/);
    assert.not.match(p.stdout, GL_TOKEN, 'the trigger token is masked');
    assert.is((await checkStateRepo()).code, 0, 'generate --check is clean after Kargo wrote the record');
  });

  test('GitLab: the cooldown gate holds a digest that has not been out for rebuildDelay; nothing is sent', async () => {
    seedState(both(recorded('web', PY_KEY, digest('1')), history(PY_KEY, PYTHON, [{ digest: digest('3'), seenAt: '2026-11-30T00:00:00Z' }])));
    const before = triggers().length;
    const p = await run('rebuild-web', [pythonFreight(digest('3'))], { maxPolls: 2 });
    assert.is(p.step['rebuild::gate'].status, 'Failed', 'still waiting when kargo-sim stops polling');
    assert.is(p.step['rebuild::gate'].polls, 2);
    assert.is(triggers().length, before);
  });

  const gitlabCases: { name: string; answers: ScriptedAnswer[]; secrets?: Record<string, Record<string, string>>; phase: string; posts: number; message?: RegExp; recordedAfter: boolean }[] = [
    { name: '401 (a revoked trigger token)', answers: [], secrets: { ...SECRETS, 'gitlab-pipeline-triggers': { web: 'glptt-revoked-0000000000000000' } }, phase: 'Failed', posts: 1, message: /GitLab: 401 Unauthorized/, recordedAfter: false },
    { name: '400 with {message: {base: [...]}}', answers: [{ status: 400, body: { message: { base: ['Reference not found'] } } }], phase: 'Failed', posts: 1, message: /GitLab: base: Reference not found/, recordedAfter: false },
    { name: '400 with {error} (no token)', answers: [{ status: 400, body: { error: 'token is missing' } }], phase: 'Failed', posts: 1, message: /GitLab: token is missing/, recordedAfter: false },
    { name: '403', answers: [{ status: 403, body: { message: '403 Forbidden' } }], phase: 'Failed', posts: 1, message: /GitLab: 403 Forbidden/, recordedAfter: false },
    { name: '404', answers: [{ status: 404, body: { message: '404 Project Not Found' } }], phase: 'Failed', posts: 1, message: /GitLab: 404 Project Not Found/, recordedAfter: false },
    { name: '429 with Retry-After, then 201', answers: [{ status: 429, headers: { 'retry-after': '1' }, body: { message: 'Retry later' } }], phase: 'Succeeded', posts: 2, recordedAfter: true },
    { name: '502 then 201', answers: [{ status: 502, body: 'bad gateway' }], phase: 'Succeeded', posts: 2, recordedAfter: true },
    { name: '503 on every attempt', answers: Array.from({ length: 4 }, () => ({ status: 503, body: { message: 'down' } })), phase: 'Failed', posts: 4, recordedAfter: false },
  ];
  for (const c of gitlabCases) {
    test(`GitLab answers ${c.name} → ${c.phase}, ${c.posts} POST(s), ${c.recordedAfter ? 'recorded' : 'nothing recorded'}`, async () => {
      seedState(both(recorded('web', PY_KEY, digest('1')), history(PY_KEY, PYTHON, [{ digest: digest('4'), seenAt: LONG_AGO }])));
      const before = triggers().length;
      const commits = stateLog().length;
      gitlab.script(...c.answers);
      const p = await run('rebuild-web', [pythonFreight(digest('4'))], { secrets: c.secrets });
      assert.is(p.phase, c.phase, `${p.message}\n${p.stdout}`);
      assert.is(triggers().length - before, c.posts, 'one POST per attempt, never more');
      assert.is(gitlab.pending(), 0);
      if (c.message) assert.match(p.step['rebuild::dispatch'].message ?? '', c.message, p.step['rebuild::dispatch'].message);
      assert.is(parseYaml(stateFile('images/web.yaml')).lastRebuild.bases[PY_KEY].digest, c.recordedAfter ? digest('4') : digest('1'));
      assert.is(stateLog().length - commits, c.recordedAfter ? 1 : 0);
      assert.not.match(p.stdout, GL_TOKEN);
    });
  }

  test('webhook: a new digest sends one POST of {image, baseImage, baseDigest, ref} whose signature the receiver verifies, and is recorded; the secret never reaches Kargo', async () => {
    seedState(recorded('worker', NODE_KEY, digest('1')));
    const before = hooks().length;
    const accepted = hook.accepted.length;
    const p = await run('rebuild-worker', [nodeFreight(digest('5'))]);
    assert.is(p.phase, 'Succeeded', p.message + p.stdout);
    assert.is(hooks().length - before, 1);
    assert.is(hook.accepted.length - accepted, 1, 'the receiver verified the signature');
    const sent = hooks().at(-1)!;
    assert.is(sent.body, JSON.stringify({ image: 'worker', baseImage: NODE, baseDigest: digest('5'), ref: 'main' }), 'exactly these bytes, in this order');
    assert.match(String(sent.headers['x-image-factory-signature-256']), /^sha256=[0-9a-f]{64}$/);
    assert.not.match(p.stdout, WH_SECRET);
    const state = parseYaml(stateFile('images/worker.yaml'));
    assert.is(state.lastRebuild.digest, digest('5'));
    assert.is(state.lastRebuild.bases[NODE_KEY].digest, digest('5'));
    assert.is((await checkStateRepo()).code, 0);
  });

  test('webhook: a receiver holding another secret refuses the signature (401) → Failed with its message, nothing recorded', async () => {
    seedState(recorded('worker', NODE_KEY, digest('1')));
    fs.writeFileSync(webhookSecretFile, 'another-secret-0123456789abcdef');
    try {
      const commits = stateLog().length;
      const p = await run('rebuild-worker', [nodeFreight(digest('6'))]);
      assert.is(p.phase, 'Failed', p.message);
      assert.match(p.step['rebuild::dispatch'].message ?? '', /webhook: signature mismatch/);
      assert.is(stateLog().length, commits);
    } finally {
      fs.writeFileSync(webhookSecretFile, WH_SECRET);
    }
  });

  test('webhook: no secret mounted → the signing step fails with how to fix it; nothing is sent', async () => {
    seedState(recorded('worker', NODE_KEY, digest('1')));
    fs.rmSync(webhookSecretFile);
    try {
      const before = hooks().length;
      const p = await run('rebuild-worker', [nodeFreight(digest('6'))]);
      assert.is(p.phase, 'Failed', p.message);
      assert.match(p.step['rebuild::sign'].message ?? '', /webhook signature: no webhook secret is mounted/);
      assert.is(p.step['rebuild::dispatch'].status, 'Skipped');
      assert.is(hooks().length, before);
    } finally {
      fs.writeFileSync(webhookSecretFile, WH_SECRET);
    }
  });

  const hookCases: { name: string; answers: ScriptedAnswer[]; phase: string; posts: number; message?: RegExp; recordedAfter: boolean }[] = [
    { name: '200', answers: [{ status: 200, body: 'ok' }], phase: 'Succeeded', posts: 1, recordedAfter: true },
    { name: '410 with a text body', answers: [{ status: 410, body: 'hook removed' }], phase: 'Failed', posts: 1, message: /webhook: hook removed/, recordedAfter: false },
    { name: '422 with {message}', answers: [{ status: 422, body: { message: 'unknown image worker' } }], phase: 'Failed', posts: 1, message: /webhook: unknown image worker/, recordedAfter: false },
    { name: '503, then verified', answers: [{ status: 503, body: { message: 'busy' } }], phase: 'Succeeded', posts: 2, recordedAfter: true },
    { name: '500 on every attempt', answers: Array.from({ length: 4 }, () => ({ status: 500, body: { message: 'broken' } })), phase: 'Failed', posts: 4, recordedAfter: false },
  ];
  for (const c of hookCases) {
    test(`webhook receiver answers ${c.name} → ${c.phase}, ${c.posts} POST(s), ${c.recordedAfter ? 'recorded' : 'nothing recorded'}`, async () => {
      seedState(recorded('worker', NODE_KEY, digest('1')));
      const before = hooks().length;
      const commits = stateLog().length;
      hook.script(...c.answers);
      const p = await run('rebuild-worker', [nodeFreight(digest('7'))]);
      assert.is(p.phase, c.phase, `${p.message}\n${p.stdout}`);
      assert.is(hooks().length - before, c.posts, 'one POST per attempt, never more');
      assert.is(hook.pending(), 0);
      if (c.message) assert.match(p.step['rebuild::dispatch'].message ?? '', c.message);
      assert.is(parseYaml(stateFile('images/worker.yaml')).lastRebuild.bases[NODE_KEY].digest, c.recordedAfter ? digest('7') : digest('1'));
      assert.is(stateLog().length - commits, c.recordedAfter ? 1 : 0);
    });
  }
}

test.run();
