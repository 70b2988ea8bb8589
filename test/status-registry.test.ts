// `image-factory status` against real registries: Debian's docker-registry on 127.0.0.1 with no
// auth, with htpasswd auth and with token auth (a realm served here, JWTs signed with a key made
// here), images pushed through the registry API. A tag moved by a new push changes the answer from
// up-to-date to waiting or due; a 429 front, a registry that is down, a CONNECT proxy and wrong
// credentials are each seen as a user would see them. No timing is asserted: sleeps are recorded.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { main } from '../generator/src/cli/cli';
import { runStatus, type StatusFlags, type StatusIO } from '../generator/src/cli/commands/status';
import { formatUtcTime } from '../generator/src/core/cooldown';
import type { StatusReport } from '../generator/src/core/status';
import { freePort, makeServerCertificate, startConnectProxy, startRegistry, startThrottlingFront, type TestRegistry } from './support/registry';
import { CLI_MAIN } from './support/cli-child';
import { requiredBinary } from './support/shared';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

const SUITE = 'status-registry';
const registryBinary = requiredBinary('docker-registry', SUITE);
const htpasswdBinary = registryBinary && requiredBinary('htpasswd', SUITE);
const opensslBinary = htpasswdBinary && requiredBinary('openssl', SUITE);
const test = suite(SUITE);

const HT_USER = 'alice';
const HT_PASSWORD = 'ht-Pa55word-not-to-be-printed';
const TOKEN_USER = 'bob';
const TOKEN_PASSWORD = 'tok-Pa55word-not-to-be-printed';

let open: TestRegistry;
let htpasswd: TestRegistry;
let token: TestRegistry;
let front: Awaited<ReturnType<typeof startThrottlingFront>>;
let root: string;
let home: string;
let downHost: string;
const digests: Record<string, string> = {};

const basic = (user: string, password: string) => Buffer.from(`${user}:${password}`).toString('base64');
const dockerConfig = (entries: Record<string, [string, string]>) =>
  JSON.stringify({ auths: Object.fromEntries(Object.entries(entries).map(([host, [u, p]]) => [host, { auth: basic(u, p) }])) });

/** The environment of a run: no proxy, no credentials unless given; HOME with no .docker. */
function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: home, ...extra };
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  sleeps: number[];
  report: StatusReport;
}

async function status(extraEnv: NodeJS.ProcessEnv = {}, flags: Partial<StatusFlags> = {}, io: Partial<StatusIO> = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const sleeps: number[] = [];
  const code = await runStatus(
    { root, json: true, concurrency: '4', timeout: '20', maxAttempts: '3', maxWait: '60', allowInsecureUrls: true, ...flags },
    { env: env(extraEnv), stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t), stderrIsTTY: false, sleep: async (ms) => void sleeps.push(ms), ...io },
  );
  for (const secret of [HT_PASSWORD, TOKEN_PASSWORD, basic(HT_USER, HT_PASSWORD), basic(TOKEN_USER, TOKEN_PASSWORD), 'wrong-Pa55word-secret', basic(HT_USER, 'wrong-Pa55word-secret')]) {
    assert.not.ok(stdout.includes(secret) || stderr.includes(secret), 'a credential reached the output');
  }
  return { code, stdout, stderr, sleeps, report: flags.json === false ? ({} as StatusReport) : (JSON.parse(stdout) as StatusReport) };
}

const image = (run: Run, name: string) => {
  const found = run.report.images.find((i) => i.name === name);
  if (!found) throw new Error(`no image ${name} in ${run.stdout}`);
  return found;
};

/** Records what Kargo would: the image built on `digest` for its only base (lastRebuild), as yaml-update writes it. */
function recordBuild(name: string, digest: string): void {
  const file = path.join(root, 'images', `${name}.yaml`);
  const state = parseYaml(fs.readFileSync(file, 'utf8')) as { lastRebuild: { bases: Record<string, { digest: string; at: string }> } };
  for (const entry of Object.values(state.lastRebuild.bases)) {
    entry.digest = digest;
    entry.at = '2026-11-01T00:00:00Z';
  }
  fs.writeFileSync(file, stringifyYaml(state));
}

