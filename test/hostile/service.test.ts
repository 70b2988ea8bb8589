// Hostile clients and inputs against the analysis service over real loopback sockets (issue 11,
// items 2, 3, 11, 13 and "Also"): /healthz keeps answering while the worst Dockerfile is analyzed;
// slow headers and slow bodies are cut off at the configured timeouts and never hold an analysis
// slot; a deep lastRebuild, reserved build-arg names and a "+ref" are 400s before any fetch; a
// redirecting git host gets a clear 502 and its target no credentials; an analysis over its time
// limit is a 422 and the service goes on; /metrics, open without the token, tells nothing of requests.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { planGeneration } from '../../generator/src/cli/generate';
import { fetchFileAtCommit, type FetchFileOptions } from '../../generator/src/core/git';
import type { ImageValues } from '../../generator/src/core/values-types';
import { loadService, settingsOf } from '../../analysis-step/src/config';
import { requestEnrollmentOf } from '../../generator/src/core/analysis-request';
import { createAnalysisService, type AnalysisService, type ServiceDeps } from '../../analysis-step/src/server';
import { makeRepo, type TestRepo } from '../support/git-repos';
import { startGitHttpServer, startRedirector, type GitHttpServer } from '../support/git-http-server';
import { removeTempDirs, tempDir } from '../support/tree';
import { NAMED_CASES } from './hostile-dockerfiles';

const TOKEN = 'hostile-token-0123456789-SECRET';
const AUTH = { username: 'robot', password: 'hostile-git-Pa55word' };
/** The costliest case of the hostile catalogue (see bench/hostile-dockerfile.ts). */
const WORST = 'stages-each-with-env';

let root: string;
let plain: TestRepo;
let worst: TestRepo;
let gitServer: GitHttpServer;
let redirector: Awaited<ReturnType<typeof startRedirector>>;
let images: ImageValues[];
let fetches = 0;
const started: AnalysisService[] = [];

const countingFetch = (o: FetchFileOptions) => {
  fetches++;
  return fetchFileAtCommit(o);
};

/** Values for external images named `names`, as `generate` writes them, with loopback repository URLs. */
async function imageValues(urls: Record<string, string>): Promise<ImageValues[]> {
  const stateRoot = tempDir('hostile-svc-state');
  const entries = Object.keys(urls).map((name) => `  - name: ${name}\n    registry: ghcr.io\n    repository: acme/${name}\n    source:\n      repo: acme/${name}\n      dockerfile: Dockerfile\n      workflow: build.yml\n`);
  fs.writeFileSync(path.join(stateRoot, 'images.yaml'), `images:\n${entries.join('')}`);
  const plan = await planGeneration({ root: stateRoot });
  return plan.values.images.map((i) => ({ ...i, source: { ...i.source, url: urls[i.name] } }));
}

async function startService(deps: ServiceDeps = {}, env: Record<string, string> = {}): Promise<string> {
  const dir = tempDir('hostile-svc');
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ allowedRepositories: images.map((i) => i.source.url) }));
  fs.writeFileSync(path.join(dir, 'token'), TOKEN);
  fs.mkdirSync(path.join(dir, 'git'));
  fs.writeFileSync(path.join(dir, 'git', 'username'), AUTH.username);
  fs.writeFileSync(path.join(dir, 'git', 'password'), AUTH.password);
  const loaded = loadService(
    settingsOf({
      IMAGE_FACTORY_CONFIG: path.join(dir, 'config.json'),
      IMAGE_FACTORY_TOKEN_FILE: path.join(dir, 'token'),
      IMAGE_FACTORY_GIT_CREDENTIALS_DIR: path.join(dir, 'git'),
      IMAGE_FACTORY_ALLOW_FILE_URLS: 'true',
      IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '60',
      ...env,
    }),
  );
  const service = createAnalysisService(loaded, { fetch: countingFetch, logger: { log: () => undefined }, ...deps });
  started.push(service);
  return `http://127.0.0.1:${await service.listen(0, '127.0.0.1')}`;
}

const lastService = () => started[started.length - 1];

