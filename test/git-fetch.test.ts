// fetchFileAtCommit against real repositories: file:// and git http-backend over loopback with
// basic auth; bad input never reaches git; hangs time out; temp dirs never stay behind.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { fetchFileAtCommit, gitStats, validateRepoURL, validateRef, validateRepoPath, validateCommit, type FetchFileOptions } from '../generator/src/core/git';
import { makeLargeRepo, makeRepo, git, type TestRepo } from './support/git-repos';
import { startBlackHole, startGitHttpServer, type GitHttpServer } from './support/git-http-server';
import { removeTempDirs, tempDir } from './support/tree';
import { fetchFailure } from './support/fetch-failure';

const execFileAsync = promisify(execFile);
const AUTH = { username: 'robot', password: 's3cret-pa55word-xyz' };
let root: string;
let tmpRoot: string;
let repo: TestRepo;
let first: string;
let second: string;
let server: GitHttpServer;

test.before(async () => {
  root = tempDir('git-fetch');
  tmpRoot = tempDir('git-fetch-tmp');
  repo = makeRepo(root, 'app');
  first = repo.commit({ 'docker/Dockerfile': 'FROM node:20\n', 'README.md': 'hello\n' }, 'one', '2026-11-20T08:30:00Z');
  second = repo.commit({ 'docker/Dockerfile': 'FROM node:22\n' }, 'two', '2026-11-24T10:00:00+02:00');
  fs.symlinkSync('docker/Dockerfile', path.join(repo.dir, 'link'));
  repo.commit({}, 'link');
  server = await startGitHttpServer(root, AUTH);
});

test.after(async () => {
  await server.close();
  removeTempDirs();
});

const base = (o: Partial<FetchFileOptions>): FetchFileOptions => ({
  repoURL: repo.url,
  path: 'docker/Dockerfile',
  timeoutMs: 20_000,
  allowInsecureURLs: true,
  tmpDir: tmpRoot,
  ...o,
});

const failure = fetchFailure;

const tmpEmpty = () => assert.equal(fs.readdirSync(tmpRoot), [], 'the temp root is empty');

test('file://: the file at an older commit, with its committer date in UTC', async () => {
  const got = await fetchFileAtCommit(base({ commit: first }));
  assert.is(got.commit, first);
  assert.is(got.content.toString(), 'FROM node:20\n');
  assert.is(got.committedAt, '2026-11-20T08:30:00Z');
  assert.ok(got.bytesFetched > 0);
  tmpEmpty();
});

test('file://: a ref resolves to its tip; the date is converted to UTC', async () => {
  const got = await fetchFileAtCommit(base({ ref: 'main', commit: undefined }));
  assert.is(got.commit, repo.head());
  assert.is(got.content.toString(), 'FROM node:22\n');
  assert.is(got.committedAt, '2026-11-24T10:00:00Z');
  const tagged = git(repo.dir, ['tag', 'v1', second]);
  void tagged;
  const byTag = await fetchFileAtCommit(base({ ref: 'v1' }));
  assert.is(byTag.commit, second);
  tmpEmpty();
});

test('unknown commit, missing file, folder and symbolic link are told apart', async () => {
  assert.is((await failure(base({ commit: 'a'.repeat(40) }))).reason, 'commit-not-found');
  assert.is((await failure(base({ ref: 'no-such-branch' }))).reason, 'commit-not-found');
  assert.is((await failure(base({ commit: first, path: 'nope/Dockerfile' }))).reason, 'file-not-found');
  assert.is((await failure(base({ commit: first, path: 'docker' }))).reason, 'not-a-file');
  const link = await failure(base({ ref: 'main', path: 'link' }));
  assert.is(link.reason, 'not-a-file');
  assert.match(link.message, /symbolic link/);
  assert.is((await failure(base({ repoURL: `file://${root}/missing`, commit: first }))).reason, 'repo-not-found');
  tmpEmpty();
});

test('http-backend with the right credentials; wrong or none are "auth" and never echo the secret', async () => {
  server.reset();
  const url = server.urlOf('app');
  const got = await fetchFileAtCommit(base({ repoURL: url, commit: first, credentials: AUTH }));
  assert.is(got.content.toString(), 'FROM node:20\n');
  assert.ok(server.bytesSent > 0);
  assert.is(server.refused, 0);
  const wrong = await failure(base({ repoURL: url, commit: first, credentials: { username: 'robot', password: 'wrong-password-123' } }));
  assert.is(wrong.reason, 'auth');
  assert.not.match(wrong.message, /wrong-password-123/);
  assert.not.match(wrong.message, Buffer.from('robot:wrong-password-123').toString('base64'));
  const none = await failure(base({ repoURL: url, commit: first }));
  assert.is(none.reason, 'auth');
  assert.ok(server.refused >= 2);
  tmpEmpty();
});