/** Writes digests/<key>.yaml as the base Stage does: the digests seen, newest first. */
function recordSeen(ref: string, seen: { digest: string; seenAt: string }[]): void {
  const values = parseYaml(fs.readFileSync(path.join(root, 'dist', 'values.yaml'), 'utf8')) as { bases: { ref: string; slug: string }[] };
  const base = values.bases.find((b) => b.ref === ref);
  if (!base) throw new Error(`no base ${ref}`);
  fs.mkdirSync(path.join(root, 'digests'), { recursive: true });
  fs.writeFileSync(path.join(root, 'digests', `${base.slug.replace(/\./g, '_')}.yaml`), `# Digests of ${ref}, newest first.\n${JSON.stringify({ ref, seen }, null, 2)}\n`);
}

test.before(async () => {
  if (!opensslBinary || !htpasswdBinary || !registryBinary) return;
  const dir = tempDir('status-registry');
  home = path.join(dir, 'home');
  fs.mkdirSync(home);
  for (const name of ['open', 'ht', 'tok']) fs.mkdirSync(path.join(dir, name));
  [open, htpasswd, token] = await Promise.all([
    startRegistry(registryBinary, path.join(dir, 'open'), { kind: 'none' }),
    startRegistry(registryBinary, path.join(dir, 'ht'), { kind: 'htpasswd', username: HT_USER, password: HT_PASSWORD, htpasswdBinary }),
    startRegistry(registryBinary, path.join(dir, 'tok'), { kind: 'token', username: TOKEN_USER, password: TOKEN_PASSWORD, opensslBinary }),
  ]);
  front = await startThrottlingFront(open.origin);
  downHost = `127.0.0.1:${await freePort()}`;
  digests.node = await open.push('base/node', '22');
  digests.multi = await open.pushIndex('base/multi', '1');
  digests.python = await htpasswd.push('private/python', '3.12');
  digests.alpine = await token.push('tok/alpine', '3');

  root = path.join(dir, 'state');
  const images: [string, string, string, boolean][] = [
    ['web', `${open.host}/base/node:22`, '"0"', true],
    ['slow', `${open.host}/base/node:22`, '7d', true],
    ['manual', `${open.host}/base/node:22`, '"0"', false],
    ['multi', `${open.host}/base/multi:1`, '"0"', true],
    ['py', `${htpasswd.host}/private/python:3.12`, '"0"', true],
    ['tok', `${token.host}/tok/alpine:3`, '"0"', true],
    ['throttled', `${front.host}/base/node:22`, '"0"', true],
    ['down', `${downHost}/gone/image:1`, '"0"', true],
    ['pinned', `${open.host}/base/node@${digests.node}`, '"0"', true],
  ];
  const entries = images.map(([name, , delay, auto]) =>
    `  - name: ${name}\n    registry: ghcr.io\n    repository: acme/${name}\n    source:\n      dockerfile: dockerfiles/${name}/Dockerfile\n      workflow: build-${name}.yml\n    rebuildDelay: ${delay}\n    autoRebuild: ${auto}\n`,
  );
  fs.mkdirSync(root);
  fs.writeFileSync(path.join(root, 'images.yaml'), `stateRepo:\n  url: https://github.com/acme/images-state.git\n  branch: main\nimages:\n${entries.join('')}`);
  for (const [name, from] of images) {
    fs.mkdirSync(path.join(root, 'dockerfiles', name), { recursive: true });
    fs.writeFileSync(path.join(root, 'dockerfiles', name, 'Dockerfile'), `FROM ${from}\nRUN true\n`);
  }
  const generated = await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', root, '--quiet']));
  if (generated.result !== 0) throw new Error(`generate failed: ${generated.stderr}`);
});

test.after(async () => {
  await Promise.all([open?.close(), htpasswd?.close(), token?.close(), front?.close()]);
  removeTempDirs();
});

