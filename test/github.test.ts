import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { checkApiURL, checkRef, describeDispatch, dispatchWorkflow, GitHubError, type DispatchOptions } from '../generator/src/core/providers/github';
import { dispatchContractProblems, startGitHubServer, type GitHubServer } from './support/github-server';
import { startBlackHole } from './support/git-http-server';

const TOKEN = 'ghp_TestToken0123456789abcdefSECRET';
const NOW = Date.parse('2026-11-24T10:00:00Z');

let server: GitHubServer;

test.before.each(async () => {
  server = await startGitHubServer({
    token: TOKEN,
    repos: {
      'acme/images': {
        'build-web.yml': { refs: ['main', 'v1'], inputs: ['base_image', 'base_digest'], required: ['base_image'] },
        'build-plain.yml': { refs: ['main'], inputs: [] },
      },
    },
  });
});
test.after.each(() => server.close());

interface Run {
  sleeps: number[];
  logs: string[];
}

function options(over: Partial<DispatchOptions> = {}): { opts: DispatchOptions; run: Run } {
  const run: Run = { sleeps: [], logs: [] };
  const opts: DispatchOptions = {
    apiURL: server.url,
    token: TOKEN,
    owner: 'acme',
    repo: 'images',
    workflow: 'build-web.yml',
    ref: 'main',
    inputs: { base_image: 'docker.io/library/node:22', base_digest: `sha256:${'b'.repeat(64)}` },
    maxAttempts: 4,
    maxWaitSeconds: 120,
    userAgent: 'image-factory/9.9.9',
    log: (line) => void run.logs.push(line),
    sleep: async (ms) => void run.sleeps.push(ms),
    now: () => NOW,
    ...over,
  };
  return { opts, run };
}

async function failure(p: Promise<unknown>): Promise<GitHubError> {
  try {
    await p;
  } catch (e) {
    assert.instance(e, GitHubError);
    return e as GitHubError;
  }
  assert.unreachable('expected the dispatch to fail');
  throw new Error('unreachable');
}

test('204: one POST to the documented path with every header and the JSON body', async () => {
  const { opts, run } = options();
  const result = await dispatchWorkflow(opts);
  assert.is(result.attempts, 1);
  assert.is(server.requests.length, 1);
  assert.equal(
    dispatchContractProblems(server.requests[0], {
      path: '/repos/acme/images/actions/workflows/build-web.yml/dispatches',
      token: TOKEN,
      userAgent: 'image-factory/9.9.9',
      json: { ref: 'main', inputs: { base_digest: `sha256:${'b'.repeat(64)}`, base_image: 'docker.io/library/node:22' } },
    }),
    [],
  );
  assert.equal(run.sleeps, []);
  assert.equal(run.logs, []);
});

test('no inputs: the body carries only the ref', async () => {
  const { opts } = options({ workflow: 'build-plain.yml', inputs: {} });
  await dispatchWorkflow(opts);
  assert.is(server.requests[0].body, '{"ref":"main"}');
});

test('401 fails at once with GitHub\u2019s message and a token hint, never the token', async () => {
  const { opts, run } = options({ token: 'ghp_wrongTOKENvalue123' });
  const e = await failure(dispatchWorkflow(opts));
  assert.is(e.status, 401);
  assert.match(e.message, 'GitHub answered 401 Unauthorized: Bad credentials');
  assert.match(e.message, 'GITHUB_TOKEN');
  assert.not.match(e.message, 'ghp_wrongTOKENvalue123');
  assert.is(server.requests.length, 1);
  assert.equal(run.sleeps, []);
});

test('404 fails at once and names what to check', async () => {
  const { opts } = options({ workflow: 'missing.yml' });
  const e = await failure(dispatchWorkflow(opts));
  assert.is(e.status, 404);
  assert.match(e.message, 'GitHub answered 404 Not Found: Not Found');
  assert.match(e.message, 'workflow file name');
  assert.is(server.requests.length, 1);
});

