// `image-factory rebuild` for the other providers, against loopback servers that keep each API's
// contract: a GitLab pipeline through the project's trigger token (GITLAB_TOKEN), a signed webhook
// (IMAGE_FACTORY_WEBHOOK_SECRET) verified by the receiver, a watch-only image refused. Secrets never
// reach the output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml, stringify } from 'yaml';
import { main } from '../generator/src/cli/cli';
import { runRebuild } from '../generator/src/cli/commands/rebuild';
import { startGitLabServer, type GitLabServer } from './support/gitlab-server';
import { startWebhookServer, type WebhookServer } from './support/webhook-server';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

const GL_TOKEN = 'glptt-CliTriggerToken0123456789abcdef';
const WH_SECRET = 'cli-webhook-secret-0123456789abcdef';
const DIGEST = `sha256:${'e'.repeat(64)}`;
const EXAMPLE_VALUES = path.join(__dirname, '..', 'examples', 'providers', 'dist', 'values.yaml');
const PYTHON = 'docker.io/library/python:3.12-slim-bookworm';
const NODE = 'docker.io/library/node:22-bookworm-slim';

let gitlab: GitLabServer;
let hook: WebhookServer;
let root: string;
const ENV_KEYS = ['GITLAB_TOKEN', 'IMAGE_FACTORY_WEBHOOK_SECRET'] as const;
const saved = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));

test.before(() => {
  root = tempDir('rebuild-providers');
  fs.mkdirSync(path.join(root, 'dist'));
  // The exemplar's values, with the worker analyzed (as the service would have): it builds on node.
  const values = parseYaml(fs.readFileSync(EXAMPLE_VALUES, 'utf8'));
  const worker = values.images.find((i: { name: string }) => i.name === 'worker');
  worker.upstreams = ['node-22-bookworm-slim'];
  values.bases.push({ slug: 'node-22-bookworm-slim', ref: NODE, registry: 'docker.io', repository: 'library/node', repoURL: 'docker.io/library/node', tag: '22-bookworm-slim' });
  fs.writeFileSync(path.join(root, 'dist', 'values.yaml'), stringify(values));
});

test.before.each(async () => {
  gitlab = await startGitLabServer({ 'platform/images-state': { tokens: [GL_TOKEN], refs: ['main'] } });
  hook = await startWebhookServer(WH_SECRET);
  process.env.GITLAB_TOKEN = GL_TOKEN;
  process.env.IMAGE_FACTORY_WEBHOOK_SECRET = WH_SECRET;
});

test.after.each(async () => {
  await gitlab.close();
  await hook.close();
  for (const k of ENV_KEYS) {
    if (saved[k] === undefined) delete process.env[k];
    else process.env[k] = saved[k];
  }
});
test.after(removeTempDirs);

async function cli(...args: string[]) {
  const out = await captureOutput(() => main(['node', 'image-factory', 'rebuild', ...args, '--root', root]));
  for (const secret of [GL_TOKEN, WH_SECRET]) {
    assert.not.match(out.stdout, secret);
    assert.not.match(out.stderr, secret);
  }
  return out;
}

test('GitLab: one pipeline for the branch, with the trigger token and the cause as CI/CD variables', async () => {
  const out = await cli('web', '--base', PYTHON, '--digest', DIGEST, '--api-url', gitlab.apiURL);
  assert.is(out.result, 0, out.stderr);
  assert.is(gitlab.requests.length, 1);
  assert.is(gitlab.requests[0].path, '/api/v4/projects/platform%2Fimages-state/trigger/pipeline');
  assert.equal(gitlab.requests[0].json, { token: GL_TOKEN, ref: 'main', variables: { BASE_DIGEST: DIGEST, BASE_IMAGE: PYTHON } });
  assert.equal(gitlab.pipelines.map((p) => [p.project, p.ref]), [['platform/images-state', 'main']]);
  assert.match(out.stdout, 'started a pipeline of platform/images-state@main for web with variables BASE_DIGEST=');
});

test('GitLab: --dry-run prints the request with the token hidden and sends nothing', async () => {
  const out = await cli('web', '--dry-run', '--base', PYTHON);
  assert.is(out.result, 0, out.stderr);
  assert.is(gitlab.requests.length, 0);
  assert.match(out.stdout, 'POST https://gitlab.example.com/api/v4/projects/platform%2Fimages-state/trigger/pipeline');
  assert.match(out.stdout, '{"token":"***","ref":"main","variables":{"BASE_IMAGE":"docker.io/library/python:3.12-slim-bookworm"}}');
});

