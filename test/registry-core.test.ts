// The pure parts `status` rests on: where a registry is, WWW-Authenticate challenges as Docker Hub,
// GHCR and htpasswd registries send them, the token request, Docker's config.json, the proxy
// variables, and the status model's edge cases (a tag moved back, an image not analyzed).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { credentialsOfDockerConfig, registryOfAuthKey } from '../generator/src/core/docker-credentials';
import { seenDigestsOf } from '../generator/src/core/digest-history';
import { manifestURL, parseWwwAuthenticate, registryMessageOf, registryOrigin, tokenOfResponse, tokenRequestURL } from '../generator/src/core/oci-distribution';
import { bypassesProxy, proxyFor } from '../generator/src/core/proxy';
import { retryAfterSeconds } from '../generator/src/core/retry-after';
import { imageStatus } from '../generator/src/core/status';
import { parseImageRef } from '../generator/src/core/image-ref';
import type { ImageValues } from '../generator/src/core/values-types';

const secure = { allowInsecureLoopback: false };
const loopback = { allowInsecureLoopback: true };
const D1 = `sha256:${'1'.repeat(64)}`;
const D2 = `sha256:${'2'.repeat(64)}`;

test('references become manifest URLs: Docker Hub at registry-1.docker.io, http only for loopback when allowed', () => {
  assert.is(manifestURL(parseImageRef('node:22'), secure), 'https://registry-1.docker.io/v2/library/node/manifests/22');
  assert.is(manifestURL(parseImageRef('index.docker.io/library/node'), secure), 'https://registry-1.docker.io/v2/library/node/manifests/latest');
  assert.is(manifestURL(parseImageRef('ghcr.io/acme/base:1.2'), loopback), 'https://ghcr.io/v2/acme/base/manifests/1.2');
  assert.is(registryOrigin('127.0.0.1:5000', secure), 'https://127.0.0.1:5000');
  assert.is(registryOrigin('127.0.0.1:5000', loopback), 'http://127.0.0.1:5000');
  assert.is(registryOrigin('localhost:5000', loopback), 'http://localhost:5000');
  assert.is(registryOrigin('registry.example.com:5000', loopback), 'https://registry.example.com:5000');
  assert.is(registryOrigin('127.0.0.1.example.com', loopback), 'https://127.0.0.1.example.com');
});