const available = () => opensslBinary !== undefined && htpasswdBinary !== undefined && registryBinary !== undefined;

test('no build recorded: waiting; the current digest is read with HEAD from each kind of registry (OCI index too)', async () => {
  if (!available()) return;
  const dockerConfigDir = path.join(home, 'docker-a');
  fs.mkdirSync(dockerConfigDir);
  fs.writeFileSync(path.join(dockerConfigDir, 'config.json'), dockerConfig({ [htpasswd.host]: [HT_USER, HT_PASSWORD] }));
  const run = await status({ DOCKER_CONFIG: dockerConfigDir, DOCKER_AUTH_CONFIG: undefined });
  const baseOf = (name: string) => image(run, name).bases[0];
  assert.is(baseOf('web').currentDigest, digests.node);
  assert.is(baseOf('web').state, 'waiting');
  assert.is(baseOf('web').builtOn, null);
  assert.is(baseOf('multi').currentDigest, digests.multi, 'the index digest, not a platform manifest');
  assert.is(baseOf('py').currentDigest, digests.python, 'htpasswd credentials from $DOCKER_CONFIG/config.json');
  assert.is(image(run, 'tok').state, 'unknown', 'the token service wants credentials none were given for');
  assert.is(image(run, 'pinned').state, 'pinned');
  assert.is(image(run, 'pinned').bases[0].currentDigest, digests.node);
  assert.equal(Object.keys(run.report).sort(), ['errors', 'images']);
  assert.equal(Object.keys(baseOf('web')).filter((k) => ['ref', 'currentDigest', 'builtOn', 'changedAt', 'dueAt'].includes(k)).sort(), ['builtOn', 'changedAt', 'currentDigest', 'dueAt', 'ref']);
});

test('a tag moved by a push: up-to-date becomes due (delay 0), waiting (7d, dueAt = changedAt + 7d), waiting (autoRebuild false); exit 1', async () => {
  if (!available()) return;
  for (const name of ['web', 'slow', 'manual']) recordBuild(name, digests.node);
  recordSeen(`${open.host}/base/node:22`, [{ digest: digests.node, seenAt: '2026-10-01T00:00:00Z' }]);
  const before = await status();
  for (const name of ['web', 'slow', 'manual']) assert.is(image(before, name).state, 'up-to-date', name);
  assert.is(image(before, 'web').bases[0].changedAt, '2026-10-01T00:00:00Z');
  assert.not.ok(before.report.images.some((i) => i.state === 'due'));
  assert.is(before.code, 0);

  const old = digests.node;
  const moved = await open.push('base/node', '22');
  assert.is.not(moved, old);
  // Kargo has not seen the new digest yet: no changedAt; a delay of 0 is due at once, 7d waits for Kargo's clock.
  const unseen = await status();
  assert.is(image(unseen, 'web').state, 'due');
  assert.is(image(unseen, 'slow').state, 'waiting');
  assert.equal([image(unseen, 'slow').bases[0].changedAt, image(unseen, 'slow').bases[0].dueAt], [null, null]);
  assert.is(unseen.code, 1);

  const seenAt = formatUtcTime(Math.floor(Date.now() / 1000) * 1000 - 3600_000);
  recordSeen(`${open.host}/base/node:22`, [
    { digest: moved, seenAt },
    { digest: old, seenAt: '2026-10-01T00:00:00Z' },
  ]);
  const after = await status();
  const web = image(after, 'web');
  assert.equal([web.state, web.bases[0].currentDigest, web.bases[0].builtOn, web.bases[0].changedAt, web.bases[0].dueAt], ['due', moved, old, seenAt, seenAt]);
  const slow = image(after, 'slow');
  assert.equal([slow.state, slow.bases[0].changedAt, slow.bases[0].dueAt], ['waiting', seenAt, formatUtcTime(Date.parse(seenAt) + 7 * 86400_000)]);
  assert.is(image(after, 'manual').state, 'waiting');
  assert.match(image(after, 'manual').bases[0].reason, /autoRebuild is false/);
  assert.is(after.code, 1);
  const proxyVars = ['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy'];
  const saved = proxyVars.map((k) => process.env[k]);
  for (const k of proxyVars) delete process.env[k];
  try {
    const viaMain = await captureOutput(() => main(['node', 'image-factory', 'status', '--root', root, '--allow-insecure-urls', '--max-attempts', '1', '--json']));
    assert.is(viaMain.result, 1, 'the CLI exits 1 when an image is due');
  } finally {
    proxyVars.forEach((k, i) => (saved[i] === undefined ? delete process.env[k] : (process.env[k] = saved[i])));
  }
  digests.node = moved;
  recordBuild('web', moved);
  recordBuild('manual', moved);
  recordBuild('slow', moved);
  assert.is((await status()).code, 0, 'built on the new digest: nothing due');
});

