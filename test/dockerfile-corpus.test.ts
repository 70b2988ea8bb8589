import * as fs from 'node:fs';
import * as path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { DockerfileError, baseImagesOf } from '../generator/src/core/dockerfile';
import type { DockerfileAnalysis } from '../generator/src/core/types';
import { seeded } from './support/random';
import { sharedPath } from './support/shared';

// Real Dockerfiles (and, on purpose, some files that are not Dockerfiles) in ../shared beside the
// repository; a plain clone has none, and then the suite is skipped (see sharedPath).
const corpus = sharedPath('corpus/dockerfiles', 'dockerfile-corpus');
// A suite of its own: tests added to uvu's shared default suite and never run would be run by the
// next file's test.run(), and fail there without the corpus.
const test = suite('dockerfile-corpus');
const files = corpus
  ? fs
      .readdirSync(corpus)
      .filter((name) => name.endsWith('.Dockerfile'))
      .sort()
  : [];

function read(name: string): string {
  // Only tests call this, and they run only when the corpus is there.
  return fs.readFileSync(path.join(corpus!, name), 'utf8');
}

function analyze(name: string, buildArgs: Record<string, string> = {}): DockerfileAnalysis {
  return baseImagesOf(read(name), buildArgs);
}

/** Either an analysis or a DockerfileError with a usable position; anything else fails the test. */
function analyzeOrDockerfileError(text: string, label: string): DockerfileAnalysis | DockerfileError {
  try {
    return baseImagesOf(text);
  } catch (e) {
    if (!(e instanceof DockerfileError)) assert.unreachable(`${label}: threw ${String(e)}`);
    const error = e as DockerfileError;
    assert.ok(Number.isInteger(error.line) && error.line >= 1, `${label}: line ${error.line}`);
    assert.ok(Number.isInteger(error.col) && error.col >= 1, `${label}: col ${error.col}`);
    assert.ok(error.message.length > 0);
    return error;
  }
}

test('the corpus is there', () => {
  assert.ok(files.length >= 150, `${files.length} files in ${corpus}`);
});

test('every corpus file is analyzed or refused with a DockerfileError', () => {
  let analyzed = 0;
  for (const name of files) {
    const result = analyzeOrDockerfileError(read(name), name);
    if (!(result instanceof DockerfileError)) analyzed++;
  }
  // The corpus mixes real Dockerfiles with Go, TypeScript and Markdown sources that mention them.
  assert.ok(analyzed >= 120, `${analyzed} analyzed`);
});

test('source files that only mention Dockerfiles are refused as not Dockerfiles', () => {
  for (const name of [
    'crazy-max__diun__pkg__dockerfile__client.go.Dockerfile',
    'renovatebot__renovate__lib__modules__manager__dockerfile__extract.ts.Dockerfile',
    'renovatebot__renovate__lib__modules__manager__dockerfile__readme.md.Dockerfile',
  ]) {
    try {
      analyze(name);
      assert.unreachable(name);
    } catch (e) {
      assert.instance(e, DockerfileError);
      assert.match((e as Error).message, /not a Dockerfile/);
    }
  }
});

const refs = (a: DockerfileAnalysis): string[] => a.bases.map((b) => b.ref);

test("Kargo: stages, --platform=$BUILDPLATFORM kept, final FROM depends on TARGETARCH", () => {
  const result = analyze('akuity__kargo__Dockerfile.Dockerfile');
  assert.equal(refs(result), [
    'docker.io/library/node:26.4.0',
    'docker.io/library/golang:1.26.7-trixie',
    'docker.io/curlimages/curl:8.21.0',
    'docker.io/library/alpine:latest',
    'docker.io/library/node:26.4.0',
  ]);
  assert.equal(result.bases.map((b) => b.stage), ['ui-builder', 'back-end-builder', 'tools', 'back-end-dev', 'ui-dev']);
  assert.is(result.bases[0].platform, '$BUILDPLATFORM');
  assert.is(result.bases[2].platform, undefined);
  assert.equal(result.copies, []);
  assert.equal(result.warnings.map((w) => [w.line, w.col]), [[137, 6]]);
  assert.match(result.warnings[0].message, /TARGETARCH/);
  // With the platform known, ARG BASE_IMAGE=kargo-base resolves the final stage.
  const amd64 = analyze('akuity__kargo__Dockerfile.Dockerfile', { TARGETARCH: 'amd64' });
  assert.is(amd64.bases[5].ref, 'docker.io/library/kargo-base:latest-amd64');
  assert.is(amd64.bases[5].line, 137);
});

test('Docker official python: one base, buildpack-deps', () => {
  assert.equal(refs(analyze('docker-library__python__3.12__bookworm__Dockerfile.Dockerfile')), ['docker.io/library/buildpack-deps:bookworm']);
  assert.equal(refs(analyze('docker-library__python__3.13__alpine3.23__Dockerfile.Dockerfile')), ['docker.io/library/alpine:3.23']);
});

test('Docker official golang tip: COPY --from an image, COPY --from a stage is not one', () => {
  const result = analyze('docker-library__golang__tip__alpine3.23__Dockerfile.Dockerfile');
  assert.equal(refs(result), ['docker.io/library/alpine:3.23', 'docker.io/library/alpine:3.23']);
  assert.equal(result.bases.map((b) => [b.stage, b.line]), [['build', 7], [undefined, 113]]);
  assert.equal(result.copies.map((c) => [c.ref, c.line, c.via]), [['docker.io/library/golang:alpine3.23', 11, 'copy']]);
});

