// The analysis service over a real HTTP socket, against real git repositories (file:// and git
// http-backend with basic auth on loopback): answers, every refusal, limits, timeouts, secrets,
// temp dirs, metrics, and byte-identity of the state file with `generate --fetch-external`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { fetchFileAtCommit, gitStats, type FetchFileOptions } from '../generator/src/core/git';
import { planGeneration, changesOfPlan } from '../generator/src/cli/generate';
import { applyChanges } from '../generator/src/cli/files';
import type { ImageValues } from '../generator/src/core/values-types';
import { UserError } from '../generator/src/core/errors';
import { main } from '../generator/src/cli/cli';
import { analyzeLocally } from '../generator/src/cli/commands/analyze';
import { loadService, readAllowlist, settingsOf } from '../analysis-step/src/config';
import { requestEnrollmentOf } from '../generator/src/core/analysis-request';
import { createAnalysisService, type AnalysisService } from '../analysis-step/src/server';
import type { Logger } from '../analysis-step/src/log';
import { makeRepo, type TestRepo } from './support/git-repos';
import { startBlackHole, startGitHttpServer, type GitHttpServer } from './support/git-http-server';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

const TOKEN = 'tok-0123456789abcdef-SECRET';
const AUTH = { username: 'robot-user', password: 'git-Pa55word-very-secret' };
const GH = 'https://github.com/acme/app.git';
const DOCKERFILE = [
  'ARG NODE_VERSION=20',
  'FROM node:${NODE_VERSION}-bookworm-slim AS build',
  'RUN npm ci',
  'FROM gcr.io/distroless/nodejs22-debian12',
  'COPY --from=build /app /app',
  'COPY --from=docker.io/library/busybox:1.36 /bin/sh /bin/sh',
  '',
].join('\n');

let root: string;
let tmpRoot: string;
let app: TestRepo;
let broken: TestRepo;
let head: string;
let http: GitHttpServer;
let hole: Awaited<ReturnType<typeof startBlackHole>>;
let stateRoot: string;
let appValues: ImageValues;
const logs: string[] = [];
const bodies: string[] = [];
let fetchCalls = 0;

const countingFetch = (o: FetchFileOptions) => {
  fetchCalls++;
  // The enrolled URL is GitHub's; this loopback test reads the same repository from disk.
  return fetchFileAtCommit(o.repoURL === GH ? { ...o, repoURL: app.url, allowInsecureURLs: true } : o);
};
const rawLogger: Logger = { log: (level, msg, fields) => logs.push(JSON.stringify({ level, msg, ...fields })) };

interface Started {
  service: AnalysisService;
  base: string;
}
const started: AnalysisService[] = [];

async function startService(opts: { env?: Record<string, string>; allowed?: string[]; credentials?: { username: string; password: string }; hostCredentials?: Record<string, { username: string; password: string }> } = {}): Promise<Started> {
  const dir = tempDir('svc');
  const allowed = opts.allowed ?? [GH, http.urlOf('app'), hole.url('app'), broken.url, app.url];
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ allowedRepositories: allowed }));
  fs.writeFileSync(path.join(dir, 'token'), `${TOKEN}\n`);
  const creds = opts.credentials ?? AUTH;
  fs.mkdirSync(path.join(dir, 'git'));
  fs.writeFileSync(path.join(dir, 'git', 'username'), creds.username);
  fs.writeFileSync(path.join(dir, 'git', 'password'), `${creds.password}\n`);
  for (const [key, pair] of Object.entries(opts.hostCredentials ?? {})) {
    fs.writeFileSync(path.join(dir, 'git', `${key}.username`), pair.username);
    fs.writeFileSync(path.join(dir, 'git', `${key}.password`), `${pair.password}\n`);
  }
  const env = {
    IMAGE_FACTORY_CONFIG: path.join(dir, 'config.json'),
    IMAGE_FACTORY_TOKEN_FILE: path.join(dir, 'token'),
    IMAGE_FACTORY_GIT_CREDENTIALS_DIR: path.join(dir, 'git'),
    IMAGE_FACTORY_ALLOW_FILE_URLS: 'true',
    IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '20',
    TMPDIR: tmpRoot,
    ...opts.env,
  };
  const service = createAnalysisService(loadService(settingsOf(env)), { fetch: countingFetch, logger: rawLogger });
  const port = await service.listen(0, '127.0.0.1');
  started.push(service);
  return { service, base: `http://127.0.0.1:${port}` };
}

