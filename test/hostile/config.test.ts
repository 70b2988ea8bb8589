// Hostile images.yaml entries (issue 11, "Also"): build-arg names a JavaScript object cannot keep
// (`__proto__` was silently dropped) and a branch git would read as a forced refspec are refused by
// `validate`, with their line and column, instead of being lost or reaching git.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../../generator/src/cli/cli';
import { captureOutput, removeTempDirs, tempDir } from '../support/tree';

test.after(() => removeTempDirs());

async function validate(yaml: string) {
  const root = tempDir('hostile-config');
  fs.writeFileSync(path.join(root, 'images.yaml'), yaml);
  return captureOutput(() => main(['node', 'image-factory', 'validate', '--root', root]));
}

const image = (source: string) => `images:\n  - name: app\n    registry: ghcr.io\n    repository: acme/app\n    source:\n      repo: acme/app\n      dockerfile: Dockerfile\n      workflow: build.yml\n${source}`;

test('build arguments named __proto__, constructor or prototype are refused where they are written', async () => {
  const out = await validate(image('      buildArgs:\n        A: a\n        __proto__: x\n        constructor: y\n        prototype: z\n'));
  assert.is(out.result, 1, out.stdout);
  const lines = out.stderr.trim().split('\n');
  assert.equal(lines.map((l) => l.split(': build argument')[0]), ['images.yaml:11:9', 'images.yaml:12:9', 'images.yaml:13:9']);
  assert.match(out.stderr, /build argument "__proto__" is a name this tool cannot keep .*; rename the ARG/);
  assert.not.match(out.stderr, /at .*\.ts:\d+/, 'no stack trace');
});

test('a branch beginning with "+" is refused where it is written', async () => {
  const out = await validate(image('      branch: "+main"\n'));
  assert.is(out.result, 1, out.stdout);
  assert.match(out.stderr, /^images\.yaml:9:15: .*"\+main".*starts with "\+", which git would read as a forced fetch/m);
});

test.run();