test('Docker official node onbuild: FROM node, ONBUILD triggers ignored', () => {
  const result = analyze('docker-library__node__0.10__onbuild__Dockerfile.Dockerfile');
  assert.equal(refs(result), ['docker.io/library/node:0.10.35']);
  assert.equal(result.copies, []);
});

test('Renovate fixture 4: escape directive with odd case, ARG across continuations, stage ARG not seen by FROM', () => {
  const result = analyze('renovatebot__renovate__lib__modules__manager__dockerfile____fixtures____4.Dockerfile');
  assert.equal(refs(result), ['docker.io/library/alpine:3.15.4', 'docker.io/library/image5:latest']);
  assert.equal(result.bases.map((b) => [b.stage, b.line]), [['stage1', 7], ['name3', 18]]);
  assert.equal(result.copies.map((c) => [c.ref, c.line]), [['docker.io/library/image12:latest', 24]]);
  assert.equal(result.warnings.map((w) => [w.line, w.col]), [[16, 6]]);
  assert.match(result.warnings[0].message, /nginx_version/);
});

test('Renovate fixture 2: a short sha256 digest is refused at the FROM argument', () => {
  try {
    analyze('renovatebot__renovate__lib__modules__manager__dockerfile____fixtures____2.Dockerfile');
    assert.unreachable();
  } catch (e) {
    assert.instance(e, DockerfileError);
    assert.equal([(e as DockerfileError).line, (e as DockerfileError).col], [4, 6]);
    assert.match((e as Error).message, /image2:1\.0\.0@sha256:abcdef/);
  }
});

test('Argo CD: FROM $BASE_IMAGE resolves to the pinned global default', () => {
  const result = analyze('argoproj__argo-cd__Dockerfile.Dockerfile');
  const base = result.bases.find((b) => b.stage === 'argocd-base');
  assert.ok(base);
  assert.is(base?.ref, 'docker.io/library/ubuntu:26.04@sha256:f3d28607ddd78734bb7f71f117f3c6706c666b8b76cbff7c9ff6e5718d46ff64');
  assert.is(base?.tag, '26.04');
  assert.is(base?.line, 38);
  assert.equal(result.copies, []);
});

test('Prometheus: quoted global ARGs in the FROM reference', () => {
  assert.equal(refs(analyze('prometheus__prometheus__Dockerfile.Dockerfile')), ['quay.io/prometheus/busybox-linux-amd64:latest']);
  assert.equal(refs(analyze('prometheus__prometheus__Dockerfile.Dockerfile', { ARCH: 'arm64' })), ['quay.io/prometheus/busybox-linux-arm64:latest']);
});

test('diun fixtures: COPY --from and RUN --mount from= images, with a digest', () => {
  const result = analyze('crazy-max__diun__pkg__dockerfile__fixtures__valid.Dockerfile');
  assert.equal(refs(result), ['docker.io/library/alpine:3.14']);
  assert.equal(result.copies.map((c) => [c.ref, c.via]), [
    ['docker.io/crazymax/yasu:latest', 'copy'],
    ['docker.io/crazymax/docker:20.10.6', 'mount'],
    ['docker.io/crazymax/ddns-route53:foo@sha256:9cb3af44cdd00615266c87e60bc05cac534297be14c4596800b57322f9313615', 'mount'],
  ]);
});

test('Dependabot updater-core: fully qualified FROM and COPY --from with other flags after it', () => {
  const result = analyze('dependabot__dependabot-core__Dockerfile.updater-core.Dockerfile');
  assert.equal(refs(result), ['docker.io/library/ubuntu:24.04']);
  assert.equal(result.copies.map((c) => [c.ref, c.line]), [['docker.io/library/ruby:4.0.5-bookworm', 149]]);
});

const SNIPPETS = ['$', '${', '}', '${A:-', '\\', '`', '"', "'", '<<EOF', '\nEOF\n', '\n', '--from=', '--mount=from=', 'FROM ', 'ARG ', ' AS ', '@sha256:', ':', '/', '\r', '\ufeff', '# escape=`\n', '\0'];

test('random mutations of corpus files never throw anything but DockerfileError', () => {
  const random = seeded(20261124);
  const dockerfiles = files.filter((name) => !/\.(go|ts|md)\.Dockerfile$/.test(name));
  let refused = 0;
  for (let round = 0; round < 400; round++) {
    const name = dockerfiles[Math.floor(random() * dockerfiles.length)];
    let text = read(name);
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (text.length + 1));
      const kind = random();
      if (kind < 0.4) {
        text = text.slice(0, at) + SNIPPETS[Math.floor(random() * SNIPPETS.length)] + text.slice(at);
      } else if (kind < 0.7) {
        text = text.slice(0, at) + text.slice(at + 1 + Math.floor(random() * 40));
      } else if (kind < 0.85) {
        text = text.slice(0, at);
      } else {
        const lines = text.split('\n');
        const i = Math.floor(random() * lines.length);
        lines.splice(i, 0, lines[Math.floor(random() * lines.length)]);
        text = lines.join('\n');
      }
    }
    if (analyzeOrDockerfileError(text, `round ${round} of ${name}`) instanceof DockerfileError) refused++;
  }
  // Mutations break some files and not others; both outcomes must occur for the test to mean anything.
  assert.ok(refused > 0 && refused < 400, `${refused} refused`);
});

if (corpus) test.run();