test('422 fails at once with GitHub\u2019s message: unexpected inputs, unknown ref, missing required input', async () => {
  const unexpected = await failure(dispatchWorkflow(options({ inputs: { base_image: 'x', extra: 'y' } }).opts));
  assert.match(unexpected.message, 'GitHub answered 422 Unprocessable Entity: Unexpected inputs provided: ["extra"]');
  assert.match(unexpected.message, 'workflow_dispatch');
  const ref = await failure(dispatchWorkflow(options({ ref: 'release' }).opts));
  assert.match(ref.message, 'No ref found for: release');
  const required = await failure(dispatchWorkflow(options({ inputs: {} }).opts));
  assert.match(required.message, "Required input 'base_image' not provided");
  assert.is(server.requests.length, 3);
});

test('403 without a rate limit is a permission problem: no retry', async () => {
  server.script({ status: 403, body: { message: 'Resource not accessible by personal access token', documentation_url: 'x', status: '403' } });
  const { opts, run } = options();
  const e = await failure(dispatchWorkflow(opts));
  assert.match(e.message, 'GitHub answered 403 Forbidden: Resource not accessible by personal access token');
  assert.match(e.message, 'actions: write');
  assert.is(server.requests.length, 1);
  assert.equal(run.sleeps, []);
});

test('429 and 503 with Retry-After are retried after the wait GitHub asked for', async () => {
  server.script(
    { status: 429, headers: { 'retry-after': '7' }, body: { message: 'You have exceeded a secondary rate limit.', documentation_url: 'x', status: '429' } },
    { status: 503, headers: { 'retry-after': '2' }, body: 'upstream unavailable' },
  );
  const { opts, run } = options();
  const result = await dispatchWorkflow(opts);
  assert.is(result.attempts, 3);
  assert.equal(run.sleeps, [7000, 2000]);
  assert.is(server.requests.length, 3);
  // Every attempt is the same request.
  assert.ok(server.requests.every((r) => r.body === server.requests[0].body && r.headers.authorization === `Bearer ${TOKEN}`));
  assert.is(run.logs.length, 2);
  assert.match(run.logs[0], 'GitHub answered 429 Too Many Requests: You have exceeded a secondary rate limit.; retrying in 7s (attempt 2 of 4)');
  assert.match(run.logs[1], '503 Service Unavailable');
});

test('a 5xx without Retry-After backs off exponentially', async () => {
  server.script({ status: 500 }, { status: 502 }, { status: 500 });
  const { opts, run } = options();
  const result = await dispatchWorkflow(opts);
  assert.is(result.attempts, 4);
  assert.equal(run.sleeps, [1000, 2000, 4000]);
});

test('rate limit exhausted (403, remaining 0): waits until x-ratelimit-reset on the injected clock', async () => {
  const reset = NOW / 1000 + 30;
  server.script({
    status: 403,
    headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(reset), 'x-ratelimit-used': '5000' },
    body: { message: 'API rate limit exceeded for user ID 1.', documentation_url: 'x', status: '403' },
  });
  const { opts, run } = options();
  const result = await dispatchWorkflow(opts);
  assert.is(result.attempts, 2);
  assert.equal(run.sleeps, [31_000]);
  assert.match(run.logs[0], 'API rate limit exceeded');
});

