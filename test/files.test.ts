import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyChanges, changesOf, describeChanges } from '../generator/src/files';

import { removeTempDirs, tempDir } from './support/tree';

const tempRoot = (): string => tempDir('files');

function listFiles(root: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, d.name);
      if (d.isDirectory()) walk(full);
      else out.push(path.relative(root, full));
    }
  };
  walk(root);
  return out.sort();
}

test('changes list creations, updates and removals, and leave unchanged files out', async () => {
  const root = tempRoot();
  fs.mkdirSync(path.join(root, 'images'));
  fs.writeFileSync(path.join(root, 'images/same.yaml'), 'a\n');
  fs.writeFileSync(path.join(root, 'images/changed.yaml'), 'old\n');
  fs.writeFileSync(path.join(root, 'images/gone.yaml'), 'x\n');
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

test('a write that fails leaves every file as it was and no temp files behind', async () => {
  const root = tempRoot();
  fs.mkdirSync(path.join(root, 'images'));
  fs.writeFileSync(path.join(root, 'images/a.yaml'), 'before\n');
  fs.writeFileSync(path.join(root, 'images/old.yaml'), 'old\n');
  // `z-blocked` is a file (sorted last, after a.yaml was staged), so nothing can be written below it: the second write fails.
  fs.writeFileSync(path.join(root, 'z-blocked'), 'not a folder\n');
  const changes = changesOf(
    root,
    new Map([
      ['images/a.yaml', 'after\n'],
      ['z-blocked/b.yaml', 'b\n'],
    ]),
    ['images/old.yaml'],
  );
  let failed = false;
  await applyChanges(root, changes).catch(() => {
    failed = true;
  });
  assert.ok(failed, 'the write below a file fails');
  assert.equal(listFiles(root), ['images/a.yaml', 'images/old.yaml', 'z-blocked']);
  assert.is(fs.readFileSync(path.join(root, 'images/a.yaml'), 'utf8'), 'before\n');
});

test('a write that fails after others succeeded removes every temp file, and nothing changes', async () => {
  const root = tempRoot();
  fs.mkdirSync(path.join(root, 'images'));
  fs.writeFileSync(path.join(root, 'images/a.yaml'), 'before\n');
  // A folder where z.yaml's temp file would go: that one write fails, the others succeed first.
  fs.mkdirSync(path.join(root, 'images', `.z.yaml.tmp-${process.pid}`));
  const wanted = new Map([['images/a.yaml', 'after\n']]);
  for (let i = 0; i < 40; i++) wanted.set(`images/n${i}.yaml`, `${i}\n`);
  wanted.set('images/z.yaml', 'z\n');
  const changes = changesOf(root, wanted, []);
  let failed = false;
  await applyChanges(root, changes).catch(() => {
    failed = true;
  });
  assert.ok(failed);
  assert.equal(listFiles(root), ['images/a.yaml']);
  assert.is(fs.readFileSync(path.join(root, 'images/a.yaml'), 'utf8'), 'before\n');
});

test.after(removeTempDirs);
test.run();
