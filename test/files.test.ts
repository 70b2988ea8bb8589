import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyChanges, changesOf, describeChanges } from '../generator/src/files';

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

test.after(removeTempDirs);
test.run();
