// The one module of input rules (generator/src/core/rules.ts), and that every caller agrees with it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { editDistance, IMAGE_NAME_PATTERN, imageNameProblem, redact, refNameProblem, repoPathProblem } from '../generator/src/core/rules';
import { validateRef, validateRepoPath } from '../generator/src/core/git';
import { checkRef } from '../generator/src/core/providers/github';
import { parseImagesConfig } from '../generator/src/core/config';

const root = path.resolve(__dirname, '..');

const GOOD_BRANCHES = ['main', 'release/1.2', 'feature/x-y_z', 'v1.0', 'a@b', 'UPPER'];
const BAD_REFS = ['', '@', '-x', '+main', 'a..b', 'a b', 'a~1', 'a^', 'a:b', 'a?', 'a*', 'a[b', 'a\\b', 'a@{1}', '/a', 'a/', 'a//b', 'a.', '.a', 'a/.b', 'x.lock', 'foo.lock/bar', 'a/b.lock/c', 'a\u0001b', 'a\u007fb', 'x'.repeat(256)];

test('branch and ref names follow git check-ref-format; HEAD is a ref but no branch', () => {
  for (const ok of GOOD_BRANCHES) assert.is(refNameProblem(ok, 'branch'), undefined, ok);
  for (const bad of [...BAD_REFS, 'HEAD']) assert.type(refNameProblem(bad, 'branch'), 'string', JSON.stringify(bad));
  for (const bad of BAD_REFS) assert.type(refNameProblem(bad, 'ref'), 'string', JSON.stringify(bad));
  assert.is(refNameProblem('HEAD', 'ref'), undefined);
});

test('the git fetch, the GitHub client and images.yaml accept and refuse the same names', () => {
  const accepts = {
    'git.validateRef': (r: string) => ok(() => validateRef(r)),
    'github.checkRef': (r: string) => ok(() => checkRef(r)),
    'images.yaml source.branch': (r: string) =>
      ok(() => parseImagesConfig(`images:\n  - name: a\n    registry: ghcr.io\n    repository: acme/a\n    source: {repo: acme/a, branch: ${JSON.stringify(r)}, dockerfile: D, workflow: b.yml}\n`, 'images.yaml')),
  };
  for (const name of [...GOOD_BRANCHES, ...BAD_REFS]) {
    const expected = refNameProblem(name, 'branch') === undefined;
    for (const [who, accept] of Object.entries(accepts)) assert.is(accept(name), expected, `${who} on ${JSON.stringify(name)}`);
  }
  // A fetch may name HEAD (`analyze --checkout`); a branch in images.yaml and a dispatch may not.
  assert.ok(ok(() => validateRef('HEAD')));
  assert.not.ok(ok(() => checkRef('HEAD')));
});

function ok(fn: () => unknown): boolean {
  try {
    fn();
    return true;
  } catch {
    return false;
  }
}

test('repository paths: relative, inside the repository, not into .git; the fetch agrees', () => {
  for (const good of ['Dockerfile', 'images/nginx/Dockerfile', 'a/b.c/Dockerfile.alpine', 'dir..name/Dockerfile']) {
    assert.is(repoPathProblem(good), undefined, good);
    assert.ok(ok(() => validateRepoPath(good)), good);
  }
  for (const bad of ['', '/abs', 'a/../b', '..', './a', 'a//b', 'a/', 'a\\b', 'a\u0000b', 'C:/x', '-rf', '.git/config', 'x/.GIT/y']) {
    assert.type(repoPathProblem(bad), 'string', JSON.stringify(bad));
    assert.not.ok(ok(() => validateRepoPath(bad)), JSON.stringify(bad));
  }
});

test('image names: one pattern, the same in every JSON Schema that names an image', () => {
  for (const good of ['a', 'node-app', 'x'.repeat(48), 'a1']) assert.is(imageNameProblem(good), undefined, good);
  for (const bad of ['', '-a', 'a-', 'A', 'a_b', 'x'.repeat(49), 'a.b']) assert.type(imageNameProblem(bad), 'string', bad);
  const images = JSON.parse(fs.readFileSync(path.join(root, 'generator/schema/images.schema.json'), 'utf8'));
  const state = JSON.parse(fs.readFileSync(path.join(root, 'generator/schema/state.schema.json'), 'utf8'));
  const patternsOfNames: string[] = [];
  // images.yaml's image name (titled so), and every `name` of the state file (only images have one there).
  const walk = (node: unknown, inState: boolean) => {
    if (typeof node !== 'object' || node === null) return;
    for (const [k, v] of Object.entries(node)) {
      const field = v as { title?: unknown; pattern?: unknown };
      if (k === 'name' && typeof field?.pattern === 'string' && (inState || field.title === 'Image name')) patternsOfNames.push(field.pattern);
      walk(v, inState);
    }
  };
  walk(images, false);
  walk(state, true);
  assert.ok(patternsOfNames.length >= 2, `found the image-name patterns (${patternsOfNames.length})`);
  for (const p of patternsOfNames) assert.is(p, IMAGE_NAME_PATTERN);
});

test('redact hides each secret, and any 12-character run of a long one, wherever it appears', () => {
  const token = 'ghp_0123456789abcdefghijklmnopqrstuvwxyz';
  assert.is(redact(`Bearer ${token} failed`, [token]), 'Bearer *** failed');
  assert.is(redact(`cut: ${token.slice(0, 20)}|${token.slice(20)}`, [token]), 'cut: ***|***');
  assert.is(redact('user bob, password hunter2', ['bob', 'hunter2']), 'user ***, password ***');
  assert.is(redact('an ab cd', ['ab']), 'an ab cd', 'two characters hide nothing useful and much text');
  assert.not.match(redact(`x${token}y`.repeat(3), [token]), /0123456789ab/);
});

test('edit distance', () => {
  assert.is(editDistance('GOVERSION', 'GO_VERSION'), 1);
  assert.is(editDistance('', 'abc'), 3);
  assert.is(editDistance('kitten', 'sitting'), 3);
});

test.run();