test('token auth: the realm gets the credentials from DOCKER_AUTH_CONFIG and a pull scope; wrong ones name the token service and what it said', async () => {
  if (!available()) return;
  token.tokenRequests.length = 0;
  const run = await status({ DOCKER_AUTH_CONFIG: dockerConfig({ [token.host]: [TOKEN_USER, TOKEN_PASSWORD] }) });
  assert.is(image(run, 'tok').bases[0].currentDigest, digests.alpine);
  assert.equal(token.tokenRequests, [{ scope: 'repository:tok/alpine:pull', service: 'image-factory-test-registry', credentials: 'right' }], 'one token for the repository');

  const wrong = await status({ DOCKER_AUTH_CONFIG: dockerConfig({ [token.host]: [TOKEN_USER, 'wrong-Pa55word-secret'] }) });
  assert.is(image(wrong, 'tok').state, 'unknown');
  const error = wrong.report.errors.find((e) => e.images.includes('tok'));
  assert.ok(error, wrong.stdout);
  assert.match(error!.message, /token service 127\.0\.0\.1:\d+ of 127\.0\.0\.1:\d+ answered 401 Unauthorized: incorrect username or password; the credentials for it were refused/);
  assert.match(wrong.stderr, new RegExp(`status: tok: ${token.host}/tok/alpine:3: the token service`));
});

test('htpasswd auth: no credentials, or wrong ones, give unknown with the registry\u2019s own message and a hint', async () => {
  if (!available()) return;
  const none = await status();
  const noneError = none.report.errors.find((e) => e.images.includes('py'));
  assert.match(noneError?.message ?? '', /asks for a user name and password \(Basic\); log in with `docker login 127\.0\.0\.1:\d+`/);
  const wrong = await status({ DOCKER_AUTH_CONFIG: dockerConfig({ [htpasswd.host]: [HT_USER, 'wrong-Pa55word-secret'] }) });
  const wrongError = wrong.report.errors.find((e) => e.images.includes('py'));
  assert.match(wrongError?.message ?? '', /answered 401 Unauthorized: UNAUTHORIZED: authentication required; the credentials were refused/);
  assert.equal(wrongError?.registry, htpasswd.host);
});

test('a registry that is down: its images are unknown, named with the error, and the rest is answered', async () => {
  if (!available()) return;
  const run = await status({}, { maxAttempts: '2' });
  assert.is(image(run, 'down').state, 'unknown');
  assert.is(image(run, 'web').state, 'up-to-date');
  const error = run.report.errors.find((e) => e.images.includes('down'));
  assert.match(error?.message ?? '', new RegExp(`no answer from ${downHost.replace(/\./g, '\\.')} \\(ECONNREFUSED\\); gave up after 2 attempt\\(s\\)`));
  assert.equal(run.sleeps, [1000], 'one backoff between the two attempts');
  assert.is(run.code, 0, 'nothing due: exit 0 even with a registry down');
});

