// Hostile git hosts and refs (issue 11, item 3, item 12 and "+ref"), against real git over loopback
// http: a configured host that redirects to another must not hand that host the credentials nor
// its Dockerfile; a 20 MB Dockerfile is refused without being downloaded; a ref that git would
// read as a forced refspec never reaches git.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fetchFileAtCommit, gitStats, type FetchFileOptions } from '../../generator/src/core/git';
import { fetchFailure } from '../support/fetch-failure';
import { makeRepo } from '../support/git-repos';
import { startGitHttpServer, startRedirector, type GitHttpServer } from '../support/git-http-server';
import { seeded } from '../support/random';
import { removeTempDirs, tempDir } from '../support/tree';

const AUTH = { username: 'robot', password: 'hostile-Pa55word-42' };
const BIG = 20 * 1024 * 1024;
let root: string;
let tmpRoot: string;
let server: GitHttpServer;

test.before(async () => {
  root = tempDir('hostile-git');
  tmpRoot = tempDir('hostile-git-tmp');
  makeRepo(root, 'app').commit({ Dockerfile: 'FROM evil.example/backdoor:1\n' });
  // Random bytes do not compress: the pack is as large as the file.
  const random = seeded(12);
  const big = Buffer.alloc(BIG);
  for (let i = 0; i < BIG; i += 4) big.writeUInt32LE(Math.floor(random() * 2 ** 32), i);
  const large = makeRepo(root, 'large');
  fs.writeFileSync(path.join(large.dir, 'Dockerfile'), big);
  large.commit({ 'README.md': 'a 20 MB Dockerfile\n' });
  server = await startGitHttpServer(root);
});

test.after(async () => {
  await server.close();
  removeTempDirs();
});

const options = (o: Partial<FetchFileOptions>): FetchFileOptions => ({
  repoURL: server.urlOf('app'),
  ref: 'main',
  path: 'Dockerfile',
  timeoutMs: 60_000,
  allowInsecureURLs: true,
  tmpDir: tmpRoot,
  credentials: AUTH,
  ...o,
});

const failure = fetchFailure;

test('a configured host redirecting to another: the other host sees no credentials and nothing is analyzed', async () => {
  // host:port is the identity: the second server, on another port of 127.0.0.1, is another host.
  const redirector = await startRedirector(server.base);
  server.reset();
  try {
    const e = await failure(options({ repoURL: redirector.url('app') }));
    assert.is(e.reason, 'redirect', e.message);
    assert.match(e.message, /answered with a redirect \(HTTP 302\); redirects are not followed/);
    assert.not.match(e.message, AUTH.password);
    assert.ok(redirector.withAuthorization > 0, 'the configured host is sent its credentials');
    assert.is(server.withAuthorization, 0, 'the host redirected to never sees an Authorization header');
    assert.is(server.requests, 0, 'nor any request');
  } finally {
    await redirector.close();
  }
  assert.equal(fs.readdirSync(tmpRoot), []);
});

test('credentials go to the repository\u2019s own scheme, host and port only', async () => {
  server.reset();
  const got = await fetchFileAtCommit(options({}));
  assert.match(got.content.toString(), /^FROM /);
  assert.ok(server.withAuthorization > 0, 'the repository host gets them');
  const other = await startGitHttpServer(root);
  try {
    // The same credentials for a fetch from another port reach that port (it is the repository's
    // host for that fetch), and the first host sees nothing of that fetch.
    server.reset();
    await fetchFileAtCommit(options({ repoURL: other.urlOf('app') }));
    assert.ok(other.withAuthorization > 0);
    assert.is(server.requests, 0);
  } finally {
    await other.close();
  }
});

test('a 20 MB Dockerfile is refused as too large without being downloaded', async () => {
  server.reset();
  const e = await failure(options({ repoURL: server.urlOf('large') }));
  assert.is(e.reason, 'too-large', e.message);
  assert.match(e.message, /Dockerfile at commit [0-9a-f]{40} is larger than 1048576 bytes/);
  // Stopped near the 1 MiB limit; the whole file is 20 MiB of pack.
  assert.ok(server.bytesSent < BIG / 2, `the git host sent ${server.bytesSent} bytes`);
  assert.equal(fs.readdirSync(tmpRoot), []);
});

test('a ref git would read as a forced refspec ("+main") is refused before git runs', async () => {
  const before = gitStats.invocations;
  const e = await failure(options({ ref: '+main' }));
  assert.is(e.reason, 'invalid-input');
  assert.is(e.field, 'ref');
  assert.match(e.message, /^ref: starts with "\+"/);
  assert.is(gitStats.invocations, before);
});

test.run();
