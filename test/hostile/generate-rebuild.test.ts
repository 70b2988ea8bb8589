// A hostile GitHub API for `rebuild`: an answer whose body never ends, and answers that echo the
// token (in the body, \u-escaped, percent-encoded, in a Location header, in the reason phrase),
// carry terminal escapes, or run to 60 KB. Real sockets on loopback; the CLI runs as a child under
// a heap limit, a memory watchdog and a wall-clock limit where the attack is about memory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';
import { describeEnd, runCli } from '../support/cli-child';
import { repoWith } from '../support/hostile-repo';
import { removeTempDirs } from '../support/tree';
import { runRebuild } from '../../generator/src/cli/commands/rebuild';
import { MAX_MESSAGE_CHARS } from '../../generator/src/core/errors';

const TOKEN = 'ghs_HostileEchoToken0123456789abcdefSECRET';
const VALUES = fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'graph-12-images', 'values.yaml'), 'utf8');

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

/** Runs `fn` with a loopback server answering every request with `handler`; closes it after. */
async function withServer(handler: Handler, fn: (url: string) => Promise<void>): Promise<void> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => handler(req, res));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    await fn(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

/** Runs `rebuild` against a server answering with `handler`; expects exit 1, and no token or escape in what it printed. */
async function refusedAnswer(handler: Handler): Promise<string> {
  let printed = '';
  await withServer(handler, async (url) => {
    const { code, out } = await rebuild(url);
    assert.is(code, 1);
    assertNoToken(out);
    printed = out;
  });
  return printed;
}

/** `rebuild node-base` in this process against `url`, one attempt; exit code and what it printed. */
async function rebuild(url: string): Promise<{ code: number; out: string }> {
  const root = repoWith({ 'dist/values.yaml': VALUES });
  let out = '';
  const code = await runRebuild(
    'node-base',
    { root, apiUrl: url, maxAttempts: '1', maxWait: '0' },
    { env: { GITHUB_TOKEN: TOKEN }, stdout: (t) => (out += t), stderr: (t) => (out += t) },
  );
  return { code, out };
}

/** Every form of the token a careless terminal or log could show. */
function assertNoToken(text: string): void {
  for (const form of [TOKEN, TOKEN.slice(0, 20), TOKEN.slice(-20), encodeURIComponent(TOKEN).replace('_', '%5F')]) assert.not.match(text, form);
  assert.not.match(text, '\u001b', 'no escape character reaches the terminal');
}

test('an endless 500 body is read up to the cap, then the download stops', async () => {
  let sent = 0;
  let closedEarly = false;
  const endless: Handler = (_req, res) => {
    res.writeHead(500, { 'content-type': 'text/plain' });
    const chunk = Buffer.alloc(64 * 1024, 'x');
    // At most 256 MiB, so that without the cap the test ends (and fails) rather than runs forever.
    const pump = () => {
      while (sent < 256 * 1024 * 1024) {
        sent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => (closedEarly = sent < 256 * 1024 * 1024));
    pump();
  };
  await withServer(endless, async (url) => {
    const root = repoWith({ 'dist/values.yaml': VALUES });
    const run = await runCli(['rebuild', 'node-base', '--root', root, '--api-url', url, '--max-attempts', '1'], { env: { GITHUB_TOKEN: TOKEN } });
    assert.is(run.code, 1, describeEnd(run));
    assert.match(run.stderr, /rebuild node-base: GitHub answered 500 Internal Server Error: x+ … x+ \(acme\/images workflow build-node-base\.yml on main\); gave up after 1 attempt/);
  });
  assert.ok(closedEarly, 'the client closed the connection');
  assert.ok(sent < 32 * 1024 * 1024, `the server sent ${sent} bytes before the client stopped reading`);
});

test('a token echoed \\u-escaped in JSON, or percent-encoded, or in part, never prints', async () => {
  const escaped = [...TOKEN].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
  for (const body of [`{"message":"bad token ${escaped}"}`, `bad token ${encodeURIComponent(TOKEN).replace('_', '%5F')}`, `{"message":"bad token ${TOKEN.slice(0, 30)}`]) {
    const out = await refusedAnswer((_req, res) => {
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(body);
    });
    assert.match(out, 'GitHub answered 401 Unauthorized: ');
    assert.match(out, 'bad token ***');
  }
});

test('a token echoed in a Location header or in the reason phrase never prints', async () => {
  const moved = await refusedAnswer((_req, res) => {
    res.writeHead(302, { location: `https://elsewhere.example/login?token=${TOKEN}` });
    res.end();
  });
  assert.match(moved, 'the API moved to https://elsewhere.example/login?token=***;');
  const reason = await refusedAnswer((_req, res) => {
    res.writeHead(599, `Denied for ${TOKEN}`);
    res.end();
  });
  assert.match(reason, 'GitHub answered 599 Denied for ***');
});

test('terminal escapes are shown as text, and a 60 KB message is shortened', async () => {
  const out = await refusedAnswer((_req, res) => {
    res.writeHead(422, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ message: `\u001b[2J\u001b]0;owned\u0007cleared ${'y'.repeat(60 * 1024)} end` }));
  });
  assert.match(out, '\\u001b[2J\\u001b]0;owned\\u0007cleared yyy');
  for (const line of out.trimEnd().split('\n')) assert.ok(line.length <= MAX_MESSAGE_CHARS, `a line of ${line.length} characters`);
});

test.after(removeTempDirs);
test.run();