test('429 with Retry-After from a front: waited as asked, then answered; a wait over --max-wait gives up with the registry\u2019s message', async () => {
  if (!available()) return;
  front.throttle(2, '3');
  const run = await status();
  assert.is(image(run, 'throttled').bases[0].currentDigest, digests.node);
  // 3 s twice as the front asked; 1 s and 2 s are the backoff between tries of the registry that is down.
  assert.equal([...run.sleeps].sort((a, b) => a - b), [1000, 2000, 3000, 3000]);
  assert.equal(front.requests.filter((r) => r.answered === 429).length >= 2, true);
  assert.match(run.stderr, /answered 429 Too Many Requests; retrying in 3s \(attempt 2 of 3\)/);
  const manifestAnswers = front.requests.filter((r) => r.path.includes('/manifests/') && r.answered === 200);
  assert.ok(manifestAnswers.length > 0 && manifestAnswers.every((r) => r.method === 'HEAD'), 'manifests are asked with HEAD, which Docker Hub does not count');

  front.throttle(1, '3600');
  const tooLong = await status();
  assert.is(image(tooLong, 'throttled').state, 'unknown');
  assert.match(tooLong.report.errors.find((e) => e.images.includes('throttled'))?.message ?? '', /answered 429 Too Many Requests; it asks to wait 60m, longer than the 60s allowed \(--max-wait\)/);
  front.throttle(0, '1');
});

test('proxies: HTTP_PROXY tunnels every request (CONNECT) with the proxy\u2019s credentials; NO_PROXY bypasses it', async () => {
  if (!available()) return;
  const proxy = await startConnectProxy();
  try {
    const proxyUrl = new URL(proxy.url);
    proxyUrl.username = 'proxyuser';
    proxyUrl.password = 'proxy-Pa55-secret';
    const run = await status({ HTTP_PROXY: proxyUrl.toString(), DOCKER_AUTH_CONFIG: dockerConfig({ [htpasswd.host]: [HT_USER, HT_PASSWORD] }) });
    assert.is(image(run, 'py').bases[0].currentDigest, digests.python);
    const targets = new Set(proxy.tunnels.map((t) => t.target));
    for (const host of [open.host, htpasswd.host, downHost]) assert.ok(targets.has(host), `tunnelled to ${host}`);
    assert.ok(proxy.tunnels.every((t) => t.proxyAuthorization === `Basic ${basic('proxyuser', 'proxy-Pa55-secret')}`));
    assert.not.ok(run.stdout.includes('proxy-Pa55-secret') || run.stderr.includes('proxy-Pa55-secret'));

    proxy.tunnels.length = 0;
    const bypass = await status({ HTTP_PROXY: proxy.url, NO_PROXY: `localhost,${open.host}` });
    assert.is(image(bypass, 'web').bases[0].currentDigest, digests.node);
    const bypassed = new Set(proxy.tunnels.map((t) => t.target));
    assert.not.ok(bypassed.has(open.host), 'NO_PROXY host:port reached directly');
    assert.ok(bypassed.has(htpasswd.host), 'other hosts still through the proxy');

  } finally {
    await proxy.close();
  }
});

test('a progress line on a terminal once lookups take more than 2 s, cleared at the end; none elsewhere', async () => {
  if (!available()) return;
  let clock = Date.now();
  const slow = await status({}, { concurrency: '1', maxAttempts: '1' }, { stderrIsTTY: true, now: () => (clock += 1000) });
  // Drawn over itself, then cleared before the error lines.
  assert.match(slow.stderr, /\r\x1b\[Kimage-factory: status: looked up 6 of 6 base image\(s\)\r\x1b\[Kimage-factory: status: (py|tok|down): /);
  assert.not.match(slow.stdout, /\r/);
  const quiet = await status({}, { maxAttempts: '1' }, { stderrIsTTY: false, now: () => (clock += 1000) });
  assert.not.match(quiet.stderr, /\r|looked up/);
});

/** The CLI in a child process (NODE_EXTRA_CA_CERTS is read only at start); async, as the proxy runs in this process. */
function cliChild(args: string[], childEnv: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['-r', 'tsx/cjs', CLI_MAIN, ...args], { cwd: path.resolve(__dirname, '..'), env: childEnv, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
    });
  });
}