test('bad input is refused before git runs, naming the field', async () => {
  const before = gitStats.invocations;
  const cases: [Partial<FetchFileOptions>, string][] = [
    [{ repoURL: '--upload-pack=touch /tmp/x', commit: first }, 'repoURL'],
    [{ repoURL: 'https://github.com/acme/app .git', commit: first }, 'repoURL'],
    [{ repoURL: 'https://user:pw@github.com/acme/app.git', commit: first }, 'repoURL'],
    [{ repoURL: 'ext::sh -c touch% /tmp/pwned', commit: first }, 'repoURL'],
    [{ repoURL: 'file:///etc', commit: first, allowInsecureURLs: false }, 'repoURL'],
    [{ repoURL: 'http://example.com/a.git', commit: first }, 'repoURL'],
    [{ repoURL: 'https://github.com/acme/../x.git', commit: first }, 'repoURL'],
    [{ commit: 'abc123' }, 'commit'],
    [{ commit: first, ref: 'main' }, 'commit'],
    [{ ref: '--exec=x' }, 'ref'],
    [{ ref: 'main\nx' }, 'ref'],
    [{ ref: 'a..b' }, 'ref'],
    [{ commit: first, path: '/etc/passwd' }, 'path'],
    [{ commit: first, path: '../x/Dockerfile' }, 'path'],
    [{ commit: first, path: 'a/../../Dockerfile' }, 'path'],
  ];
  for (const [o, field] of cases) {
    const e = await failure(base(o));
    assert.is(e.reason, 'invalid-input', JSON.stringify(o));
    assert.is(e.field, field, JSON.stringify(o));
    assert.ok(e.message.startsWith(`${field}: `), e.message);
  }
  assert.is(gitStats.invocations, before, 'git never ran');
  tmpEmpty();
});

test('URL forms: https and ssh of allowed hosts pass; others are refused', () => {
  assert.equal(validateRepoURL('https://github.com/acme/app.git'), { scheme: 'https', host: 'github.com' });
  assert.equal(validateRepoURL('git@github.com:acme/app.git'), { scheme: 'ssh', host: 'github.com' });
  assert.equal(validateRepoURL('ssh://git@github.com/acme/app.git'), { scheme: 'ssh', host: 'github.com' });
  assert.throws(() => validateRepoURL('https://gitlab.com/acme/app.git', { allowedHosts: ['github.com'] }), /not one of the configured hosts/);
  assert.throws(() => validateRepoURL('git@github.com:-oProxyCommand=x'), /relative|may only/);
  assert.throws(() => validateRepoURL('https://github.com/acme/app.git?x=1'), /query/);
  assert.is(validateCommit('A'.repeat(64)), 'a'.repeat(64));
  assert.is(validateRef('refs/heads/feature/x'), 'refs/heads/feature/x');
  assert.throws(() => validateRef('x.lock'));
  assert.is(validateRepoPath('images/app/Dockerfile'), 'images/app/Dockerfile');
  assert.throws(() => validateRepoPath('a//b'));
  assert.throws(() => validateRepoPath('.git/config'));
});

test('a host that never answers: timeout, git process group killed, temp dir removed', async () => {
  const hole = await startBlackHole();
  try {
    const url = hole.url('app');
    const e = await failure(base({ repoURL: url, commit: first, timeoutMs: 1500 }));
    assert.is(e.reason, 'timeout');
    assert.ok(hole.connections >= 1, 'git did connect');
    const port = new URL(url).port;
    const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
    assert.not.ok(ps.split('\n').some((l) => l.includes(`127.0.0.1:${port}`)), 'no git process is left');
    tmpEmpty();
  } finally {
    await hole.close();
  }
});

test('an abort signal stops the fetch', async () => {
  const hole = await startBlackHole();
  try {
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 300);
    const e = await failure(base({ repoURL: hole.url('app'), commit: first, signal: ac.signal }));
    assert.is(e.reason, 'aborted');
    tmpEmpty();
  } finally {
    await hole.close();
  }
});