test("GitLab: a token GitLab does not know fails at once with GitLab's message and what to check; no retry", async () => {
  process.env.GITLAB_TOKEN = 'glptt-wrong-0000000000000000000000';
  const out = await cli('web', '--api-url', gitlab.apiURL);
  assert.is(out.result, 1);
  assert.is(gitlab.requests.length, 1);
  assert.match(out.stderr, 'GitLab answered 401: 401 Unauthorized');
  assert.match(out.stderr, 'check GITLAB_TOKEN');
  assert.not.match(out.stderr, 'glptt-wrong');
});

test('GitLab: 429 is retried after the Retry-After GitLab asks for, then the pipeline starts', async () => {
  gitlab.script({ status: 429, headers: { 'retry-after': '7' }, body: { message: '429 Too Many Requests' } });
  const waits: number[] = [];
  const lines: string[] = [];
  const code = await runRebuild('web', { root, apiUrl: gitlab.apiURL, maxAttempts: '3', maxWait: '60' }, {
    env: { GITLAB_TOKEN: GL_TOKEN },
    stdout: () => undefined,
    stderr: (t) => void lines.push(t),
    sleep: async (ms) => void waits.push(ms),
  });
  assert.is(code, 0, lines.join(''));
  assert.equal(waits, [7000]);
  assert.is(gitlab.requests.length, 2);
  assert.match(lines.join(''), 'GitLab answered 429: 429 Too Many Requests; retrying in 7s (attempt 2 of 3)');
});

test('GitLab: without GITLAB_TOKEN the command says which token to set', async () => {
  delete process.env.GITLAB_TOKEN;
  const out = await cli('web', '--api-url', gitlab.apiURL);
  assert.is(out.result, 1);
  assert.match(out.stderr, 'set GITLAB_TOKEN to the pipeline trigger token of platform/images-state');
  assert.is(gitlab.requests.length, 0);
});

test('webhook: the receiver verifies the signature over the exact body {image, baseImage, baseDigest, ref}', async () => {
  const out = await cli('worker', '--base', 'node:22-bookworm-slim', '--digest', DIGEST, '--webhook-url', hook.url);
  assert.is(out.result, 0, out.stderr);
  assert.equal(hook.accepted, [{ image: 'worker', baseImage: NODE, baseDigest: DIGEST, ref: 'main' }]);
  assert.match(out.stdout, `sent the webhook of worker (127.0.0.1`);
});

test('webhook: a receiver that holds another secret refuses (401): the command fails with the hint; a 5xx is retried', async () => {
  process.env.IMAGE_FACTORY_WEBHOOK_SECRET = 'not-the-receivers-secret-0123456789';
  const refused = await cli('worker', '--base', NODE, '--digest', DIGEST, '--webhook-url', hook.url);
  assert.is(refused.result, 1);
  assert.match(refused.stderr, 'the webhook answered 401: signature mismatch');
  assert.match(refused.stderr, 'IMAGE_FACTORY_WEBHOOK_SECRET');
  assert.not.match(refused.stderr, 'not-the-receivers-secret');

  process.env.IMAGE_FACTORY_WEBHOOK_SECRET = WH_SECRET;
  hook.script({ status: 503, body: { message: 'busy' } });
  const code = await runRebuild('worker', { root, base: NODE, digest: DIGEST, webhookUrl: hook.url, maxAttempts: '2', maxWait: '60' }, {
    env: { IMAGE_FACTORY_WEBHOOK_SECRET: WH_SECRET },
    stdout: () => undefined,
    stderr: () => undefined,
    sleep: async () => undefined,
  });
  assert.is(code, 0);
  assert.is(hook.accepted.length, 1);
});

test('webhook: the cause is required, and the secret; a watch-only image is refused', async () => {
  const noCause = await cli('worker', '--webhook-url', hook.url);
  assert.is(noCause.result, 1);
  assert.match(noCause.stderr, 'give --base and --digest');
  delete process.env.IMAGE_FACTORY_WEBHOOK_SECRET;
  const noSecret = await cli('worker', '--base', NODE, '--digest', DIGEST, '--webhook-url', hook.url);
  assert.is(noSecret.result, 1);
  assert.match(noSecret.stderr, 'set IMAGE_FACTORY_WEBHOOK_SECRET');
  const watched = await cli('legacy');
  assert.is(watched.result, 1);
  assert.match(watched.stderr, 'image "legacy" is watched only (trigger: none in images.yaml)');
  assert.is(hook.requests.length, 0);
});

test.run();
