// One unit for fetch timeouts, whole seconds, wherever one is set: generate's and analyze's
// --fetch-timeout, IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS (the service reads it too, and the chart sets
// it from analysisService.timeouts.fetchSeconds). The same text means the same everywhere.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../generator/src/cli/cli';
import { fetchTimeoutMs } from '../generator/src/core/fetch-timeout';
import { UserError } from '../generator/src/core/errors';
import { captureOutput, copyTree, removeTempDirs, tempDir } from './support/tree';

const EXEMPLAR = path.join(__dirname, '..', 'examples', 'exemplar');

function refused(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.instance(e, UserError);
    return (e as Error).message;
  }
  return assert.unreachable('expected a UserError') as never;
}

test.after(removeTempDirs);

test('seconds, from the flag, else the variable, else 60', () => {
  assert.is(fetchTimeoutMs(undefined, {}), 60_000);
  assert.is(fetchTimeoutMs('5', {}), 5_000);
  assert.is(fetchTimeoutMs(undefined, { IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '90' }), 90_000);
  assert.is(fetchTimeoutMs('5', { IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '90' }), 5_000, 'the flag wins');
  assert.is(refused(() => fetchTimeoutMs('30s', {})), '--fetch-timeout: "30s" is not a whole number of seconds; write e.g. 60 (no unit)');
  assert.is(refused(() => fetchTimeoutMs('0', {})), '--fetch-timeout: 0 is out of range; use 1 to 600 seconds');
  assert.is(refused(() => fetchTimeoutMs(undefined, { IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '1.5' })), 'IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: "1.5" is not a whole number of seconds; write e.g. 60 (no unit)');
});

test('generate --fetch-external and analyze refuse a unit before fetching anything', async () => {
  const root = tempDir('fetch-timeout');
  copyTree(EXEMPLAR, root);
  const before = fs.readFileSync(path.join(root, 'dist/values.yaml'), 'utf8');
  for (const args of [
    ['generate', '--root', root, '--fetch-external', '--fetch-timeout', '2m'],
    ['analyze', '--root', root, '--image', 'image-factory-analysis', '--fetch-timeout', '2m'],
  ]) {
    const { result, stderr } = await captureOutput(() => main(['node', 'image-factory', ...args]));
    assert.is(result, 1, args[0]);
    assert.is(stderr, '--fetch-timeout: "2m" is not a whole number of seconds; write e.g. 60 (no unit)\n', args[0]);
  }
  assert.is(fs.readFileSync(path.join(root, 'dist/values.yaml'), 'utf8'), before);
});

test.run();
