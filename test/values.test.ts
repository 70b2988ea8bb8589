import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { valuesOf } from '../generator/src/core/values';
import { edgesOf, usersOfBases } from '../generator/src/core/edges';
import { analysisRecordOf, imageStateOf, pendingAnalysis, type ImageState } from '../generator/src/core/state';
import { parseImageRef } from '../generator/src/core/image-ref';
import type { DockerfileAnalysis, ImageEnrollment, ImagesConfig } from '../generator/src/core/types';

function enrollment(name: string, over: Partial<ImageEnrollment> = {}): ImageEnrollment {
  return {
    name,
    registry: 'ghcr.io',
    repository: `acme/${name}`,
    source: { provider: 'github', repo: `acme/${name}`, branch: 'main', dockerfile: 'Dockerfile', workflow: 'build.yml', buildArgs: {} },
    rebuildDelay: '7d',
    autoRebuild: true,
    subscription: { imageSelectionStrategy: 'NewestBuild' },
    dispatchInputs: { baseImage: 'base_image', baseDigest: 'base_digest' },
    local: false,
    position: { line: 1, col: 1 },
    ...over,
  };
}

function analyzed(image: ImageEnrollment, froms: string[], copies: string[] = []): ImageState {
  const result: DockerfileAnalysis = {
    bases: froms.map((f, i) => ({ ...parseImageRef(f), line: i + 1 })),
    copies: copies.map((c, i) => ({ ...parseImageRef(c), line: 100 + i, via: 'copy' as const })),
    warnings: [],
  };
  return imageStateOf(image, analysisRecordOf(result, { commit: 'a'.repeat(40), analyzedAt: '2026-01-01T00:00:00Z' }));
}

function configOf(images: ImageEnrollment[], over: Partial<ImagesConfig> = {}): ImagesConfig {
  return { file: 'images.yaml', images, baseImages: [], ...over };
}

test('images sharing a base get one base Warehouse, used by both', () => {
  const a = enrollment('a');
  const b = enrollment('b', { rebuildDelay: '0' });
  const values = valuesOf(configOf([a, b]), new Map([
    ['a', analyzed(a, ['node:22-bookworm-slim'])],
    ['b', analyzed(b, ['docker.io/library/node:22-bookworm-slim', 'alpine:3.20'])],
  ]));
  assert.equal(values.bases.map((x) => [x.slug, x.repoURL, x.tag]), [
    ['alpine-3.20', 'docker.io/library/alpine', '3.20'],
    ['node-22-bookworm-slim', 'docker.io/library/node', '22-bookworm-slim'],
  ]);
  assert.equal(usersOfBases(values), new Map([['docker.io/library/node:22-bookworm-slim', ['a', 'b']], ['docker.io/library/alpine:3.20', ['b']]]));
  const vb = values.images[1];
  assert.equal(vb.upstreams.map((u) => [u.slug, u.kind, u.ref]), [
    ['alpine-3.20', 'base', 'docker.io/library/alpine:3.20'],
    ['node-22-bookworm-slim', 'base', 'docker.io/library/node:22-bookworm-slim'],
  ]);
  assert.equal(edgesOf(values), [
    { from: 'docker.io/library/node:22-bookworm-slim', fromKind: 'base', to: 'a' },
    { from: 'docker.io/library/alpine:3.20', fromKind: 'base', to: 'b' },
    { from: 'docker.io/library/node:22-bookworm-slim', fromKind: 'base', to: 'b' },
  ]);
});

test('a digest-pinned base gets no Warehouse; an image with only pinned bases gets no upstreams', () => {
  const a = enrollment('a');
  const pinned = `node:22@sha256:${'b'.repeat(64)}`;
  const values = valuesOf(configOf([a]), new Map([['a', analyzed(a, [pinned])]]));
  assert.equal(values.bases, []);
  assert.equal(values.images[0].upstreams, []);
  assert.equal(values.images[0].pinnedBases, [`docker.io/library/node:22@sha256:${'b'.repeat(64)}`]);
  assert.equal(edgesOf(values).map((e) => e.fromKind), ['pinned']);
});