test('a fetch runs three git processes: init, the fetch, one cat-file (by commit, by ref, and a file in a folder)', async () => {
  for (const o of [{ commit: first }, { ref: 'main' }, { commit: first, path: 'README.md' }]) {
    const before = gitStats.invocations;
    await fetchFileAtCommit(base(o));
    assert.is(gitStats.invocations - before, 3, JSON.stringify(o));
  }
  // Refusals found while reading (no such file, a folder) end in the same process.
  const before = gitStats.invocations;
  assert.is((await failure(base({ commit: first, path: 'docker/nope' }))).reason, 'file-not-found');
  assert.is((await failure(base({ commit: first, path: 'README.md/Dockerfile' }))).reason, 'file-not-found');
  assert.is(gitStats.invocations - before, 6);
  tmpEmpty();
});

/**
 * In front of the git server: the first fetch session passes, the second one (the blob that
 * cat-file fetches on demand, which starts with its own GET of info/refs) hangs, is redirected or
 * is refused, so that what bounds the first fetch is seen to bound the on-demand one too.
 */
async function startSecondSessionProxy(target: string, second: 'hang' | 'redirect' | 'refuse') {
  let sessions = 0;
  const server = http.createServer((req, res) => {
    if (/\/info\/refs\?/.test(req.url ?? '')) sessions++;
    if (sessions >= 2) {
      if (second === 'redirect') res.writeHead(302, { Location: `${target}${req.url}` }).end();
      else if (second === 'refuse') res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end();
      return;
    }
    const forwarded = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    forwarded.on('error', () => res.destroy());
    req.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}/app`,
    sessions: () => sessions,
    close: () => new Promise<void>((resolve) => server.close(() => resolve(server.closeAllConnections()))),
  };
}

test('the blob git fetches on demand is bounded like the fetch: a hang times out (process group killed), a redirect is not followed, a refusal is "auth"', async () => {
  for (const [second, reason] of [['hang', 'timeout'], ['redirect', 'redirect'], ['refuse', 'auth']] as const) {
    const proxy = await startSecondSessionProxy(server.base, second);
    try {
      const e = await failure(base({ repoURL: proxy.url, commit: first, credentials: AUTH, timeoutMs: second === 'hang' ? 3000 : 20_000 }));
      assert.is(e.reason, reason, `${second}: ${e.message}`);
      assert.is(proxy.sessions(), 2, 'the commit was fetched; the blob was asked for in a second session');
      assert.not.match(e.message, AUTH.password);
      const ps = execFileSync('ps', ['-eo', 'pid,args'], { encoding: 'utf8' });
      assert.not.ok(ps.split('\n').some((l) => l.includes(`127.0.0.1:${proxy.port}`)), 'no git process is left');
      tmpEmpty();
    } finally {
      await proxy.close();
    }
  }
});

test('files over the size limit are refused', async () => {
  const e = await failure(base({ commit: first, maxBytes: 4 }));
  assert.is(e.reason, 'too-large');
  tmpEmpty();
});

test('over http, the shallow blob-less fetch sends far fewer bytes than a full clone', async () => {
  makeLargeRepo(root, 'large', { files: 300, commits: 40, filesPerCommit: 20, fileBytes: 2000 });
  const url = server.urlOf('large');
  server.reset();
  const got = await fetchFileAtCommit(base({ repoURL: url, ref: 'main', path: 'Dockerfile', credentials: AUTH }));
  assert.match(got.content.toString(), /^FROM docker.io\/library\/node/);
  const partial = server.bytesSent;
  const basic = Buffer.from(`${AUTH.username}:${AUTH.password}`).toString('base64');
  // The yardstick: a full clone, asynchronously (the git server runs in this very process). Once,
  // under heavy load elsewhere on the machine, a clone stalled for good: a stalled clone is killed
  // and made again (at most three times), since the figure, not the clone, is under test here.
  let cloned = false;
  for (let attempt = 1; attempt <= 3 && !cloned; attempt++) {
    server.reset();
    const cloneDir = tempDir('full-clone');
    try {
      await execFileAsync('git', ['-c', `http.extraHeader=Authorization: Basic ${basic}`, 'clone', '--quiet', '--bare', '--', url, path.join(cloneDir, 'c.git')], {
        env: { PATH: process.env.PATH, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', HOME: cloneDir, GIT_TERMINAL_PROMPT: '0' },
        timeout: 60_000,
        killSignal: 'SIGKILL',
      });
      cloned = true;
    } catch (e) {
      if (attempt === 3) throw e;
    }
  }
  const full = server.bytesSent;
  assert.ok(partial * 10 < full, `partial ${partial} bytes vs full ${full} bytes`);
  tmpEmpty();
});

test.run();
