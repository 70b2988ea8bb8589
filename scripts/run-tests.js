#!/usr/bin/env node
// Runs the uvu suites under test/ and its folders (TypeScript through tsx) and ends with the plain
// "N passed, N failed" line that CI reads. Extra arguments narrow the run to matching files.
'use strict';
const { spawn } = require('node:child_process');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
// uvu walks test/ and its folders (test/hostile/, ...); a pattern names files, or a folder
// (`run-tests.js hostile` runs test/hostile/*.test.ts).
const pattern = process.argv[2] ? `(${process.argv[2]})([^/]*/)*[^/]*\\.test\\.ts$` : '\\.test\\.ts$';
const uvu = path.join(path.dirname(require.resolve('uvu', { paths: [root] })), '..', 'bin.js');
const child = spawn(process.execPath, [uvu, 'test', pattern, '-r', 'tsx/cjs'], {
  cwd: root,
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined },
});
// No suite should take long; a hung one must fail CI with a message rather than eat its time.
const limitMinutes = Number(process.env.TEST_TIMEOUT_MINUTES || 50);
const watchdog = setTimeout(() => {
  console.error(`\nrun-tests: no result after ${limitMinutes} minutes; stopping the run`);
  child.kill('SIGKILL');
}, limitMinutes * 60_000);
let out = '';
child.stdout.on('data', (chunk) => {
  out += chunk;
  process.stdout.write(chunk);
});
child.on('close', (code) => {
  clearTimeout(watchdog);
  const plain = out.replace(/\x1b\[[0-9;]*m/g, '');
  const total = Number((plain.match(/Total:\s+(\d+)/) || [])[1] || 0);
  const passed = Number((plain.match(/Passed:\s+(\d+)/) || [])[1] || 0);
  const skipped = Number((plain.match(/Skipped:\s+(\d+)/) || [])[1] || 0);
  const failed = Math.max(total - passed - skipped, code === 0 ? 0 : 1);
  console.log(`\ntests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  process.exit(code === 0 && total > 0 && failed === 0 ? 0 : 1);
});