test('a base that is an enrolled image is a chain link watched by the base Warehouse of the exact tag named', () => {
  const base = enrollment('python-base');
  const api = enrollment('api');
  const values = valuesOf(configOf([api, base]), new Map([
    ['python-base', analyzed(base, ['python:3.12-slim'])],
    ['api', analyzed(api, ['ghcr.io/acme/python-base:3.12'], ['ghcr.io/acme/python-base:3.11'])],
  ]));
  assert.equal(values.bases.map((b) => b.ref), ['ghcr.io/acme/python-base:3.11', 'ghcr.io/acme/python-base:3.12', 'docker.io/library/python:3.12-slim']);
  const apiValues = values.images.find((i) => i.name === 'api')!;
  const slug = (ref: string) => values.bases.find((b) => b.ref === ref)!.slug;
  assert.equal(
    apiValues.upstreams,
    ['ghcr.io/acme/python-base:3.11', 'ghcr.io/acme/python-base:3.12'].map((ref) => ({
      ref,
      kind: 'image',
      image: 'python-base',
      slug: slug(ref),
    })),
  );
  // Two tags of one enrolled image are two Warehouses but one edge.
  assert.equal(edgesOf(values).filter((e) => e.to === 'api'), [{ from: 'python-base', fromKind: 'image', to: 'api' }]);
});

test('an external image not yet analyzed has no upstreams and analyzed false', () => {
  const a = enrollment('a');
  const values = valuesOf(configOf([a]), new Map([['a', imageStateOf(a, pendingAnalysis())]]));
  assert.is(values.images[0].analyzed, false);
  assert.equal(values.images[0].upstreams, []);
  assert.is(values.images[0].source.url, 'https://github.com/acme/a.git');
});

test('a local image takes the state repo as its source; per-base intervals come from baseImages', () => {
  const a = enrollment('a', { local: true, source: { provider: 'github', branch: 'main', dockerfile: 'a/Dockerfile', workflow: 'a.yml', buildArgs: {} } });
  const values = valuesOf(
    configOf([a], { stateRepo: { url: 'https://github.com/acme/state.git', branch: 'main' }, baseImages: [{ ref: 'docker.io/library/node:22', interval: '30m' }] }),
    new Map([['a', analyzed(a, ['node:22', 'node:20'])]]),
  );
  assert.is(values.images[0].source.repo, 'acme/state');
  assert.is(values.images[0].source.url, 'https://github.com/acme/state.git');
  assert.equal(values.bases.map((b) => [b.ref, b.interval]), [
    ['docker.io/library/node:20', ''],
    ['docker.io/library/node:22', '30m'],
  ]);
  assert.equal(values.stateRepo, { url: 'https://github.com/acme/state.git', branch: 'main' });
});

test('externalRepositories: each external source once, sorted; local images and the state repo never', () => {
  const shared = { provider: 'github' as const, repo: 'acme/mono', branch: 'main', workflow: 'b.yml', buildArgs: {} };
  const images = [
    enrollment('z', { source: { ...shared, dockerfile: 'z/Dockerfile' } }),
    enrollment('y', { source: { ...shared, dockerfile: 'y/Dockerfile' } }),
    enrollment('b'),
    enrollment('local', { local: true, source: { provider: 'github', branch: 'main', dockerfile: 'l/Dockerfile', workflow: 'l.yml', buildArgs: {} } }),
  ];
  const states = new Map(images.map((i) => [i.name, imageStateOf(i, pendingAnalysis())]));
  const values = valuesOf(configOf(images, { stateRepo: { url: 'https://github.com/acme/state.git', branch: 'main' } }), states);
  assert.equal(values.externalRepositories, ['https://github.com/acme/b.git', 'https://github.com/acme/mono.git']);
});

test('values do not depend on the order of images.yaml', () => {
  const a = enrollment('a');
  const b = enrollment('b');
  const states = new Map([
    ['a', analyzed(a, ['node:22', 'alpine:3'])],
    ['b', analyzed(b, ['alpine:3', 'node:22'])],
  ]);
  assert.equal(valuesOf(configOf([a, b]), states), valuesOf(configOf([b, a]), states));
});

test.run();