async function call(base: string, body: unknown, headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }, pathname = '/v1/analyze', method = 'POST') {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  bodies.push(text);
  let json: any = undefined; // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, headers: res.headers, text, json };
}

const req = (o: Record<string, unknown> = {}) => ({ image: 'app', repoURL: GH, commit: head, dockerfile: 'docker/Dockerfile', buildArgs: { NODE_VERSION: '22' }, enrollment: requestEnrollmentOf(appValues), ...o });
const withEnrollment = (o: Record<string, unknown>) => req({ enrollment: { ...requestEnrollmentOf(appValues), ...o } });
const tmpEmpty = () => assert.equal(fs.readdirSync(tmpRoot), [], 'no temp dir is left');

const IMAGES_YAML = `stateRepo:
  url: https://github.com/acme/images-state.git
  branch: main
images:
  - name: app
    registry: ghcr.io
    repository: acme/app
    source:
      provider: github
      repo: acme/app
      branch: main
      dockerfile: docker/Dockerfile
      workflow: build.yml
      buildArgs:
        NODE_VERSION: "22"
    rebuildDelay: 1d
`;

const generateFetch = async (_image: unknown, repoURL: string) => {
  assert.is(repoURL, GH);
  return fetchFileAtCommit({ repoURL: app.url, ref: 'main', path: 'docker/Dockerfile', timeoutMs: 20_000, allowInsecureURLs: true, tmpDir: tmpRoot });
};

test.before(async () => {
  root = tempDir('svc-repos');
  tmpRoot = tempDir('svc-tmp');
  app = makeRepo(root, 'app');
  app.commit({ 'docker/Dockerfile': 'FROM node:18\n' }, 'old', '2026-11-01T00:00:00Z');
  head = app.commit({ 'docker/Dockerfile': DOCKERFILE }, 'new', '2026-11-24T11:00:00+01:00');
  broken = makeRepo(root, 'broken');
  broken.commit({ 'docker/Dockerfile': 'FROM node:22\nCOPY --from= /a /b\nFROM\n' }, 'broken');
  http = await startGitHttpServer(root, AUTH);
  hole = await startBlackHole();
  stateRoot = tempDir('svc-state');
  fs.writeFileSync(path.join(stateRoot, 'images.yaml'), IMAGES_YAML);
  const plan = await planGeneration({ root: stateRoot, fetchExternal: generateFetch });
  await applyChanges(stateRoot, changesOfPlan(plan, stateRoot));
  appValues = plan.values.images.find((i) => i.name === 'app')!;
  assert.ok(appValues, 'generate produced values for app');
});

test.after(async () => {
  for (const s of started) await s.close();
  await http.close();
  await hole.close();
  removeTempDirs();
});

test('200: the analysis and a state file byte-identical to generate --fetch-external', async () => {
  const { base } = await startService();
  const r = await call(base, req());
  assert.is(r.status, 200, r.text);
  assert.is(r.json.commit, head);
  assert.is(r.json.analyzedAt, '2026-11-24T10:00:00Z');
  assert.equal(r.json.baseImages.map((b: { ref: string }) => b.ref), ['docker.io/library/node:22-bookworm-slim', 'gcr.io/distroless/nodejs22-debian12:latest']);
  assert.equal(r.json.copies.map((c: { ref: string }) => c.ref), ['docker.io/library/busybox:1.36']);
  assert.is(r.json.stateFilePath, 'images/app.yaml');
  assert.is(r.json.stateFile, fs.readFileSync(path.join(stateRoot, 'images/app.yaml'), 'utf8'));
  tmpEmpty();
});

