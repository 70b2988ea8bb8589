import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../generator/src/cli/cli';
import { runRebuild, type RebuildFlags } from '../generator/src/cli/commands/rebuild';
import { packageVersion } from '../generator/src/core/package-root';
import { dispatchContractProblems, startGitHubServer, type GitHubServer } from './support/github-server';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

const TOKEN = 'ghs_RebuildCliToken9876543210zyxwSECRET';
const DIGEST = `sha256:${'d'.repeat(64)}`;
const FIXTURE = path.join(__dirname, 'fixtures', 'graph-12-images', 'values.yaml');

let server: GitHubServer;
let root: string;
const saved = { GITHUB_TOKEN: process.env.GITHUB_TOKEN, GH_TOKEN: process.env.GH_TOKEN, GITHUB_API_URL: process.env.GITHUB_API_URL };

test.before(() => {
  root = tempDir('rebuild');
  fs.mkdirSync(path.join(root, 'dist'));
  fs.copyFileSync(FIXTURE, path.join(root, 'dist', 'values.yaml'));
});

test.before.each(async () => {
  server = await startGitHubServer({
    token: TOKEN,
    repos: {
      'acme/images': {
        // web: dispatchInputs {baseImage: base_image, baseDigest: base_digest}
        'build-web.yml': { refs: ['main', 'v1'], inputs: ['base_image', 'base_digest'] },
        // node-base: dispatchInputs {}
        'build-node-base.yml': { refs: ['main'], inputs: [] },
        // reporter: dispatchInputs {baseDigest: digest}
        'build-reporter.yml': { refs: ['main'], inputs: ['digest'] },
        // api declares base_image and base_digest in images.yaml, but its workflow only the first.
        'build-api.yml': { refs: ['main'], inputs: ['base_image'] },
      },
    },
  });
  process.env.GITHUB_TOKEN = TOKEN;
  delete process.env.GH_TOKEN;
  delete process.env.GITHUB_API_URL;
});

test.after.each(async () => {
  await server.close();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});
test.after(removeTempDirs);

async function cli(...args: string[]) {
  const out = await captureOutput(() => main(['node', 'image-factory', 'rebuild', ...args, '--root', root, '--api-url', server.url]));
  assert.not.match(out.stdout, TOKEN);
  assert.not.match(out.stderr, TOKEN);
  return out;
}

test('rebuild dispatches the image\u2019s workflow with inputs named as images.yaml says', async () => {
  const out = await cli('web', '--base', 'nginx:1.27-alpine', '--digest', DIGEST);
  assert.is(out.result, 0, out.stderr);
  assert.is(server.requests.length, 1);
  assert.equal(
    dispatchContractProblems(server.requests[0], {
      path: '/repos/acme/images/actions/workflows/build-web.yml/dispatches',
      token: TOKEN,
      userAgent: `image-factory/${packageVersion()}`,
      json: { ref: 'main', inputs: { base_image: 'docker.io/library/nginx:1.27-alpine', base_digest: DIGEST } },
    }),
    [],
  );
  assert.match(out.stdout, 'dispatched build-web.yml on acme/images@main for web');
});

test('an image whose workflow takes no inputs gets none; a digest-only workflow gets only the digest', async () => {
  const plain = await cli('node-base');
  assert.is(plain.result, 0, plain.stderr);
  assert.equal(server.requests[0].json, { ref: 'main' });
  const reporter = await cli('reporter', '--base', 'docker.io/library/python:3.12-slim', '--digest', DIGEST);
  assert.is(reporter.result, 0, reporter.stderr);
  assert.equal(server.requests[1].json, { ref: 'main', inputs: { digest: DIGEST } });
  const ref = await cli('web', '--ref', 'v1');
  assert.is(ref.result, 0, ref.stderr);
  assert.equal(server.requests[2].json, { ref: 'v1' });
});

test('GH_TOKEN is used when GITHUB_TOKEN is not set, and GITHUB_API_URL names the API', async () => {
  delete process.env.GITHUB_TOKEN;
  process.env.GH_TOKEN = TOKEN;
  process.env.GITHUB_API_URL = server.url;
  const out = await captureOutput(() => main(['node', 'image-factory', 'rebuild', 'node-base', '--root', root]));
  assert.is(out.result, 0, out.stderr);
  assert.is(server.requests[0].headers.authorization, `Bearer ${TOKEN}`);
});

test('401, 404 and 422 exit non-zero with GitHub\u2019s message', async () => {
  process.env.GITHUB_TOKEN = 'ghp_NotTheRightOne000';
  const denied = await cli('web');
  assert.is(denied.result, 1);
  assert.match(denied.stderr, 'rebuild web: GitHub answered 401 Unauthorized: Bad credentials');
  assert.not.match(denied.stderr, 'ghp_NotTheRightOne000');
  process.env.GITHUB_TOKEN = TOKEN;

  const missing = await cli('worker');
  assert.is(missing.result, 1);
  assert.match(missing.stderr, 'GitHub answered 404 Not Found: Not Found');

  const unexpected = await cli('api', '--base', 'ghcr.io/acme/python-app-base:1', '--digest', DIGEST);
  assert.is(unexpected.result, 1);
  assert.match(unexpected.stderr, 'GitHub answered 422 Unprocessable Entity: Unexpected inputs provided: ["base_digest"]');

  const noRef = await cli('web', '--ref', 'release-2');
  assert.is(noRef.result, 1);
  assert.match(noRef.stderr, 'No ref found for: release-2');
  assert.is(server.requests.length, 4);
  assert.is(denied.stdout + missing.stdout + unexpected.stdout + noRef.stdout, '');
});

