// Hostile state repos, part 1: paths. A repository can commit symbolic links, folders where files
// belong and files where folders belong; `generate` must never write, delete or read outside the
// repository through them, and must say what is wrong (exit 1), never crash (exit 70).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cli, localImages } from '../support/hostile-repo';
import { removeTempDirs, snapshot, tempDir } from '../support/tree';

process.env.SOURCE_DATE_EPOCH = '1767225600';

const app = () => localImages({ app: 'FROM alpine:3.20\n' });

/** A folder outside every repo, with one file in it, to prove nothing there changes. */
function outsideFolder(): string {
  const dir = tempDir('outside');
  fs.writeFileSync(path.join(dir, 'keep.yaml'), 'precious\n');
  return dir;
}

/** A pid no process has: one of a child that has exited. */
function deadPid(): number {
  return spawnSync(process.execPath, ['-e', '']).pid!;
}

for (const folder of ['dist', 'images', 'base-images']) {
  test(`a committed ${folder}/ linked outside the repo is refused; nothing outside is written or deleted`, async () => {
    const root = app();
    const outside = outsideFolder();
    fs.symlinkSync(outside, path.join(root, folder));
    const before = snapshot(root);
    const run = await cli('generate', '--root', root);
    assert.is(run.code, 1, run.stderr);
    assert.match(run.stderr, new RegExp(`^${folder}: is a symbolic link to .*, outside the state repo; image-factory writes in ${folder}/: replace the link with a folder`));
    assert.equal(snapshot(outside), new Map([['keep.yaml', 'precious\n']]));
    assert.equal(snapshot(root), before);
    // --check reads through the same folders, so it refuses too.
    assert.is((await cli('generate', '--root', root, '--check')).code, 1);
  });
}

test('a link to a folder inside the repo is followed: dist -> build/dist', async () => {
  const root = app();
  fs.mkdirSync(path.join(root, 'build', 'dist'), { recursive: true });
  fs.symlinkSync('build/dist', path.join(root, 'dist'));
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 0, run.stderr);
  assert.ok(fs.lstatSync(path.join(root, 'dist')).isSymbolicLink());
  assert.match(fs.readFileSync(path.join(root, 'build', 'dist', 'values.yaml'), 'utf8'), 'name: app');
});

test('a dangling link where an output folder goes is refused', async () => {
  const root = app();
  fs.symlinkSync(path.join(tempDir('gone'), 'nowhere'), path.join(root, 'base-images'));
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^base-images: is a symbolic link to a path that does not exist/);
});

test('a planted temp-file link of this very process is never written through', async () => {
  const root = app();
  const outside = outsideFolder();
  fs.mkdirSync(path.join(root, 'images'));
  // The name generate writes images/app.yaml's new content to, pointing outside.
  fs.symlinkSync(path.join(outside, 'keep.yaml'), path.join(root, 'images', `.app.yaml.tmp-${process.pid}`));
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 1);
  assert.match(run.stderr, `images/.app.yaml.tmp-${process.pid}: is in the way of the temp file image-factory writes there`);
  assert.equal(snapshot(outside), new Map([['keep.yaml', 'precious\n']]));
  assert.not.ok(fs.existsSync(path.join(root, 'images', 'app.yaml')), 'nothing was written');
});

test('a planted temp-file link of a dead process is removed (the link, not its target), and the run succeeds', async () => {
  const root = app();
  const outside = outsideFolder();
  fs.mkdirSync(path.join(root, 'dist'));
  const pid = deadPid();
  fs.symlinkSync(path.join(outside, 'keep.yaml'), path.join(root, 'dist', `.values.yaml.tmp-${pid}`));
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 0, run.stderr);
  assert.match(run.stderr, 'removed 1 temp file(s) of an interrupted run');
  assert.equal(snapshot(outside), new Map([['keep.yaml', 'precious\n']]));
  assert.equal(fs.readdirSync(path.join(root, 'dist')), ['values.yaml']);
});