test('200: lastRebuild is carried over exactly as generate keeps it', async () => {
  const file = path.join(stateRoot, 'images/app.yaml');
  const lastRebuild = { at: '2026-11-25T00:00:00Z', bases: [{ ref: 'docker.io/library/node:22-bookworm-slim', digest: `sha256:${'b'.repeat(64)}` }] };
  // The list form image-factory 0.1 wrote; both the service and generate carry it into today's shape.
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replace(/^lastRebuild:[\s\S]*$/m, '') + `lastRebuild:\n  at: "${lastRebuild.at}"\n  bases:\n    - ref: ${lastRebuild.bases[0].ref}\n      digest: "${lastRebuild.bases[0].digest}"\n`);
  const plan = await planGeneration({ root: stateRoot, fetchExternal: generateFetch });
  const { base } = await startService();
  const r = await call(base, req({ lastRebuild }));
  assert.is(r.status, 200, r.text);
  assert.is(r.json.stateFile, plan.files.get('images/app.yaml'));
  assert.match(r.json.stateFile, /\n    node-22-bookworm-slim:\n      ref: docker\.io\/library\/node:22-bookworm-slim\n      digest: sha256:b{64}\n      at: 2026-11-25T00:00:00Z\n/);
});

test('200 over git http-backend with basic auth, by ref; 502 when the host refuses the credentials', async () => {
  const { base } = await startService();
  const r = await call(base, req({ image: 'app-http', repoURL: http.urlOf('app'), commit: undefined, ref: 'main' }));
  assert.is(r.status, 200, r.text);
  assert.is(r.json.commit, head);
  const wrong = await startService({ credentials: { username: 'robot-user', password: 'not-the-Password-42' } });
  const w = await call(wrong.base, req({ image: 'app-http', repoURL: http.urlOf('app') }));
  assert.is(w.status, 502, w.text);
  assert.is(w.json.error.reason, 'git-auth');
  assert.not.match(w.text, /not-the-Password-42/);
  tmpEmpty();
});

test("per-host credentials: a host's own pair wins over the default pair, which other hosts still get", async () => {
  const host = new URL(http.urlOf('app')).host;
  const wrong = { username: 'robot-user', password: 'not-the-Password-42' };
  // The default pair is wrong; the pair for this host (its port written as _<port>) is right.
  const own = await startService({ credentials: wrong, hostCredentials: { [host.replace(':', '_')]: AUTH } });
  const r = await call(own.base, req({ image: 'app-http', repoURL: http.urlOf('app'), commit: undefined, ref: 'main' }));
  assert.is(r.status, 200, r.text);
  // A pair for another host is not sent here: the wrong default is, and the host refuses it.
  const other = await startService({ credentials: wrong, hostCredentials: { 'gitlab.example.com': AUTH } });
  const w = await call(other.base, req({ image: 'app-http', repoURL: http.urlOf('app'), commit: undefined, ref: 'main' }));
  assert.is(w.status, 502, w.text);
  assert.is(w.json.error.reason, 'git-auth');
  tmpEmpty();
});

test('401 without the right bearer token; git is never reached', async () => {
  const { base } = await startService();
  const before = fetchCalls;
  const variants: Record<string, string>[] = [{}, { Authorization: 'Bearer wrong-token-wrong-token' }, { Authorization: `Basic ${TOKEN}` }, { Authorization: `Bearer ${TOKEN}x` }, { Authorization: `Bearer ${TOKEN.slice(0, -1)}` }];
  for (const headers of variants) {
    const r = await call(base, req(), headers);
    assert.is(r.status, 401, JSON.stringify(headers));
    assert.is(r.headers.get('www-authenticate'), 'Bearer');
  }
  assert.is(fetchCalls, before);
});

test('403 for a repository that is no external image\u2019s source, the state repository included; git never runs', async () => {
  const { base } = await startService();
  const before = fetchCalls;
  for (const repoURL of ['https://github.com/evil/app.git', 'https://github.com/acme/images-state.git']) {
    const r = await call(base, req({ repoURL }));
    assert.is(r.status, 403, r.text);
    assert.is(r.json.error.reason, 'repo-not-allowed');
    assert.is(r.json.error.field, 'repoURL');
    assert.match(r.json.error.message, /not the source repository of any external image/);
  }
  const notAllowed = await startService({ allowed: ['https://github.com/acme/other.git', http.urlOf('app')] });
  assert.is((await call(notAllowed.base, req())).status, 403);
  assert.is(fetchCalls, before);
});

