// RepoLocator finds many files of a state repo with a folder listing instead of a realpath each:
// it must answer exactly as locateInside (the system's realpath) does, links and all.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { locateInside, RepoLocator, type Located } from '../generator/src/cli/repo-paths';
import { removeTempDirs, tempDir } from './support/tree';

/** What a reader learns through the locator: the folder walk, and for a link at the file, where it leads. */
function viaLocator(locator: RepoLocator, rel: string): Located {
  const found = locator.locate(rel);
  if (found.kind !== 'inside') return found;
  let isLink = false;
  try {
    isLink = fs.lstatSync(found.real).isSymbolicLink();
  } catch {
    return { kind: 'missing' };
  }
  return isLink ? locator.locateLink(found.real) : found;
}

/** A state repo with every kind of step a Dockerfile path can take, and the paths to ask about. */
function hostileTree(): { root: string; paths: string[] } {
  const root = tempDir('locator');
  const outside = tempDir('locator-outside');
  fs.writeFileSync(path.join(outside, 'Dockerfile'), 'FROM alpine\n');
  const file = (rel: string) => {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), 'FROM alpine\n');
  };
  file('plain/Dockerfile');
  file('deep/a/b/c/Dockerfile');
  file('shared/Dockerfile');
  file('notafolder');
  fs.mkdirSync(path.join(root, 'empty'));
  fs.symlinkSync(path.join(root, 'deep/a'), path.join(root, 'folder-link-in'));
  fs.symlinkSync('deep/a/b', path.join(root, 'relative-folder-link'));
  fs.symlinkSync(outside, path.join(root, 'folder-link-out'));
  fs.symlinkSync(path.join(root, 'shared/Dockerfile'), path.join(root, 'plain/linked-in'));
  fs.symlinkSync(path.join(outside, 'Dockerfile'), path.join(root, 'plain/linked-out'));
  fs.symlinkSync(path.join(root, 'nothing-here'), path.join(root, 'plain/dangling'));
  fs.symlinkSync(path.join(root, 'nothing-here'), path.join(root, 'dangling-folder'));
  fs.symlinkSync(path.join(root, 'shared/Dockerfile'), path.join(root, 'file-link-as-folder'));
  fs.symlinkSync(path.join(root, 'folder-link-in'), path.join(root, 'link-to-link'));
  const paths = [
    'plain/Dockerfile',
    'plain/missing',
    'deep/a/b/c/Dockerfile',
    'deep/a/x/Dockerfile',
    'shared/Dockerfile',
    'empty/Dockerfile',
    'notafolder/Dockerfile',
    'folder-link-in/b/c/Dockerfile',
    'relative-folder-link/c/Dockerfile',
    'folder-link-out/Dockerfile',
    'folder-link-out/missing',
    'plain/linked-in',
    'plain/linked-out',
    'plain/dangling',
    'dangling-folder/Dockerfile',
    'file-link-as-folder/Dockerfile',
    'link-to-link/b/c/Dockerfile',
    'no/such/folder/Dockerfile',
    'plain',
    './plain/Dockerfile',
    'plain//Dockerfile',
    'deep/../plain/Dockerfile',
    '../outside/Dockerfile',
  ];
  return { root, paths };
}

test('the locator answers every path as the system realpath does (inside, outside, missing, through links)', () => {
  const { root, paths } = hostileTree();
  const locator = new RepoLocator(root);
  for (const rel of paths) assert.equal(viaLocator(locator, rel), locateInside(root, rel), rel);
  // Asked again, from its cache, the same answers.
  for (const rel of [...paths].reverse()) assert.equal(viaLocator(locator, rel), locateInside(root, rel), `${rel} (again)`);
});

test('a root reached through a link: inside means inside the real root', () => {
  const { root, paths } = hostileTree();
  const viaLink = path.join(tempDir('locator-link'), 'repo');
  fs.symlinkSync(root, viaLink);
  const locator = new RepoLocator(viaLink);
  assert.is(locator.realRoot, fs.realpathSync(root));
  for (const rel of paths) assert.equal(viaLocator(locator, rel), locateInside(viaLink, rel), rel);
});

test.after(removeTempDirs);
test.run();