test('a secondary rate limit without any header waits a minute', async () => {
  server.script({ status: 403, body: { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.', documentation_url: 'x', status: '403' } });
  const { opts, run } = options();
  await dispatchWorkflow(opts);
  assert.equal(run.sleeps, [60_000]);
});

test('retries exhausted: a clear failure naming the last answer and the attempts', async () => {
  server.script({ status: 503 }, { status: 503 }, { status: 503 });
  const { opts, run } = options({ maxAttempts: 3 });
  const e = await failure(dispatchWorkflow(opts));
  assert.is(e.status, 503);
  assert.match(e.message, 'GitHub answered 503 Service Unavailable');
  assert.match(e.message, 'gave up after 3 attempt(s)');
  assert.is(server.requests.length, 3);
  assert.is(run.sleeps.length, 2);
  assert.is(server.pending(), 0);
});

test('a wait longer than allowed fails at once instead of sleeping', async () => {
  server.script({ status: 429, headers: { 'retry-after': '3600' } });
  const { opts, run } = options({ maxWaitSeconds: 600 });
  const e = await failure(dispatchWorkflow(opts));
  assert.match(e.message, 'GitHub asks to wait 60m, longer than the 10m allowed (--max-wait)');
  assert.equal(run.sleeps, []);
  assert.is(server.requests.length, 1);
});

test('no answer at all (connection refused) is retried, then reported', async () => {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const { opts, run } = options({ apiURL: `http://127.0.0.1:${port}`, maxAttempts: 2 });
  const e = await failure(dispatchWorkflow(opts));
  assert.match(e.message, `no answer from 127.0.0.1:${port} (ECONNREFUSED)`);
  assert.match(e.message, 'gave up after 2 attempt(s)');
  assert.equal(run.sleeps, [1000]);
});

test('a server that never answers times out, is retried, then reported', async () => {
  const hole = await startBlackHole();
  try {
    const apiURL = hole.url('').replace(/\/$/, '');
    const { opts, run } = options({ apiURL, maxAttempts: 2, timeoutMs: 200 });
    const e = await failure(dispatchWorkflow(opts));
    assert.match(e.message, 'no answer from 127.0.0.1');
    assert.match(e.message, 'gave up after 2 attempt(s)');
    assert.ok(hole.connections >= 2, `connections: ${hole.connections}`);
    assert.equal(run.sleeps, [1000]);
  } finally {
    await hole.close();
  }
});

test('the token is hidden even when an error body echoes it', async () => {
  server.script({ status: 422, body: { message: `token ${TOKEN} cannot dispatch`, documentation_url: 'x', status: '422' } });
  const { opts, run } = options();
  const e = await failure(dispatchWorkflow(opts));
  assert.match(e.message, 'token *** cannot dispatch');
  assert.not.match(e.message, TOKEN);
  assert.not.match(run.logs.join('\n'), TOKEN);
});

test('bad owner, repository, workflow, ref, input name or API URL: refused before any request', async () => {
  const cases: [Partial<DispatchOptions>, string][] = [
    [{ owner: 'acme/../x' }, 'owner'],
    [{ owner: '-acme' }, 'owner'],
    [{ repo: '..' }, 'repository'],
    [{ repo: 'images?x=1' }, 'repository'],
    [{ workflow: '../../../../user' }, 'workflow'],
    [{ workflow: 'build.sh' }, 'workflow'],
    [{ ref: 'main branch' }, 'ref'],
    [{ ref: '../main' }, 'ref'],
    [{ ref: 'feature/x.lock' }, 'ref'],
    [{ ref: '' }, 'ref'],
    [{ inputs: { 'bad name': 'x' } }, 'input name'],
    [{ apiURL: 'http://api.github.com' }, 'https'],
    [{ apiURL: 'ftp://127.0.0.1' }, 'https'],
    [{ apiURL: 'not a url' }, 'absolute URL'],
    [{ token: 'two words' }, 'token'],
    [{ token: '' }, 'token'],
    [{ maxAttempts: 0 }, 'max attempts'],
  ];
  for (const [over, word] of cases) {
    const e = await failure(dispatchWorkflow(options(over).opts));
    assert.match(e.message, word, JSON.stringify(over));
  }
  assert.is(server.requests.length, 0);
  const hidden = await failure(dispatchWorkflow(options({ apiURL: `https://user:${TOKEN}@example.com` }).opts));
  assert.not.match(hidden.message, TOKEN);
});

test('a numeric workflow id and a GitHub Enterprise API path are accepted; segments are encoded', async () => {
  assert.is(checkApiURL('https://github.example.com/api/v3/'), 'https://github.example.com/api/v3');
  assert.is(checkApiURL('http://localhost:8080'), 'http://localhost:8080');
  assert.is(checkRef('release/v1.2'), 'release/v1.2');
  const text = describeDispatch({ apiURL: 'https://github.example.com/api/v3', owner: 'acme', repo: 'my.repo', workflow: '161335', ref: 'main', inputs: {} }, 'image-factory/1');
  assert.match(text, 'POST https://github.example.com/api/v3/repos/acme/my.repo/actions/workflows/161335/dispatches\n');
  assert.match(text, 'Authorization: Bearer ***\n');
});

test.run();