test('the state file records the enrollment the request carries', async () => {
  const { base } = await startService();
  const r = await call(base, withEnrollment({ workflow: 'release.yaml', branch: 'release/2.x', autoRebuild: false, rebuildDelay: '0', dispatchInputs: {}, subscription: { imageSelectionStrategy: 'SemVer', constraint: '^2' } }));
  assert.is(r.status, 200, r.text);
  const state = parse(r.json.stateFile);
  assert.equal(state.source, { provider: 'github', repo: 'acme/app', branch: 'release/2.x', dockerfile: 'docker/Dockerfile', workflow: 'release.yaml', buildArgs: { NODE_VERSION: '22' } });
  assert.equal([state.autoRebuild, state.rebuildDelay, state.dispatchInputs, state.subscription, state.local], [false, '0', {}, { imageSelectionStrategy: 'SemVer', constraint: '^2' }, false]);
  // Any image name may be analyzed from an allowed repository: the name only names the state file.
  const other = await call(base, req({ image: 'app-copy' }));
  assert.is(other.status, 200, other.text);
  assert.is(other.json.stateFilePath, 'images/app-copy.yaml');
  assert.match(other.json.stateFile, /^name: app-copy$/m);
  tmpEmpty();
});

test('an analysis runs at most 3 git processes; a repeated request for the same commit, path and build args runs none: Kargo\u2019s retries cost nothing', async () => {
  const { base } = await startService();
  const uncached = gitStats.invocations;
  const first = await call(base, req());
  assert.is(first.status, 200, first.text);
  // An analysis the cache does not hold: git init, the fetch, one cat-file (issue 9: at most 3).
  assert.ok(gitStats.invocations - uncached <= 3, `${gitStats.invocations - uncached} git processes for one analysis`);
  const before = { fetch: fetchCalls, git: gitStats.invocations };
  const again = await call(base, req());
  assert.is(again.status, 200, again.text);
  assert.is(again.text, first.text);
  // The enrollment and lastRebuild only shape the state file, which is rendered for each request.
  const otherEnrollment = await call(base, withEnrollment({ workflow: 'release.yaml' }));
  assert.is(otherEnrollment.status, 200, otherEnrollment.text);
  assert.match(otherEnrollment.json.stateFile, /^ {2}workflow: release\.yaml$/m);
  assert.equal({ fetch: fetchCalls, git: gitStats.invocations }, before, 'no git for an analysis already made');
  // Other build args, or a ref (which can move), are fetched and analyzed again.
  const otherArgs = await call(base, req({ buildArgs: { NODE_VERSION: '20' } }));
  assert.is(otherArgs.status, 200, otherArgs.text);
  assert.is(fetchCalls, before.fetch + 1);
  const byRef = await call(base, req({ commit: undefined, ref: 'main' }));
  assert.is(byRef.status, 200, byRef.text);
  assert.is(fetchCalls, before.fetch + 2);
  tmpEmpty();
});

test('404: an unknown commit', async () => {
  const { base } = await startService();
  const c = await call(base, req({ commit: 'c'.repeat(40) }));
  assert.is(c.status, 404, c.text);
  assert.is(c.json.error.reason, 'commit-not-found');
  tmpEmpty();
});

