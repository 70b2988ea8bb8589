// git's object formats read without git (core/git-objects.ts), checked against what real git writes:
// the batch answer header, a commit's tree and committer time, a tree's entries by name and mode.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { execFileSync } from 'node:child_process';
import { commitTreeAndTime, notAFileKind, parseBatchHeader, treeEntry } from '../generator/src/core/git-objects';
import { git, gitEnv, makeRepo } from './support/git-repos';
import { removeTempDirs, tempDir } from './support/tree';

test.after(() => removeTempDirs());

/** An object's content as git stores it (and as `cat-file --batch` prints it). */
const rawObject = (dir: string, type: 'commit' | 'tree', name: string): Buffer => execFileSync('git', ['cat-file', type, name], { cwd: dir, env: gitEnv() });

test('batch headers: an object, a name git could not resolve, and anything else', () => {
  assert.equal(parseBatchHeader(`${'a'.repeat(40)} blob 13`), { found: true, oid: 'a'.repeat(40), type: 'blob', size: 13 });
  assert.equal(parseBatchHeader(`${'b'.repeat(64)} tree 0`), { found: true, oid: 'b'.repeat(64), type: 'tree', size: 0 });
  assert.equal(parseBatchHeader('FETCH_HEAD^{commit} missing'), { found: false });
  assert.equal(parseBatchHeader('abc ambiguous'), { found: false });
  assert.is(parseBatchHeader('fatal: not a git repository'), undefined);
  assert.is(parseBatchHeader(`${'a'.repeat(40)} blob -1`), undefined);
});

test('a commit made by git: its tree and committer time, whatever the time zone and message', () => {
  const repo = makeRepo(tempDir('git-objects'), 'r');
  const sha = repo.commit({ a: '1\n' }, 'tree 0000000000000000000000000000000000000000\n\ncommitter x <y> 1 +0000', '2026-11-24T10:00:00+02:00');
  const content = rawObject(repo.dir, 'commit', sha);
  assert.equal(commitTreeAndTime(content), { tree: git(repo.dir, ['rev-parse', `${sha}^{tree}`]).trim(), committedEpoch: Date.parse('2026-11-24T08:00:00Z') / 1000 });
  assert.is(commitTreeAndTime(Buffer.from('author x <y> 1 +0000\n\nmessage\n')), undefined);
});

test('tree entries by exact name: files, executables, folders, links and submodules; names with spaces and non-ASCII', () => {
  const repo = makeRepo(tempDir('git-objects'), 't');
  fs.mkdirSync(path.join(repo.dir, 'docker'));
  fs.writeFileSync(path.join(repo.dir, 'docker', 'Dockerfile'), 'FROM x\n');
  fs.writeFileSync(path.join(repo.dir, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 });
  fs.writeFileSync(path.join(repo.dir, 'mit Leerzeichen – ü'), 'x\n');
  fs.symlinkSync('docker/Dockerfile', path.join(repo.dir, 'link'));
  const sha = repo.commit({ 'Dockerfile.dev': 'FROM y\n' });
  // A submodule entry, as `git update-index --cacheinfo` records one.
  git(repo.dir, ['update-index', '--add', '--cacheinfo', `160000,${sha},vendor`]);
  git(repo.dir, ['commit', '--quiet', '-m', 'sub'], gitEnv());
  const tree = rawObject(repo.dir, 'tree', 'HEAD^{tree}');
  const idOf = (p: string) => git(repo.dir, ['rev-parse', `HEAD:${p}`]).trim();
  assert.equal(treeEntry(tree, 'docker', 20), { mode: '40000', oid: idOf('docker') });
  assert.equal(treeEntry(tree, 'run.sh', 20), { mode: '100755', oid: idOf('run.sh') });
  assert.equal(treeEntry(tree, 'link', 20), { mode: '120000', oid: idOf('link') });
  assert.equal(treeEntry(tree, 'vendor', 20), { mode: '160000', oid: sha });
  assert.equal(treeEntry(tree, 'mit Leerzeichen – ü', 20), { mode: '100644', oid: idOf('mit Leerzeichen – ü') });
  assert.is(treeEntry(tree, 'Dockerfile', 20), undefined, 'a prefix of Dockerfile.dev is not Dockerfile.dev');
  assert.is(treeEntry(tree, 'dock', 20), undefined);
  assert.throws(() => treeEntry(tree.subarray(0, tree.length - 3), 'zzz', 20), /malformed/);
  assert.equal(['100644', '100755', '40000', '120000', '160000', '100664'].map(notAFileKind), [undefined, undefined, 'a folder', 'a symbolic link', 'a submodule', undefined]);
});

test.run();
