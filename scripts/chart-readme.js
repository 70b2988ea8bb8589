#!/usr/bin/env node
// Regenerates the values table of chart/README.md from the `## @param` comments in values.yaml,
// with @bitnami/readme-generator-for-helm. `--check` changes nothing and exits 1 when the
// committed table is out of date (the chart tests run it).
'use strict';
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const readme = path.join(root, 'chart', 'README.md');
const values = path.join(root, 'values.yaml');
const bin = path.join(path.dirname(require.resolve('@bitnami/readme-generator-for-helm/package.json', { paths: [root] })), 'bin', 'index.js');

function generate(target) {
  execFileSync(process.execPath, [bin, '-v', values, '-r', target], { stdio: ['ignore', 'pipe', 'pipe'] });
}

if (process.argv.includes('--check')) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chart-readme-'));
  try {
    const copy = path.join(dir, 'README.md');
    fs.copyFileSync(readme, copy);
    generate(copy);
    if (fs.readFileSync(copy, 'utf8') !== fs.readFileSync(readme, 'utf8')) {
      console.error('chart/README.md: the values table is out of date; run `node scripts/chart-readme.js`');
      process.exit(1);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
} else {
  generate(readme);
  console.log('chart/README.md: values table regenerated');
}
