import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ImageRefError, formatImageRef, isScratch, parseImageRef, repoURLOf } from '../generator/src/core/image-ref';

const SHA256 = `sha256:${'a1'.repeat(32)}`;
const SHA512 = `sha512:${'0f'.repeat(64)}`;

function rejects(text: string, reason: RegExp): void {
  try {
    parseImageRef(text);
  } catch (e) {
    assert.instance(e, ImageRefError, `${text}: wrong error type`);
    const message = (e as Error).message;
    assert.ok(message.includes(JSON.stringify(text.length > 300 ? `${text.slice(0, 40)}...` : text)), `message names the ref: ${message}`);
    assert.match(message, reason, `${text}: ${message}`);
    return;
  }
  assert.unreachable(`${JSON.stringify(text)} was accepted`);
}

test('Docker Hub names get docker.io, library/ and latest', () => {
  assert.equal(parseImageRef('node'), {
    ref: 'docker.io/library/node:latest',
    registry: 'docker.io',
    repository: 'library/node',
    tag: 'latest',
  });
  assert.is(parseImageRef('bitnami/redis').ref, 'docker.io/bitnami/redis:latest');
  assert.is(parseImageRef('node:22-bookworm-slim').ref, 'docker.io/library/node:22-bookworm-slim');
  assert.is(parseImageRef('docker.io/node').ref, 'docker.io/library/node:latest');
  assert.is(parseImageRef('docker.io/library/node:22').ref, 'docker.io/library/node:22');
});

test('index.docker.io is folded into docker.io; registry-1.docker.io is a registry like any other', () => {
  assert.is(parseImageRef('index.docker.io/node:20').ref, 'docker.io/library/node:20');
  assert.is(parseImageRef('index.docker.io/acme/app').ref, 'docker.io/acme/app:latest');
  // Docker does not rewrite this host, so neither do we: it names the same registry by another name.
  assert.is(parseImageRef('registry-1.docker.io/acme/app:1').ref, 'registry-1.docker.io/acme/app:1');
});

test('the first component is a registry only with a dot, a colon or as localhost', () => {
  assert.equal(parseImageRef('ghcr.io/acme/python-base:3.12'), {
    ref: 'ghcr.io/acme/python-base:3.12',
    registry: 'ghcr.io',
    repository: 'acme/python-base',
    tag: '3.12',
  });
  assert.is(parseImageRef('localhost/app').registry, 'localhost');
  assert.is(parseImageRef('localhost:5000/app:dev').ref, 'localhost:5000/app:dev');
  assert.is(parseImageRef('registry:5000/team/app').ref, 'registry:5000/team/app:latest');
  // No dot, no colon, not localhost: a Docker Hub namespace, never a host.
  assert.is(parseImageRef('myregistry/app').ref, 'docker.io/myregistry/app:latest');
  assert.is(parseImageRef('[::1]:5000/app:1').ref, '[::1]:5000/app:1');
  assert.is(parseImageRef('a.b/c/d/e:f').repository, 'c/d/e');
});

test('ports are kept and the registry host is lower-cased', () => {
  const ref = parseImageRef('Registry.Example.COM:5000/team/app:v1');
  assert.is(ref.registry, 'registry.example.com:5000');
  assert.is(ref.ref, 'registry.example.com:5000/team/app:v1');
  assert.is(repoURLOf(ref), 'registry.example.com:5000/team/app');
});

test('a digest without a tag keeps no tag; with a tag both are kept', () => {
  const pinned = parseImageRef(`node@${SHA256}`);
  assert.is(pinned.ref, `docker.io/library/node@${SHA256}`);
  assert.is(pinned.tag, undefined);
  assert.ok(!('tag' in pinned), 'no tag key at all');
  assert.is(pinned.digest, SHA256);
  const both = parseImageRef(`ghcr.io/acme/app:1.2@${SHA512}`);
  assert.is(both.tag, '1.2');
  assert.is(both.digest, SHA512);
  assert.is(both.ref, `ghcr.io/acme/app:1.2@${SHA512}`);
  assert.is(parseImageRef(`localhost:5000/app@${SHA256}`).ref, `localhost:5000/app@${SHA256}`);
});