test('400 naming the field for bad input, and git is never called', async () => {
  const { base } = await startService();
  const strict = await startService({ env: { IMAGE_FACTORY_ALLOW_FILE_URLS: 'false' }, allowed: [GH] });
  const before = { fetch: fetchCalls, git: gitStats.invocations };
  const cases: [string, unknown, string][] = [
    [base, '{"image": ', 'body'],
    [base, '[1,2]', 'body'],
    [base, req({ image: undefined }), 'image'],
    [base, req({ repoURL: undefined }), 'repoURL'],
    [base, req({ commit: undefined }), 'commit'],
    [base, req({ dockerfile: undefined }), 'dockerfile'],
    [base, req({ repoURL: '-uhttps://github.com/acme/app.git' }), 'repoURL'],
    [base, req({ repoURL: 'https://github.com/acme/app.git x' }), 'repoURL'],
    [base, req({ commit: 'HEAD' }), 'commit'],
    [base, req({ commit: head.slice(0, 12) }), 'commit'],
    [base, req({ commit: undefined, ref: '--upload-pack=evil' }), 'ref'],
    [base, req({ commit: undefined, ref: 'main\u0007' }), 'ref'],
    [base, req({ dockerfile: '/etc/passwd' }), 'dockerfile'],
    [base, req({ dockerfile: 'docker/../../Dockerfile' }), 'dockerfile'],
    [base, req({ buildArgs: { NODE_VERSION: 22 } }), 'buildArgs.NODE_VERSION'],
    [base, req({ lastRebuild: 'yesterday' }), 'lastRebuild'],
    [base, req({ extra: 1 }), 'extra'],
    [base, req({ enrollment: undefined }), 'enrollment'],
    [base, req({ enrollment: [] }), 'enrollment'],
    [base, req({ enrollment: { ...requestEnrollmentOf(appValues), workflow: undefined } }), 'enrollment.workflow'],
    [base, withEnrollment({ extra: 1 }), 'enrollment.extra'],
    [base, withEnrollment({ registry: 'GHCR.io/x' }), 'enrollment.registry'],
    [base, withEnrollment({ repository: 'Acme/App' }), 'enrollment.repository'],
    [base, withEnrollment({ repo: 'acme' }), 'enrollment.repo'],
    [base, withEnrollment({ branch: 'main..x' }), 'enrollment.branch'],
    [base, withEnrollment({ workflow: '../build.yml' }), 'enrollment.workflow'],
    [base, withEnrollment({ rebuildDelay: '7 days' }), 'enrollment.rebuildDelay'],
    [base, withEnrollment({ rebuildDelay: 0 }), 'enrollment.rebuildDelay'],
    [base, withEnrollment({ autoRebuild: 'true' }), 'enrollment.autoRebuild'],
    [base, withEnrollment({ subscription: { imageSelectionStrategy: 'Newest' } }), 'enrollment.subscription.imageSelectionStrategy'],
    [base, withEnrollment({ subscription: {} }), 'enrollment.subscription.imageSelectionStrategy'],
    [base, withEnrollment({ subscription: { imageSelectionStrategy: 'Digest' } }), 'enrollment.subscription.constraint'],
    [base, withEnrollment({ subscription: { imageSelectionStrategy: 'Lexical', allowTagsRegexes: ['(?<=v)1'] } }), 'enrollment.subscription.allowTagsRegexes.0'],
    [base, withEnrollment({ dispatchInputs: { baseImage: "${{ secret('x').token }}" } }), 'enrollment.dispatchInputs.baseImage'],
    [strict.base, req({ repoURL: app.url }), 'repoURL'],
    [strict.base, req({ repoURL: http.urlOf('app') }), 'repoURL'],
    [strict.base, req({ repoURL: 'https://gitlab.com/acme/app.git' }), 'repoURL'],
  ];
  for (const [where, body, field] of cases) {
    const r = await call(where, body);
    assert.is(r.status, 400, `${JSON.stringify(body)} -> ${r.text}`);
    assert.is(r.json.error.field, field, r.text);
    assert.ok(r.json.error.message.startsWith(field), r.text);
  }
  assert.equal({ fetch: fetchCalls, git: gitStats.invocations }, before, 'git never ran');
});

test('413 for bodies over 64 KiB; 405 and 404 for other methods and paths', async () => {
  const { base } = await startService();
  const r = await call(base, req({ lastRebuild: { pad: 'x'.repeat(70 * 1024) } }));
  assert.is(r.status, 413);
  const m = await call(base, undefined, {}, '/v1/analyze', 'GET');
  assert.is(m.status, 405);
  assert.is(m.headers.get('allow'), 'POST');
  const n = await call(base, undefined, {}, '/v2/whatever', 'GET');
  assert.is(n.status, 404);
});