test('WWW-Authenticate: Docker Hub, GHCR and Basic challenges, several in one header, quoted commas', () => {
  assert.equal(parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/node:pull"'), [
    { scheme: 'bearer', params: { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/node:pull' } },
  ]);
  assert.equal(parseWwwAuthenticate('Bearer realm="https://ghcr.io/token",service="ghcr.io",scope="repository:user/image:pull"')[0].params.realm, 'https://ghcr.io/token');
  assert.equal(parseWwwAuthenticate('Basic realm="Registry Realm"'), [{ scheme: 'basic', params: { realm: 'Registry Realm' } }]);
  assert.equal(parseWwwAuthenticate('Basic realm="a, b", Bearer realm="https://x/t", service=reg'), [
    { scheme: 'basic', params: { realm: 'a, b' } },
    { scheme: 'bearer', params: { realm: 'https://x/t', service: 'reg' } },
  ]);
  assert.equal(parseWwwAuthenticate('Bearer realm="with \\"quote\\""')[0].params.realm, 'with "quote"');
  assert.equal(parseWwwAuthenticate(''), []);
});

test('the token request: service and pull scope added; credentials go only to https realms (http on loopback when allowed)', () => {
  const hub = parseWwwAuthenticate('Bearer realm="https://auth.docker.io/token",service="registry.docker.io"')[0];
  assert.is(tokenRequestURL(hub, 'repository:library/node:pull', secure), 'https://auth.docker.io/token?service=registry.docker.io&scope=repository%3Alibrary%2Fnode%3Apull');
  const plain = parseWwwAuthenticate('Bearer realm="http://auth.example.com/token"')[0];
  assert.throws(() => tokenRequestURL(plain, 's', loopback), /not https; credentials are sent only over https/);
  const local = parseWwwAuthenticate('Bearer realm="http://127.0.0.1:9/token"')[0];
  assert.throws(() => tokenRequestURL(local, 's', secure), /not https/);
  assert.is(tokenRequestURL(local, 's', loopback), 'http://127.0.0.1:9/token?scope=s');
  assert.throws(() => tokenRequestURL({ scheme: 'bearer', params: {} }, 's', secure), /names no realm/);
  assert.is(tokenOfResponse('{"token":"abc.def"}'), 'abc.def');
  assert.is(tokenOfResponse('{"access_token":"xyz"}'), 'xyz');
  assert.throws(() => tokenOfResponse('<html>'), /did not answer JSON/);
  assert.throws(() => tokenOfResponse('{"token":"has space"}'), /without a usable token/);
});

test('Retry-After in seconds or as an HTTP date; the registry\u2019s error body in its words', () => {
  assert.is(retryAfterSeconds('30', 0), 30);
  assert.is(retryAfterSeconds('Thu, 01 Jan 1970 00:01:00 GMT', 0), 60);
  assert.is(retryAfterSeconds('soon', 0), undefined);
  assert.is(retryAfterSeconds(null, 0), undefined);
  assert.is(registryMessageOf('{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown","detail":{}}]}'), 'MANIFEST_UNKNOWN: manifest unknown');
  assert.is(registryMessageOf('{"details":"incorrect username or password"}'), 'incorrect username or password');
  assert.is(registryMessageOf('  plain\n text '), 'plain text');
});

test('config.json: auths keys as Docker writes them, base64 auth, helpers noted, and no secret in an error', () => {
  assert.is(registryOfAuthKey('https://index.docker.io/v1/'), 'docker.io');
  assert.is(registryOfAuthKey('GHCR.io'), 'ghcr.io');
  assert.is(registryOfAuthKey('http://127.0.0.1:5000'), '127.0.0.1:5000');
  const auth = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');
  const creds = credentialsOfDockerConfig(
    {
      auths: { 'https://index.docker.io/v1/': { auth: auth('hub', 'p:w') }, 'ghcr.io': { username: 'me', password: 'tok' }, 'quay.io': {} },
      credsStore: 'desktop',
      credHelpers: { 'gcr.io': 'gcloud' },
    },
    'config.json',
  );
  assert.equal(creds.byRegistry.get('docker.io'), { username: 'hub', password: 'p:w' });
  assert.equal(creds.byRegistry.get('ghcr.io'), { username: 'me', password: 'tok' });
  assert.equal([...creds.inHelper].sort(), ['gcr.io', 'quay.io']);
  let message = '';
  try {
    credentialsOfDockerConfig({ auths: { 'ghcr.io': { auth: 'bm9jb2xvbg==' } } }, 'config.json');
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /auths\["ghcr.io"\].auth is not base64 of "user:password"/);
  assert.not.match(message, 'bm9jb2xvbg');
});

test('proxy variables as curl reads them: lower case first, NO_PROXY hosts, domains, ports and *; https proxies refused', () => {
  const https = new URL('https://ghcr.io/v2/');
  assert.is(proxyFor(https, {}), undefined);
  assert.is(proxyFor(https, { HTTPS_PROXY: 'http://proxy:3128' })?.url.host, 'proxy:3128');
  assert.is(proxyFor(https, { https_proxy: 'proxy-lower:1', HTTPS_PROXY: 'http://upper:2' })?.url.host, 'proxy-lower:1');
  assert.is(proxyFor(https, { HTTP_PROXY: 'http://proxy:3128' }), undefined, 'http_proxy is for http URLs');
  assert.is(proxyFor(https, { HTTPS_PROXY: 'http://proxy:3128', NO_PROXY: 'example.com,ghcr.io' }), undefined);
  assert.throws(() => proxyFor(https, { HTTPS_PROXY: 'https://proxy:3128' }), /only a plain http:\/\/ proxy/);
  assert.ok(bypassesProxy('registry.corp.example', '443', '.example'));
  assert.ok(bypassesProxy('registry.corp.example', '443', 'corp.example'));
  assert.not.ok(bypassesProxy('notexample', '443', 'example'));
  assert.ok(bypassesProxy('127.0.0.1', '5000', '127.0.0.1:5000'));
  assert.not.ok(bypassesProxy('127.0.0.1', '5001', '127.0.0.1:5000'));
  assert.ok(bypassesProxy('::1', '80', '[::1]'));
  assert.ok(bypassesProxy('anything', '1', ' * '));
});

test('digest history: entries that are not a digest with a UTC time are left out', () => {
  assert.equal(seenDigestsOf({ ref: 'x', seen: [{ digest: D1, seenAt: '2026-11-01T00:00:00Z' }, { digest: 'sha256:short', seenAt: '2026-11-01T00:00:00Z' }, { digest: D2, seenAt: 'yesterday' }, null] }), [
    { digest: D1, seenAt: '2026-11-01T00:00:00Z' },
  ]);
  assert.equal(seenDigestsOf('not a map'), []);
});

function imageValues(over: Partial<ImageValues>): ImageValues {
  return {
    name: 'web',
    rebuildDelay: '1d',
    autoRebuild: true,
    analyzed: true,
    upstreams: [{ ref: 'docker.io/library/node:22', kind: 'base', slug: 'node-22' }],
    pinnedBases: [],
    ...over,
  } as ImageValues;
}
const lastRebuild = (digest: string) => ({ at: '', base: '', digest: '', bases: { 'node-22': { ref: 'docker.io/library/node:22', digest, at: '' } } });
const now = new Date('2026-11-10T00:00:00Z');

test('status model: a tag moved back to an older digest is not a rebuild; unanalyzed and base-less images are unresolved', () => {
  const history = new Map([['node-22', [{ digest: D2, seenAt: '2026-11-05T00:00:00Z' }, { digest: D1, seenAt: '2026-11-01T00:00:00Z' }]]]);
  const back = imageStatus({ image: imageValues({}), lastRebuild: lastRebuild(D2), history }, new Map([['docker.io/library/node:22', { digest: D1 }]]), now);
  assert.is(back.state, 'up-to-date');
  assert.match(back.bases[0].reason, /newer digest/);
  const due = imageStatus({ image: imageValues({}), lastRebuild: lastRebuild(D1), history }, new Map([['docker.io/library/node:22', { digest: D2 }]]), now);
  assert.equal([due.state, due.bases[0].changedAt, due.bases[0].dueAt], ['due', '2026-11-05T00:00:00Z', '2026-11-06T00:00:00Z']);
  const notYet = imageStatus({ image: imageValues({ rebuildDelay: '7d' }), lastRebuild: lastRebuild(D1), history }, new Map([['docker.io/library/node:22', { digest: D2 }]]), now);
  assert.equal([notYet.state, notYet.bases[0].dueAt], ['waiting', '2026-11-12T00:00:00Z']);
  const unknown = imageStatus({ image: imageValues({}), lastRebuild: lastRebuild(D1), history }, new Map([['docker.io/library/node:22', { error: 'down' }]]), now);
  assert.is(unknown.state, 'unknown');
  const pending = imageStatus({ image: imageValues({ analyzed: false, upstreams: [] }), lastRebuild: undefined, history: new Map() }, new Map(), now);
  assert.is(pending.state, 'unresolved');
  const onlyPinned = imageStatus({ image: imageValues({ upstreams: [], pinnedBases: [`docker.io/library/node@${D1}`] }), lastRebuild: undefined, history: new Map() }, new Map(), now);
  assert.equal([onlyPinned.state, onlyPinned.bases[0].currentDigest], ['pinned', D1]);
});

test.run();