async function call(base: string, body: unknown, pathname = '/v1/analyze', method = 'POST', headers: Record<string, string> = { Authorization: `Bearer ${TOKEN}` }) {
  const res = await fetch(`${base}${pathname}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    body: method === 'GET' ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  let json: { error?: { reason: string; message: string; field?: string } } & Record<string, unknown> = {};
  try {
    json = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: res.status, text, json };
}

const request = (image: string, o: Record<string, unknown> = {}) => {
  const values = images.find((i) => i.name === image)!;
  return { image, repoURL: values.source.url, ref: 'main', dockerfile: 'Dockerfile', buildArgs: {}, enrollment: requestEnrollmentOf(values), ...o };
};

test.before(async () => {
  root = tempDir('hostile-svc-repos');
  plain = makeRepo(root, 'plain');
  plain.commit({ Dockerfile: 'FROM alpine:3.20\n' });
  worst = makeRepo(root, 'worst');
  worst.commit({ Dockerfile: NAMED_CASES[WORST]() });
  const elsewhere = makeRepo(root, 'elsewhere');
  elsewhere.commit({ Dockerfile: 'FROM evil.example/backdoor:1\n' });
  gitServer = await startGitHttpServer(root);
  redirector = await startRedirector(gitServer.base);
  images = await imageValues({ plain: plain.url, worst: worst.url, moved: redirector.url('elsewhere') });
});

test.after(async () => {
  for (const s of started) await s.close();
  await redirector.close();
  await gitServer.close();
  removeTempDirs();
});

test('/healthz answers while the worst Dockerfile is being analyzed (in a worker thread)', async () => {
  const base = await startService();
  const service = lastService();
  let settled = false;
  const analysis = call(base, request('worst')).finally(() => {
    settled = true;
  });
  // Wait until the analysis itself runs (the fetch is done), then ask for health.
  while (!settled && service.analysisPool.running === 0) await new Promise((r) => setTimeout(r, 2));
  assert.not.ok(settled, 'the analysis was seen running');
  const health = await call(base, undefined, '/healthz', 'GET', {});
  const stillAnalyzing = service.analysisPool.running > 0;
  assert.is(health.status, 200);
  assert.ok(stillAnalyzing, '/healthz was answered before the analysis finished');
  const answer = await analysis;
  assert.is(answer.status, 200, answer.text);
});

/** Opens a raw connection, writes `head`, then `trickle` one byte every `everyMs`; resolves how it ended. */
function slowClient(port: number, head: string, trickle: string, everyMs: number): Promise<{ response: string; sentAll: boolean }> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let response = '';
    let sent = 0;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      response += d;
    });
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      socket.write(head);
      const timer = setInterval(() => {
        if (sent >= trickle.length || socket.destroyed) return clearInterval(timer);
        socket.write(trickle[sent++]);
      }, everyMs);
      socket.on('close', () => {
        clearInterval(timer);
        resolve({ response, sentAll: sent >= trickle.length });
      });
    });
  });
}

const portOf = (base: string) => Number(new URL(base).port);

test('slow headers are cut off at the configured header timeout, not at Node\u2019s 30 s check', async () => {
  const base = await startService({ httpTimeouts: { headersMs: 1000, requestMs: 2000 } });
  // Headers that would be complete after 60 bytes at 100 ms each: 6 s, far past the 1 s limit.
  const rest = `X-Slow: ${'x'.repeat(47)}\r\nContent-Length: 0\r\n\r\n`;
  const result = await slowClient(portOf(base), 'POST /v1/analyze HTTP/1.1\r\nHost: service\r\n', rest, 100);
  assert.not.ok(result.sentAll, 'the connection was closed before the headers were complete');
  assert.match(result.response, /^HTTP\/1\.1 408 /);
});

test('a slow body is cut off at the request timeout and never holds an analysis slot', async () => {
  const base = await startService({ httpTimeouts: { headersMs: 1000, requestMs: 2000 } }, { IMAGE_FACTORY_MAX_CONCURRENT: '1' });
  const body = JSON.stringify(request('plain'));
  const head = `POST /v1/analyze HTTP/1.1\r\nHost: service\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`;
  // Four authenticated clients sending their bodies a byte per 100 ms (about 8 s each).
  const slow = Array.from({ length: 4 }, () => slowClient(portOf(base), head, body, 100));
  await new Promise((r) => setTimeout(r, 300));
  const answer = await call(base, request('plain'));
  assert.is(answer.status, 200, `the only slot is free for a complete request: ${answer.text}`);
  for (const result of await Promise.all(slow)) {
    assert.not.ok(result.sentAll, 'the slow body was cut off');
    assert.match(result.response, /^HTTP\/1\.1 408 /);
  }
});

test('400 naming the field, before any fetch: deep lastRebuild, reserved build-arg names, "+ref"', async () => {
  const base = await startService();
  const before = fetches;
  const deep = `${'{"a":'.repeat(3500)}1${'}'.repeat(3500)}`;
  const cases: [string, string, RegExp][] = [
    [JSON.stringify(request('plain')).replace(/}$/, `,"lastRebuild":${deep}}`), 'lastRebuild', /nests deeper than 8 levels/],
    [JSON.stringify(request('plain', { buildArgs: { ['__proto__']: 'x' } })), 'buildArgs.__proto__', /cannot keep/],
    [JSON.stringify(request('plain', { buildArgs: { constructor: 'x' } })), 'buildArgs.constructor', /cannot keep/],
    [JSON.stringify(request('plain', { buildArgs: { prototype: 'x' } })), 'buildArgs.prototype', /cannot keep/],
    [JSON.stringify(request('plain', { ref: '+main' })), 'ref', /starts with "\+"/],
  ];
  for (const [body, field, message] of cases) {
    const r = await call(base, body);
    assert.is(r.status, 400, `${field}: ${r.text}`);
    assert.is(r.json.error?.field, field, r.text);
    assert.match(r.json.error?.message ?? '', message);
  }
  assert.is(fetches, before, 'nothing was fetched');
});

test('a git host answering with a redirect: 502 git-redirect, and the host it points at sees no credentials', async () => {
  const base = await startService();
  gitServer.reset();
  const r = await call(base, request('moved'));
  assert.is(r.status, 502, r.text);
  assert.is(r.json.error?.reason, 'git-redirect');
  assert.match(r.json.error?.message ?? '', /redirects are not followed/);
  assert.ok(redirector.withAuthorization > 0, 'the configured host was sent the credentials');
  assert.is(gitServer.withAuthorization, 0);
  assert.is(gitServer.requests, 0);
});

test('an analysis over its time limit is a 422, its worker replaced; the service goes on', async () => {
  const base = await startService({ analysisLimits: { timeoutMs: 1, maxHeapMb: 256 } });
  for (let round = 0; round < 2; round++) {
    const r = await call(base, request('worst'));
    assert.is(r.status, 422, r.text);
    assert.match(r.json.error?.message ?? '', /^Dockerfile: analyzing it took more than 0\.001 s/);
  }
  assert.is(lastService().analysisPool.running, 0);
  assert.is((await call(base, undefined, '/healthz', 'GET', {})).status, 200);
});

test('/metrics needs no token and tells nothing of what requests carried', async () => {
  const base = await startService();
  const marks = ['evil-image-zq', 'https://github.com/evil/repo-zq.git', 'evil/Dockerfile-zq', 'EVIL_ARG_ZQ', TOKEN];
  await call(base, { ...request('plain'), image: 'evil-image-zq' });
  await call(base, { ...request('plain'), repoURL: 'https://github.com/evil/repo-zq.git' });
  await call(base, { ...request('plain'), dockerfile: 'evil/Dockerfile-zq' });
  await call(base, { ...request('plain'), buildArgs: { EVIL_ARG_ZQ: 'x' } });
  await call(base, request('plain'), '/v1/analyze', 'POST', { Authorization: 'Bearer evil-image-zq' });
  const metrics = await call(base, undefined, '/metrics', 'GET', {});
  assert.is(metrics.status, 200);
  for (const mark of marks) assert.not.ok(metrics.text.includes(mark), `/metrics shows ${mark}`);
  // Every label value comes from a fixed set: routes, status codes, failure reasons.
  for (const [, name, value] of metrics.text.matchAll(/(\w+)="([^"]*)"/g)) {
    if (name === 'route') assert.ok(['/v1/analyze', '/v1/rebuild-gate', '/healthz', '/readyz', '/metrics', 'other'].includes(value), value);
    else if (name === 'code') assert.match(value, /^\d{3}$/);
    else if (name === 'reason') assert.match(value, /^[a-z-]+$/);
    else assert.is(name, 'le');
  }
});

test.run();