test('429 and 503 with Retry-After are retried, then the dispatch succeeds', async () => {
  server.script(
    { status: 429, headers: { 'retry-after': '0' }, body: { message: 'You have exceeded a secondary rate limit.', documentation_url: 'x', status: '429' } },
    { status: 503, headers: { 'retry-after': '0' }, body: { message: 'Service Unavailable', documentation_url: 'x', status: '503' } },
  );
  const out = await cli('node-base');
  assert.is(out.result, 0, out.stderr);
  assert.is(server.requests.length, 3);
  assert.match(out.stderr, '429 Too Many Requests');
  assert.match(out.stderr, '503 Service Unavailable');
  assert.match(out.stdout, '(after 3 attempts)');
});

test('Retry-After and an exhausted rate limit are honoured on the injected clock', async () => {
  const now = Date.parse('2026-11-24T12:00:00Z');
  server.script(
    { status: 429, headers: { 'retry-after': '45' } },
    { status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(now / 1000 + 120) }, body: { message: 'API rate limit exceeded', documentation_url: 'x', status: '403' } },
  );
  const sleeps: number[] = [];
  const out: string[] = [];
  const err: string[] = [];
  const flags: RebuildFlags = { root, maxAttempts: '5', maxWait: '300', apiUrl: server.url };
  const code = await runRebuild('node-base', flags, {
    env: { GITHUB_TOKEN: TOKEN },
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    sleep: async (ms) => void sleeps.push(ms),
    now: () => now,
  });
  assert.is(code, 0, err.join(''));
  assert.equal(sleeps, [45_000, 121_000]);
  assert.is(server.requests.length, 3);
  assert.not.match(out.join('') + err.join(''), TOKEN);
});

test('retries exhausted: exit 1 and a clear message', async () => {
  server.script({ status: 502 }, { status: 502 });
  const out = await cli('node-base', '--max-attempts', '2', '--max-wait', '0');
  // --max-wait 0 refuses the 1 s backoff: a clear failure after the first answer.
  assert.is(out.result, 1);
  assert.match(out.stderr, 'GitHub answered 502 Bad Gateway');
  server.script({ status: 503, headers: { 'retry-after': '0' } }, { status: 503, headers: { 'retry-after': '0' } });
  const again = await cli('node-base', '--max-attempts', '2');
  assert.is(again.result, 1);
  assert.match(again.stderr, 'gave up after 2 attempt(s)');
});

test('--dry-run prints the request with the token hidden and sends nothing', async () => {
  const out = await cli('web', '--dry-run', '--base', 'nginx:1.27-alpine', '--digest', DIGEST);
  assert.is(out.result, 0, out.stderr);
  assert.is(server.requests.length, 0);
  assert.match(out.stdout, `POST ${server.url}/repos/acme/images/actions/workflows/build-web.yml/dispatches\n`);
  assert.match(out.stdout, 'Authorization: Bearer ***\n');
  assert.match(out.stdout, `{"ref":"main","inputs":{"base_digest":"${DIGEST}","base_image":"docker.io/library/nginx:1.27-alpine"}}`);
  delete process.env.GITHUB_TOKEN;
  const noToken = await cli('web', '--dry-run');
  assert.is(noToken.result, 0);
  assert.match(noToken.stdout, 'Authorization: Bearer ***');
});

test('bad arguments and a missing token fail before any request, with a clear message', async () => {
  const cases: [string[], string][] = [
    [['wbe'], 'no enrolled image is named "wbe"; did you mean: web'],
    [['Web'], 'is not an image name'],
    [['web', '--digest', DIGEST], '--digest needs --base'],
    [['web', '--base', 'nginx:1.27-alpine', '--digest', 'sha256:abc'], 'is not a digest'],
    [['web', '--base', 'node:22'], 'does not build on docker.io/library/node:22; its base images are: docker.io/library/nginx:1.27-alpine, ghcr.io/acme/node-build:1'],
    [['web', '--base', 'nginx:1.27-alpine@' + DIGEST], 'give the digest with --digest'],
    [['node-base', '--base', 'node:22-bookworm-slim'], 'takes no inputs (dispatchInputs is {}'],
    [['os-base', '--base', 'debian:bookworm-slim', '--digest', DIGEST, '--ref', 'x..y'], '--ref'],
    [['web', '--ref', 'main;rm -rf /'], '--ref'],
    [['web', '--ref', '-delete'], '--ref'],
    [['web', '--max-attempts', '0'], '--max-attempts must be a whole number from 1 to 100'],
  ];
  for (const [args, message] of cases) {
    const out = await cli(...args);
    assert.is(out.result, 1, args.join(' '));
    assert.match(out.stderr, message, args.join(' '));
    assert.not.match(out.stderr, '    at ');
  }
  const insecure = await captureOutput(() => main(['node', 'image-factory', 'rebuild', 'web', '--root', root, '--api-url', 'http://github.example.com/api/v3']));
  assert.is(insecure.result, 1);
  assert.match(insecure.stderr, 'https');
  delete process.env.GITHUB_TOKEN;
  const noToken = await cli('web');
  assert.is(noToken.result, 1);
  assert.match(noToken.stderr, 'set GITHUB_TOKEN (or GH_TOKEN)');
  assert.is(server.requests.length, 0);
});

test.run();
