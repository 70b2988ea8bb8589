// Nothing silently unwatched (issue 14): generate and validate print every analysis warning as
// `file:line:col: warning: ...` and one line for each image no base image change would rebuild;
// --strict fails on them and writes nothing; validate fails wherever generate would (a missing or
// invalid Dockerfile, a cycle); a build arg no ARG declares names the ARG it most likely meant.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../generator/src/cli/cli';
import { captureOutput, removeTempDirs, snapshot, tempDir } from './support/tree';

process.env.SOURCE_DATE_EPOCH = '1767225600';

async function cli(...args: string[]) {
  const { result, stdout, stderr } = await captureOutput(() => main(['node', 'image-factory', ...args]));
  return { code: result, stdout, stderr };
}

const PIN = `sha256:${'ab'.repeat(32)}`;

/** A state repo whose images cover each way an image can end up unwatched, and one that is fine. */
function stateRepo(): string {
  const root = tempDir('watch');
  const image = (name: string, dockerfile: string, extra = '') =>
    `  - name: ${name}\n    registry: ghcr.io\n    repository: acme/${name}\n    source:\n      dockerfile: ${name}/Dockerfile\n      workflow: ${name}.yml\n${extra}`;
  const files: Record<string, string> = {
    'go/Dockerfile': 'ARG GO_VERSION=1.22\nFROM golang:${GO_VERSION}\n',
    'pinned/Dockerfile': `FROM alpine:3.20@${PIN}\n`,
    'scratchy/Dockerfile': 'FROM scratch\nCOPY app /app\n',
    'unknown/Dockerfile': 'ARG BASE\nFROM ${BASE}\n',
    'fine/Dockerfile': 'FROM alpine:3.20\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.join(root, path.dirname(rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  fs.writeFileSync(
    path.join(root, 'images.yaml'),
    'images:\n' +
      image('fine', '') +
      image('go', '', '      buildArgs:\n        GOVERSION: "1.23"\n') +
      image('pinned', '') +
      image('scratchy', '') +
      image('unknown', ''),
  );
  return root;
}

const EXPECTED_WARNINGS = [
  'go/Dockerfile:1:1: warning: build arg GOVERSION is given but no ARG declares it, so it has no effect; did you mean GO_VERSION (declared here)? Rename GOVERSION to GO_VERSION in the build args (image "go")',
  'images.yaml:16:5: warning: image "pinned" has no watched base image, so nothing will rebuild it: every image it builds on is pinned by digest (docker.io/library/alpine:3.20@' + PIN + '), and a digest never changes; name a tag without a digest to have it watched',
  'images.yaml:22:5: warning: image "scratchy" has no watched base image, so nothing will rebuild it: it builds only FROM scratch or earlier stages; nothing outside the Dockerfile can change under it',
  'unknown/Dockerfile:2:6: warning: FROM ${BASE} uses BASE with no value (FROM only sees ARGs declared before the first FROM); give it a default (ARG BASE=<value>) or a build arg (--build-arg BASE=<value>) so the image is known (image "unknown")',
  'images.yaml:28:5: warning: image "unknown" has no watched base image, so nothing will rebuild it: its FROM on line 2 of unknown/Dockerfile names an image through an ARG with no value (see the warning above); give the ARG a default or set it in source.buildArgs',
];

test.after(removeTempDirs);

test('generate prints every warning and each unwatched image, and still writes', async () => {
  const root = stateRepo();
  const run = await cli('generate', '--root', root, '--quiet');
  assert.is(run.code, 0, run.stderr);
  assert.equal(run.stderr.trimEnd().split('\n'), EXPECTED_WARNINGS);
  assert.is(run.stdout, '');
  assert.ok(fs.existsSync(path.join(root, 'dist/values.yaml')));
  // A second run warns the same (the warnings come from the kept analysis) and changes nothing.
  const again = await cli('generate', '--root', root);
  assert.equal(again.stderr.trimEnd().split('\n'), EXPECTED_WARNINGS);
  assert.is(again.stdout, 'image-factory: nothing to change\n');
});

test('--strict fails on warnings and writes nothing; --check --strict fails too', async () => {
  const root = stateRepo();
  const before = snapshot(root);
  const strict = await cli('generate', '--root', root, '--strict');
  assert.is(strict.code, 1);
  assert.match(strict.stderr, 'image-factory: 5 warning(s) and --strict: nothing was written; fix them or drop --strict');
  assert.equal(snapshot(root), before);
  const check = await cli('generate', '--root', root, '--check', '--strict');
  assert.is(check.code, 1);
  assert.match(check.stderr, '--strict: failing the check');
});

test('fixing the causes silences the warnings and --strict passes', async () => {
  const root = stateRepo();
  const images = fs.readFileSync(path.join(root, 'images.yaml'), 'utf8').replace('GOVERSION', 'GO_VERSION');
  const kept = images.split('  - name: pinned')[0];
  fs.writeFileSync(path.join(root, 'images.yaml'), kept);
  const run = await cli('generate', '--root', root, '--strict');
  assert.is(run.stderr, '');
  assert.is(run.code, 0);
  assert.match(fs.readFileSync(path.join(root, 'images/go.yaml'), 'utf8'), 'ref: docker.io/library/golang:1.23');
});

test('validate warns like generate and writes nothing; --strict fails', async () => {
  const root = stateRepo();
  const before = snapshot(root);
  const run = await cli('validate', '--root', root);
  assert.is(run.code, 0);
  assert.equal(run.stderr.trimEnd().split('\n'), EXPECTED_WARNINGS);
  assert.is(run.stdout, 'image-factory: images.yaml (5 image(s), 5 analyzed) and the state files are valid\n');
  assert.is((await cli('validate', '--root', root, '--strict')).code, 1);
  assert.equal(snapshot(root), before);
});

test('validate fails where generate fails: not a Dockerfile, a missing one, a cycle', async () => {
  const root = tempDir('validate-cycle');
  const image = (name: string) =>
    `  - name: ${name}\n    registry: ghcr.io\n    repository: acme/${name}\n    source:\n      dockerfile: ${name}/Dockerfile\n      workflow: ${name}.yml\n`;
  fs.mkdirSync(path.join(root, 'a'));
  fs.mkdirSync(path.join(root, 'b'));
  fs.writeFileSync(path.join(root, 'a/Dockerfile'), 'FROM ghcr.io/acme/b:1\n');
  fs.writeFileSync(path.join(root, 'b/Dockerfile'), 'FROM ghcr.io/acme/a:1\n');
  fs.writeFileSync(path.join(root, 'images.yaml'), `images:\n${image('a')}${image('b')}`);
  const cycle = await cli('validate', '--root', root);
  assert.is(cycle.code, 1);
  assert.match(cycle.stderr, /^images\.yaml: image cycle: a → b → a/);
  assert.is(cycle.stdout, '');

  fs.writeFileSync(path.join(root, 'b/Dockerfile'), 'RUN echo no FROM here\n');
  const invalid = await cli('validate', '--root', root);
  assert.is(invalid.code, 1);
  assert.match(invalid.stderr, /^b\/Dockerfile:1:1: RUN before the first FROM/);

  fs.rmSync(path.join(root, 'b/Dockerfile'));
  const missing = await cli('validate', '--root', root);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, 'Dockerfile b/Dockerfile not found in the state repo');
  assert.equal([...snapshot(root).keys()].sort(), ['a/Dockerfile', 'images.yaml']);
});

test.run();
