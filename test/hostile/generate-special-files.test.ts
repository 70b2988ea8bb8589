// Hostile state repos, part 2: special files. What sits at a path image-factory reads may be a
// FIFO (reading it waits forever), a device (/dev/zero never ends) or a folder. Each case runs the
// CLI as a child process under a heap limit, a memory watchdog and a wall-clock limit, and asserts
// the outcome: exit 1 with a message naming the path, and the tree as it was.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeEnd, runCli } from '../support/cli-child';
import { localImages } from '../support/hostile-repo';
import { removeTempDirs, snapshot } from '../support/tree';

const app = () => localImages({ app: 'FROM alpine:3.20\n' });
const fifo = (file: string) => execFileSync('mkfifo', [file]);

async function refused(root: string, args: string[], message: RegExp): Promise<void> {
  const before = snapshot(root);
  const run = await runCli([...args, '--root', root]);
  assert.is(run.code, 1, describeEnd(run));
  assert.match(run.stderr, message);
  assert.not.match(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(snapshot(root), before, 'the tree is unchanged');
}

test('a state file linked to /dev/zero is refused, not read', async () => {
  const root = app();
  fs.mkdirSync(path.join(root, 'images'));
  fs.symlinkSync('/dev/zero', path.join(root, 'images', 'app.yaml'));
  await refused(root, ['generate'], /^images\/app\.yaml: is a symbolic link/);
});

test('a state file that is a FIFO is refused, not waited on', async () => {
  const root = app();
  fs.mkdirSync(path.join(root, 'base-images'));
  fifo(path.join(root, 'base-images', 'alpine-3.20.yaml'));
  await refused(root, ['generate'], /^base-images\/alpine-3\.20\.yaml: is a named pipe \(FIFO\), not a regular file/);
});

test('images.yaml as a FIFO, or linked to /dev/zero, is refused', async () => {
  const root = app();
  fs.rmSync(path.join(root, 'images.yaml'));
  fifo(path.join(root, 'images.yaml'));
  await refused(root, ['generate'], /^images\.yaml: is a named pipe \(FIFO\), not a regular file; images\.yaml must be a file/);
  await refused(root, ['validate'], /^images\.yaml: is a named pipe/);
  fs.rmSync(path.join(root, 'images.yaml'));
  fs.symlinkSync('/dev/zero', path.join(root, 'images.yaml'));
  await refused(root, ['generate'], /^images\.yaml: is a symbolic link to \/dev\/zero, outside the state repo/);
});

test('a Dockerfile that is a FIFO inside the repo is a positioned error', async () => {
  const root = app();
  fs.rmSync(path.join(root, 'app', 'Dockerfile'));
  fifo(path.join(root, 'app', 'Dockerfile'));
  await refused(root, ['generate'], /^images\.yaml:1:3: image "app": app\/Dockerfile is a named pipe \(FIFO\), not a regular file/);
});

test('dist/values.yaml as a FIFO or /dev/zero: graph, impact and rebuild refuse it', async () => {
  const root = app();
  fs.mkdirSync(path.join(root, 'dist'));
  fifo(path.join(root, 'dist', 'values.yaml'));
  await refused(root, ['graph'], /values\.yaml: is a named pipe \(FIFO\), not a regular file/);
  fs.rmSync(path.join(root, 'dist', 'values.yaml'));
  fs.symlinkSync('/dev/zero', path.join(root, 'dist', 'values.yaml'));
  await refused(root, ['impact', 'alpine:3.20'], /values\.yaml: is a symbolic link to \/dev\/zero, outside the state repo/);
  // Named outright, a file outside the repo is read, but a device is not.
  await refused(root, ['rebuild', 'app', '--dry-run', '--values', '/dev/zero'], /dev\/zero: is a device, not a regular file/);
  await refused(root, ['graph', '--values', '/dev/zero'], /dev\/zero: is a device, not a regular file/);
});

test.after(removeTempDirs);
test.run();