test('422 with path:line:col for an invalid Dockerfile', async () => {
  const { base } = await startService();
  const r = await call(base, req({ image: 'app-broken', repoURL: broken.url, commit: broken.head() }));
  assert.is(r.status, 422, r.text);
  assert.match(r.json.error.message, /^docker\/Dockerfile:\d+:\d+: /);
  tmpEmpty();
});

test('504 when the git host never answers; the git processes are gone and the temp dir removed', async () => {
  const { base } = await startService({ env: { IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '1' } });
  const r = await call(base, req({ image: 'app-hole', repoURL: hole.url('app') }));
  assert.is(r.status, 504, r.text);
  assert.is(r.json.error.reason, 'git-timeout');
  const port = new URL(hole.url('app')).port;
  const ps = execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' });
  assert.not.ok(ps.includes(`127.0.0.1:${port}`), 'no git process is left');
  tmpEmpty();
});

test('beyond the concurrency limit a request waits its turn; beyond as many waiting, 429 with Retry-After; an analysis already made is answered without a slot', async () => {
  const { service, base } = await startService({ env: { IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '2', IMAGE_FACTORY_MAX_CONCURRENT: '1' } });
  const made = await call(base, req());
  assert.is(made.status, 200, made.text);
  const slow = call(base, req({ image: 'app-hole', repoURL: hole.url('app') }));
  // Wait until the slow request holds the only slot (it has connected to the black hole).
  const connected = hole.connections;
  for (let i = 0; i < 200 && hole.connections === connected; i++) await new Promise((r) => setTimeout(r, 10));
  const logged = logs.length;
  const queued = call(base, req({ buildArgs: { NODE_VERSION: '20' } }));
  for (let i = 0; i < 200 && service.metrics.waiting === 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.match((await call(base, undefined, {}, '/metrics', 'GET')).text, /^image_factory_analyses_waiting 1$/m);
  const r = await call(base, req({ buildArgs: { NODE_VERSION: '18' } }));
  assert.is(r.status, 429);
  assert.is(r.headers.get('retry-after'), '5');
  // A retry of the analysis already made: the slot is taken and the line full, yet it is answered.
  const retry = await call(base, req());
  assert.is(retry.status, 200, retry.text);
  assert.is(retry.text, made.text);
  assert.is(service.metrics.waiting, 1, 'the request in line is still waiting: the answer did not go through the slot');
  assert.is((await slow).status, 504);
  assert.is((await queued).status, 200, 'the request in line ran once the slot was free');
  // Its log line tells its time in line apart from its time in the slot; the cached answer's says so.
  const lines = logs.slice(logged).map((l) => JSON.parse(l));
  const waited = lines.find((l) => l.code === 200 && l.image === 'app' && !l.cached);
  assert.ok(waited && waited.waitMs > 0 && waited.waitMs <= waited.durationMs, JSON.stringify(waited));
  assert.ok(lines.some((l) => l.code === 200 && l.cached === true && l.waitMs === undefined), 'the cached answer is logged as such');
  const after = await call(base, req({ buildArgs: { NODE_VERSION: '16' } }));
  assert.is(after.status, 200, 'the slot is free again');
  tmpEmpty();
});

test('/healthz, /readyz and /metrics', async () => {
  const { base } = await startService();
  assert.is((await call(base, undefined, {}, '/healthz', 'GET')).status, 200);
  const ready = await call(base, undefined, {}, '/readyz', 'GET');
  assert.is(ready.status, 200);
  assert.is(ready.json.repositories, 5);
  await call(base, req());
  await call(base, req({ repoURL: 'https://github.com/evil/app.git' }));
  await call(base, req(), {});
  const m = await call(base, undefined, {}, '/metrics', 'GET');
  assert.is(m.status, 200);
  assert.match(m.headers.get('content-type') ?? '', /^text\/plain; version=0.0.4/);
  assert.match(m.text, /^image_factory_http_requests_total\{code="200",route="\/v1\/analyze"\} 1$/m);
  assert.match(m.text, /^image_factory_http_requests_total\{code="403",route="\/v1\/analyze"\} 1$/m);
  assert.match(m.text, /^image_factory_http_requests_total\{code="401",route="\/v1\/analyze"\} 1$/m);
  assert.match(m.text, /^image_factory_http_request_duration_seconds_count\{route="\/v1\/analyze"\} 3$/m);
  assert.match(m.text, /^image_factory_http_request_duration_seconds_bucket\{le="\+Inf",route="\/v1\/analyze"\} 3$/m);
  assert.match(m.text, /^image_factory_git_fetch_bytes_total [1-9]\d*$/m);
  assert.match(m.text, /^image_factory_git_processes_total [1-9]\d*$/m);
  assert.match(m.text, /^image_factory_analysis_failures_total\{reason="repo-not-allowed"\} 1$/m);
  assert.match(m.text, /^image_factory_analysis_failures_total\{reason="unauthorized"\} 1$/m);
});

test('a bad configuration fails at start with a clear message', () => {
  const dir = tempDir('svc-bad');
  const cfg = path.join(dir, 'config.json');
  const tok = path.join(dir, 'token');
  fs.writeFileSync(tok, TOKEN);
  const env = (o: Record<string, string | undefined>) => ({ IMAGE_FACTORY_CONFIG: cfg, IMAGE_FACTORY_TOKEN_FILE: tok, ...o });
  const fails = (fn: () => unknown, re: RegExp) => {
    try {
      fn();
    } catch (e) {
      assert.instance(e, UserError);
      assert.match((e as Error).message, re);
      assert.not.match((e as Error).message, TOKEN);
      return;
    }
    assert.unreachable(`expected ${re}`);
  };
  fails(() => settingsOf({}), /IMAGE_FACTORY_CONFIG: is not set/);
  fails(() => settingsOf(env({ IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: 'soon' })), /IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: "soon" is not a whole number of seconds/);
  // One unit everywhere: a duration with a unit, which the service once took, is refused by name.
  fails(() => settingsOf(env({ IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '30s' })), /IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: "30s" is not a whole number of seconds; write e\.g\. 60/);
  fails(() => settingsOf(env({ IMAGE_FACTORY_FETCH_TIMEOUT: '30s' })), /IMAGE_FACTORY_FETCH_TIMEOUT: is no longer read; set IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS/);
  assert.is(settingsOf(env({})).fetchTimeoutMs, 60_000, 'the default is the CLI\'s: 60 s');
  fails(() => settingsOf(env({ IMAGE_FACTORY_MAX_CONCURRENT: '0' })), /IMAGE_FACTORY_MAX_CONCURRENT: 0 is out of range/);
  fails(() => settingsOf(env({ PORT: 'http' })), /PORT: "http" is not a whole number/);
  fails(() => loadService(settingsOf(env({}))), /config.json: the allowlist \(the analysis service ConfigMap\) not found/);
  fs.writeFileSync(cfg, '{"allowedRepositories": ["http://github.com/a/b.git"]}');
  fails(() => loadService(settingsOf(env({}))), /allowedRepositories\[0\]: plain http:\/\/ is not allowed/);
  // The per-image values of older charts are refused by name, rather than silently ignored.
  fs.writeFileSync(cfg, JSON.stringify({ allowedRepositories: [GH], images: [appValues] }));
  fails(() => loadService(settingsOf(env({}))), /config.json: images: is not a known field \(allowedRepositories\)/);
  fs.writeFileSync(cfg, JSON.stringify({ allowedRepositories: [GH] }));
  fs.writeFileSync(tok, 'short');
  fails(() => loadService(settingsOf(env({}))), /too short/);
  fs.writeFileSync(tok, TOKEN);
  assert.equal([...loadService(settingsOf(env({}))).allowedRepositories], [GH]);
  // A folder (the chart mounts one file per ConfigMap part): every *.json in it, together.
  const parts = path.join(dir, 'parts');
  fs.mkdirSync(parts);
  fails(() => loadService(settingsOf(env({ IMAGE_FACTORY_CONFIG: parts }))), /parts: holds no allowlist file/);
  fs.writeFileSync(path.join(parts, 'allowlist-0000.json'), JSON.stringify({ allowedRepositories: [GH, 'https://gitlab.example.com/a/b.git'] }));
  fs.writeFileSync(path.join(parts, 'allowlist-0001.json'), JSON.stringify({ allowedRepositories: ['git@github.com:acme/c.git'] }));
  fs.writeFileSync(path.join(parts, 'README'), 'not read');
  const loaded = readAllowlist(parts, false);
  assert.equal([...loaded.allowedRepositories], [GH, 'https://gitlab.example.com/a/b.git', 'git@github.com:acme/c.git']);
  assert.equal(loaded.allowedHosts, ['github.com', 'gitlab.example.com']);
  fs.writeFileSync(path.join(parts, 'allowlist-0002.json'), '{"allowedRepositories": ["-x"]}');
  fails(() => readAllowlist(parts, false), /allowlist-0002\.json: allowedRepositories\[0\]: must not begin with "-"/);
});

test('image-factory analyze prints what the service answers (a local checkout)', async () => {
  const { base } = await startService();
  const fromService = await call(base, req({ lastRebuild: undefined }));
  // The state file now holds a lastRebuild (an earlier test); the CLI carries it like the PromotionTask would.
  const withLast = await call(base, req({ lastRebuild: { at: '2026-11-25T00:00:00Z', bases: [{ ref: 'docker.io/library/node:22-bookworm-slim', digest: `sha256:${'b'.repeat(64)}` }] } }));
  const out = await captureOutput(() => main(['node', 'image-factory', 'analyze', '--image', 'app', '--root', stateRoot, '--checkout', app.dir]));
  assert.is(out.result, 0, out.stderr);
  const printed = JSON.parse(out.stdout);
  assert.is(printed.commit, head);
  assert.is(printed.stateFile, withLast.json.stateFile);
  assert.equal(printed.baseImages, fromService.json.baseImages);
  const bad = await captureOutput(() => main(['node', 'image-factory', 'analyze', '--image', 'app', '--root', stateRoot, '--checkout', app.dir, '--commit', 'd'.repeat(40)]));
  assert.is(bad.result, 1);
  assert.match(bad.stderr, /was not found/);
  tmpEmpty();
});

test('analyze fetches an enrolled github.com image: the CLI has no allowlist to refuse it with', async () => {
  let asked = '';
  const answer = await analyzeLocally({
    image: appValues,
    repoURL: GH,
    allowInsecureURLs: false,
    timeoutMs: 20_000,
    // The URL the analysis would fetch is recorded; the repository itself is read from disk.
    fetch: (o) => {
      asked = o.repoURL;
      return countingFetch(o);
    },
  });
  assert.is(asked, GH);
  assert.is(answer.commit, head);
  tmpEmpty();
});

test('analyze --write stores the state file where generate keeps it, and generate agrees', async () => {
  const copy = tempDir('svc-state-write');
  fs.cpSync(stateRoot, copy, { recursive: true });
  const out = await captureOutput(() => main(['node', 'image-factory', 'analyze', '--image', 'app', '--root', copy, '--checkout', app.dir, '--write']));
  assert.is(out.result, 0, out.stderr);
  const printed = JSON.parse(out.stdout) as { stateFile: string; stateFilePath: string };
  assert.is(printed.stateFilePath, 'images/app.yaml');
  assert.is(fs.readFileSync(path.join(copy, 'images/app.yaml'), 'utf8'), printed.stateFile);
  assert.match(out.stderr, `image-factory analyze: wrote images/app.yaml (commit ${head.slice(0, 12)})`);
  const check = await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', copy, '--check']));
  assert.is(check.result, 0, check.stderr);
  assert.is(check.stdout, 'image-factory: up to date\n');
  tmpEmpty();
});

test('tokens and git credentials appear in no log line and no response; no temp dir is left', () => {
  const all = [...logs, ...bodies].join('\n');
  assert.ok(logs.length > 10, 'logs were captured');
  for (const secret of [TOKEN, AUTH.password, Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64'), 'not-the-Password-42']) {
    assert.not.ok(all.includes(secret), `a secret leaked: ${secret.slice(0, 4)}…`);
  }
  for (const line of logs) JSON.parse(line);
  tmpEmpty();
});

test.run();
