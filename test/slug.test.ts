import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MAX_SLUG_LENGTH, assertSlugsDistinct, slugOf } from '../generator/src/core/slug';
import type { ImageRef } from '../generator/src/core/types';
import { UserError } from '../generator/src/core/errors';

function ref(registry: string, repository: string, tag?: string, digest?: string): ImageRef {
  return { ref: `${registry}/${repository}${tag ? `:${tag}` : ''}${digest ? `@${digest}` : ''}`, registry, repository, tag, digest };
}

// A Kubernetes DNS-1123 subdomain, as Warehouse and Stage names must be.
const K8S_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

test('official images get the plain, readable slug', () => {
  assert.is(slugOf(ref('docker.io', 'library/node', '22-bookworm-slim')), 'node-22-bookworm-slim');
  assert.is(slugOf(ref('docker.io', 'library/nginx', '1.27-alpine')), 'nginx-1.27-alpine');
  assert.is(slugOf(ref('docker.io', 'library/python', 'latest')), 'python-latest');
});

test('everything else gets a readable part, `--` and a hash', () => {
  const slug = slugOf(ref('ghcr.io', 'acme/python-base', '3.12'));
  assert.match(slug, /^ghcr\.io-acme-python-base-3\.12--[0-9a-f]{10}$/);
  assert.match(slugOf(ref('docker.io', 'bitnami/redis', '7.4')), /^bitnami-redis-7\.4--[0-9a-f]{10}$/);
  assert.match(slugOf(ref('registry.example.com:5000', 'team/app', 'v1')), /^registry\.example\.com-5000-team-app-v1--[0-9a-f]{10}$/);
});

test('refs a naive slug would merge get different slugs', () => {
  const pairs: [ImageRef, ImageRef][] = [
    [ref('docker.io', 'library/node', '22-bookworm-slim'), ref('docker.io', 'library/node-22', 'bookworm-slim')],
    [ref('docker.io', 'library/node', '22'), ref('ghcr.io', 'library/node', '22')],
    [ref('docker.io', 'library/node', '22'), ref('docker.io', 'library/node', '22', `sha256:${'a'.repeat(64)}`)],
    [ref('docker.io', 'library/node', 'v1_a'), ref('docker.io', 'library/node', 'v1-a')],
    [ref('docker.io', 'library/node', 'A'), ref('docker.io', 'library/node', 'a')],
    [ref('docker.io', 'acme/x', 'a'), ref('docker.io', 'acme-x', 'a')],
    [ref('docker.io', 'library/ab', 'c'), ref('docker.io', 'library/a', 'b-c')],
  ];
  for (const [a, b] of pairs) assert.is.not(slugOf(a), slugOf(b), `${a.ref} vs ${b.ref}`);
});

test('slugs are valid Kubernetes names within the length limit, and distinct over many refs', () => {
  const registries = ['docker.io', 'ghcr.io', 'quay.io', 'localhost:5000', 'registry.example.com'];
  const repos = ['library/node', 'library/node-22', 'library/a', 'library/ab', 'acme/x', 'acme-x', 'a/b/c', 'library/very-long-name-of-a-repository-that-goes-on'];
  const tags = ['22', '22-bookworm-slim', 'bookworm-slim', 'b-c', 'c', 'latest', 'V1', 'v1_a', 'v1-a', '1.0', '1--0', 'x'.repeat(128)];
  const seen = new Map<string, string>();
  let count = 0;
  for (const r of registries)
    for (const p of repos)
      for (const t of tags) {
        for (const d of [undefined, `sha256:${'0123456789abcdef'.repeat(4)}`]) {
          const image = ref(r, p, t, d);
          const slug = slugOf(image);
          assert.ok(slug.length <= MAX_SLUG_LENGTH, `${slug} is too long`);
          assert.ok(K8S_NAME.test(slug), `${slug} is not a Kubernetes name`);
          const other = seen.get(slug);
          assert.ok(other === undefined || other === image.ref, `${other} and ${image.ref} share ${slug}`);
          seen.set(slug, image.ref);
          count++;
        }
      }
  assert.is(seen.size, count);
});

test('a plain slug never contains --, so it cannot meet a hashed one', () => {
  for (const tag of ['1--0', 'a--b']) assert.match(slugOf(ref('docker.io', 'library/node', tag)), /--[0-9a-f]{10}$/);
});

test('assertSlugsDistinct names both refs when two share a slug', () => {
  const a = ref('docker.io', 'library/node', '22');
  const forged: ImageRef = { ...ref('docker.io', 'library/node', '22'), ref: 'docker.io/library/other:1' };
  assert.not.throws(() => assertSlugsDistinct([a, a], 'images.yaml'));
  try {
    assertSlugsDistinct([a, forged], 'images.yaml');
    assert.unreachable('should have thrown');
  } catch (e) {
    assert.instance(e, UserError);
    assert.match((e as Error).message, /docker\.io\/library\/node:22 and docker\.io\/library\/other:1 share the slug node-22/);
  }
});

test.run();
