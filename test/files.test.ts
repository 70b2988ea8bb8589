import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { applyChanges, changesOf, describeChanges, recoverInterruptedRun } from '../generator/src/cli/files';
import { JOURNAL_FILE, journalText, tempPathOf } from '../generator/src/cli/journal';

import { removeTempDirs, snapshot, tempDir } from './support/tree';

/** A temp folder holding these files (relative path → content). */
function treeWith(files: Record<string, string>): string {
  const root = tempDir('files');
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), content);
  }
  return root;
}

const listFiles = (root: string): string[] => [...snapshot(root).keys()].sort();

/** Applies the changes and says whether that failed. */
async function applyFails(root: string, changes: Parameters<typeof applyChanges>[1]): Promise<boolean> {
  return applyChanges(root, changes).then(
    () => false,
    () => true,
  );
}

test('changes list creations, updates and removals, and leave unchanged files out', async () => {
  const root = treeWith({ 'images/same.yaml': 'a\n', 'images/changed.yaml': 'old\n', 'images/gone.yaml': 'x\n' });
  const wanted = new Map([
    ['images/same.yaml', 'a\n'],
    ['images/changed.yaml', 'new\n'],
    ['images/new.yaml', 'n\n'],
  ]);
  const changes = changesOf(root, wanted, ['images/gone.yaml', 'images/never-existed.yaml']);
  assert.equal(
    changes.map((c) => `${c.kind} ${c.path}`),
    ['update images/changed.yaml', 'delete images/gone.yaml', 'create images/new.yaml'],
  );
  assert.is(describeChanges(changes), '  update  images/changed.yaml (+1 -1 lines)\n  delete  images/gone.yaml\n  create  images/new.yaml');
  await applyChanges(root, changes);
  assert.equal(listFiles(root), ['images/changed.yaml', 'images/new.yaml', 'images/same.yaml']);
  assert.is(fs.readFileSync(path.join(root, 'images/changed.yaml'), 'utf8'), 'new\n');
  assert.equal(changesOf(root, wanted, ['images/gone.yaml']), [], 'a second pass changes nothing');
});

test('a folder that cannot be made leaves every file as it was and no temp files behind', async () => {
  // `z-blocked` is a file, so no folder can be made for z-blocked/b.yaml: staging fails before any write.
  const root = treeWith({ 'images/a.yaml': 'before\n', 'images/old.yaml': 'old\n', 'z-blocked': 'not a folder\n' });
  const changes = changesOf(
    root,
    new Map([
      ['images/a.yaml', 'after\n'],
      ['z-blocked/b.yaml', 'b\n'],
    ]),
    ['images/old.yaml'],
  );
  assert.ok(await applyFails(root, changes), 'the write below a file fails');
  assert.equal(listFiles(root), ['images/a.yaml', 'images/old.yaml', 'z-blocked']);
  assert.is(fs.readFileSync(path.join(root, 'images/a.yaml'), 'utf8'), 'before\n');
});

test('a write that fails after others succeeded removes every temp file, and nothing changes', async () => {
  const root = treeWith({ 'images/a.yaml': 'before\n' });
  // A folder where z.yaml's temp file would go: that one write fails, the others succeed first.
  fs.mkdirSync(path.join(root, 'images', `.z.yaml.tmp-${process.pid}`));
  const wanted = new Map([['images/a.yaml', 'after\n']]);
  for (let i = 0; i < 40; i++) wanted.set(`images/n${i}.yaml`, `${i}\n`);
  wanted.set('images/z.yaml', 'z\n');
  const changes = changesOf(root, wanted, []);
  assert.ok(await applyFails(root, changes));
  assert.equal(listFiles(root), ['images/a.yaml']);
  assert.is(fs.readFileSync(path.join(root, 'images/a.yaml'), 'utf8'), 'before\n');
});

/** A pid no process has: one of a child that has exited. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

/**
 * The tree a run killed at a given step leaves: temp files for every new content, then (journalled)
 * the journal, then the first `renamed` renames done. What the writer does, step by step.
 */