test('images.yaml or dist/values.yaml linked out of the repo (to a secret) is not read, so never quoted', async () => {
  const root = app();
  const secret = path.join(tempDir('secret'), 'environ');
  fs.writeFileSync(secret, 'GITHUB_TOKEN=ghs_secret\n');
  fs.renameSync(path.join(root, 'images.yaml'), path.join(root, 'real.yaml'));
  fs.symlinkSync(secret, path.join(root, 'images.yaml'));
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^images\.yaml: is a symbolic link to .*, outside the state repo; replace it with the file itself/);
  assert.not.match(run.stderr, 'ghs_secret');
  fs.mkdirSync(path.join(root, 'dist'));
  fs.symlinkSync(secret, path.join(root, 'dist', 'values.yaml'));
  const graph = await cli('graph', '--root', root);
  assert.is(graph.code, 1);
  assert.match(graph.stderr, /values\.yaml: is a symbolic link to .*, outside the state repo/);
  assert.not.match(graph.stderr, 'ghs_secret');
  // A link inside the repo is fine.
  fs.rmSync(path.join(root, 'images.yaml'));
  fs.symlinkSync('real.yaml', path.join(root, 'images.yaml'));
  assert.is((await cli('validate', '--root', root)).code, 0);
});

test('a state file that is a link is refused, and its target is neither read nor written', async () => {
  const root = app();
  const outside = outsideFolder();
  fs.mkdirSync(path.join(root, 'images'));
  fs.symlinkSync(path.join(outside, 'keep.yaml'), path.join(root, 'images', 'app.yaml'));
  const run = await cli('generate', '--root', root);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^images\/app\.yaml: is a symbolic link; image-factory writes this file: remove what is there/);
  assert.equal(snapshot(outside), new Map([['keep.yaml', 'precious\n']]));
});

test('images/app.yaml as a folder, and images as a file: clear errors naming the path, not exit 70', async () => {
  const folder = app();
  fs.mkdirSync(path.join(folder, 'images', 'app.yaml'), { recursive: true });
  const a = await cli('generate', '--root', folder);
  assert.is(a.code, 1, a.stderr);
  assert.match(a.stderr, /^images\/app\.yaml: is a folder, not a regular file; image-factory writes this file/);

  const file = app();
  fs.writeFileSync(path.join(file, 'images'), 'not a folder\n');
  const b = await cli('generate', '--root', file);
  assert.is(b.code, 1, b.stderr);
  assert.match(b.stderr, /^images: is a file, but image-factory keeps its files in the folder images\/; move the file away/);
  for (const command of ['validate', 'graph']) {
    const run = await cli(command, '--root', file);
    assert.ok(run.code === 1, `${command}: ${run.stderr}`);
  }
});

test('validate notices a missing local Dockerfile and one that leads out of the repo', async () => {
  const root = localImages({ app: 'FROM alpine:3.20\n', web: 'FROM alpine:3.20\n' });
  fs.rmSync(path.join(root, 'app', 'Dockerfile'));
  const outside = tempDir('outside');
  fs.writeFileSync(path.join(outside, 'Dockerfile'), 'FROM alpine:3.20\n');
  fs.rmSync(path.join(root, 'web', 'Dockerfile'));
  fs.symlinkSync(path.join(outside, 'Dockerfile'), path.join(root, 'web', 'Dockerfile'));
  const run = await cli('validate', '--root', root);
  assert.is(run.code, 1, run.stdout);
  assert.equal(run.stderr.trim().split('\n'), [
    'images.yaml:1:3: image "app": Dockerfile app/Dockerfile not found in the state repo; fix source.dockerfile or add the file',
    'images.yaml:7:3: image "web": Dockerfile web/Dockerfile leads outside the state repo through a link; point source.dockerfile at a file inside it',
  ]);
});

test('a Dockerfile that is a folder is a positioned error', async () => {
  const root = app();
  fs.rmSync(path.join(root, 'app', 'Dockerfile'));
  fs.mkdirSync(path.join(root, 'app', 'Dockerfile'));
  const run = await cli('validate', '--root', root);
  assert.is(run.code, 1);
  assert.match(run.stderr, /^images\.yaml:1:3: image "app": app\/Dockerfile is a folder, not a regular file; source\.dockerfile must name a Dockerfile/);
});

test.after(removeTempDirs);
test.run();