test('https: a TLS registry read directly and through a CONNECT tunnel (TLS inside it), its certificate checked both ways', async () => {
  if (!available()) return;
  const dir = tempDir('status-tls');
  const certificate = makeServerCertificate(dir, opensslBinary!);
  const secure = await startRegistry(registryBinary!, dir, { kind: 'none' }, { tls: certificate, storage: open.storage });
  const proxy = await startConnectProxy();
  try {
    const state = path.join(dir, 'state');
    fs.mkdirSync(path.join(state, 'df'), { recursive: true });
    fs.writeFileSync(path.join(state, 'df', 'Dockerfile'), `FROM ${secure.host}/base/node:22\n`);
    fs.writeFileSync(path.join(state, 'images.yaml'), 'images:\n  - name: secure\n    registry: ghcr.io\n    repository: acme/secure\n    source:\n      dockerfile: df/Dockerfile\n      workflow: build.yml\n');
    assert.is((await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', state, '--quiet']))).result, 0);
    const base = { PATH: process.env.PATH, HOME: home };
    const args = ['status', '--root', state, '--json', '--max-attempts', '1'];
    const digestOf = (out: string) => (JSON.parse(out) as StatusReport).images[0].bases[0].currentDigest;

    const direct = await cliChild(args, { ...base, NODE_EXTRA_CA_CERTS: certificate.certFile });
    assert.is(digestOf(direct.stdout), digests.node, direct.stderr);
    const tunnelled = await cliChild(args, { ...base, NODE_EXTRA_CA_CERTS: certificate.certFile, HTTPS_PROXY: proxy.url });
    assert.is(digestOf(tunnelled.stdout), digests.node, tunnelled.stderr);
    assert.equal(proxy.tunnels.map((t) => t.target), [secure.host], 'one tunnel, to the registry');
    const untrusted = await cliChild(args, { ...base, HTTPS_PROXY: proxy.url });
    assert.is(digestOf(untrusted.stdout), null);
    assert.match(untrusted.stderr, /status: secure: .*no answer from 127\.0\.0\.1:\d+ \((DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN): the registry's TLS certificate is not trusted; if your own CA signs it, set NODE_EXTRA_CA_CERTS/);
  } finally {
    await proxy.close();
    await secure.close();
  }
});

test('the CLI: a table for people, JSON with --json, and plain http only with --allow-insecure-urls', async () => {
  if (!available()) return;
  const saved = { HOME: process.env.HOME, DOCKER_CONFIG: process.env.DOCKER_CONFIG, DOCKER_AUTH_CONFIG: process.env.DOCKER_AUTH_CONFIG };
  process.env.HOME = home;
  delete process.env.DOCKER_CONFIG;
  delete process.env.DOCKER_AUTH_CONFIG;
  try {
    const table = await captureOutput(() => main(['node', 'image-factory', 'status', '--root', root, '--allow-insecure-urls', '--max-attempts', '1']));
    assert.is(table.result, 0, table.stderr);
    assert.match(table.stdout, /^IMAGE\s+STATE\s+BASE\s+BASE STATE\s+CURRENT\s+BUILT ON\s+CHANGED\s+DUE\n/);
    assert.match(table.stdout, new RegExp(`\\nweb\\s+up-to-date\\s+${open.host.replace(/\./g, '\\.')}/base/node:22\\s+up-to-date\\s+${digests.node.slice(0, 19)}`));
    assert.match(table.stdout, /\n9 image\(s\): \d+ unknown/);
    const secure = await captureOutput(() => main(['node', 'image-factory', 'status', '--root', root, '--json', '--max-attempts', '1']));
    const report = JSON.parse(secure.stdout) as StatusReport;
    assert.ok(report.images.filter((i) => i.state !== 'pinned').every((i) => i.state === 'unknown'), 'https to an http registry answers nothing');
    assert.is(report.errors.length, 6);
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
});

test.run();