function interrupted(journalled: boolean, renamed: number): { root: string; oldTree: Map<string, string>; newTree: Map<string, string> } {
  const root = treeWith({ 'images/a.yaml': 'old a\n', 'images/b.yaml': 'old b\n', 'images/gone.yaml': 'gone\n', 'dist/values.yaml': 'old\n' });
  const oldTree = snapshot(root);
  const wanted: Record<string, string> = { 'images/a.yaml': 'new a\n', 'images/b.yaml': 'new b\n', 'images/c.yaml': 'new c\n', 'dist/values.yaml': 'new\n' };
  const newTree = new Map([...oldTree, ...Object.entries(wanted)]);
  newTree.delete('images/gone.yaml');
  const pid = deadPid();
  for (const [rel, content] of Object.entries(wanted)) fs.writeFileSync(path.join(root, tempPathOf(rel, pid)), content);
  const renames = Object.keys(wanted).map((rel): [string, string] => [tempPathOf(rel, pid), rel]);
  if (journalled) fs.writeFileSync(path.join(root, JOURNAL_FILE), journalText({ pid, renames, deletes: ['images/gone.yaml'] }));
  else fs.writeFileSync(path.join(root, `${JOURNAL_FILE}.tmp-${pid}`), 'half a journal');
  for (const [tmp, rel] of renames.slice(0, renamed)) fs.renameSync(path.join(root, tmp), path.join(root, rel));
  return { root, oldTree, newTree };
}

test('a run killed before its journal is undone: its temp files go, the old tree stays', () => {
  const { root, oldTree } = interrupted(false, 0);
  assert.equal(recoverInterruptedRun(root, ['images', 'dist']), { finished: 0, removedTemps: 5 });
  assert.equal(snapshot(root), oldTree);
});

test('a run killed after its journal is finished, whichever renames it had done', () => {
  for (let renamed = 0; renamed <= 4; renamed++) {
    const { root, newTree } = interrupted(true, renamed);
    assert.equal(recoverInterruptedRun(root, ['images', 'dist']).finished, 5);
    assert.equal(snapshot(root), newTree, `${renamed} renames done`);
    assert.equal(recoverInterruptedRun(root, ['images', 'dist']), { finished: 0, removedTemps: 0 }, 'a second recovery does nothing');
  }
});

test('a journal image-factory did not write is refused, and nothing is renamed or removed', () => {
  const root = treeWith({ 'images/a.yaml': 'a\n', 'images.yaml': 'x\n' });
  const before = snapshot(root);
  const pid = deadPid();
  const planted = journalText({ pid, renames: [], deletes: ['images.yaml'] });
  for (const text of [planted, 'garbage\n', journalText({ pid, renames: [['images/evil', 'images/a.yaml']], deletes: [] }), planted.replace('images.yaml', 'images/a.yaml')]) {
    fs.writeFileSync(path.join(root, JOURNAL_FILE), text);
    assert.throws(() => recoverInterruptedRun(root, ['images']), /is not a journal image-factory wrote/);
  }
  fs.rmSync(path.join(root, JOURNAL_FILE));
  assert.equal(snapshot(root), before);
});

test('the journal of a run that is still alive is left to it', () => {
  const root = treeWith({ 'images/a.yaml': 'a\n' });
  // The process that started this one is alive, and is not this one.
  fs.writeFileSync(path.join(root, JOURNAL_FILE), journalText({ pid: process.ppid, renames: [], deletes: [] }));
  assert.throws(() => recoverInterruptedRun(root, ['images']), /another image-factory run \(process \d+\) is writing this state repo/);
  fs.writeFileSync(path.join(root, `images/.a.yaml.tmp-${process.pid}`), 'a live run\'s temp file\n');
  fs.rmSync(path.join(root, JOURNAL_FILE));
  assert.equal(recoverInterruptedRun(root, ['images']).removedTemps, 0);
  assert.ok(fs.existsSync(path.join(root, `images/.a.yaml.tmp-${process.pid}`)));
});

test.after(removeTempDirs);
test.run();