test('the canonical form parses back to itself', () => {
  for (const text of ['node', 'bitnami/redis:7', `a.io:1/b/c:d@${SHA256}`, `x@${SHA512}`, 'index.docker.io/y', 'LOCALHOST.lan/z']) {
    const once = parseImageRef(text);
    const twice = parseImageRef(once.ref);
    assert.equal(twice, once, text);
    assert.is(formatImageRef(once), once.ref);
  }
});

test('separators in repository names follow Docker', () => {
  for (const ok of ['a_b', 'a__b', 'a.b', 'a-b', 'a---b', 'a1/b2_c.d-e']) parseImageRef(ok);
  rejects('a___b', /repository path component/);
  rejects('_ab', /repository path component/);
  rejects('ab-', /repository path component/);
  rejects('a..b', /repository path component/);
  rejects('a/-b', /repository path component/);
});

test('upper case in the repository is an error that shows the fix', () => {
  rejects('ghcr.io/Acme/app', /lower-case \("Acme"\); write "acme"/);
  rejects('node/Alpine', /lower-case/);
  // Docker reads an upper-case first component as a host; say so instead of silently guessing.
  rejects('Acme/app', /registry host/);
});

test('bad digests: algorithm, length, characters, case', () => {
  rejects('node@sha256:abc', /sha256 digest has 64 hex digits, .* has 3/);
  rejects(`node@sha512:${'a'.repeat(64)}`, /sha512 digest has 128 hex digits/);
  rejects(`node@md5:${'a'.repeat(32)}`, /not supported/);
  rejects(`node@sha256:${'g'.repeat(64)}`, /not hexadecimal/);
  rejects(`node@sha256:${'A'.repeat(64)}`, /lower-case hex/);
  rejects('node@', /<algorithm>:<hex>/);
  rejects(`node@:${'a'.repeat(64)}`, /<algorithm>:<hex>/);
  rejects(`node@sha256:${'a'.repeat(64)}@sha256:${'a'.repeat(64)}`, /not hexadecimal/);
});

test('bad tags: empty, bad characters, leading dot or dash, over 128 characters', () => {
  rejects('node:', /tag after ":" is empty/);
  rejects('node:-x', /must not start/);
  rejects('node:.x', /must not start/);
  rejects('node:a+b', /may only use/);
  rejects(`node:${'a'.repeat(129)}`, /129 characters long; Docker allows 128/);
  parseImageRef(`node:${'a'.repeat(128)}`);
  parseImageRef('node:_x');
  parseImageRef('node:V1.2_RC-3');
});

test('empty components, white space, bad hosts and ports, length', () => {
  rejects('', /empty/);
  rejects('a//b', /empty path component/);
  rejects('ghcr.io/', /repository name is empty/);
  rejects('ghcr.io//x', /empty path component/);
  rejects(':tag', /repository name is empty/);
  rejects('node ', /white space/);
  rejects('a b', /white space/);
  rejects('-bad.io/x', /not a valid host name/);
  rejects('bad..io/x', /not a valid host name/);
  rejects('reg.io:port/x', /port "port" must be a number/);
  rejects(':5000/x', /no host name/);
  rejects('scratch', /empty image/);
  const long = `ghcr.io/${'a'.repeat(250)}`;
  rejects(long, /Docker allows 255/);
  rejects('x'.repeat(1000), /1000 characters long/);
});

test('scratch is recognised exactly', () => {
  assert.ok(isScratch('scratch'));
  assert.not.ok(isScratch('scratchy'));
  assert.not.ok(isScratch('docker.io/library/scratch'));
});

test.run();
