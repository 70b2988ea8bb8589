#!/usr/bin/env node
// Builds the CLI and the service into dist/ (dist/generator/src/..., dist/analysis-step/src/...):
// every .ts file of generator/src and analysis-step/src transpiled on its own to CommonJS by
// esbuild, with tsconfig.build.json's settings. Type checking is not done here but by
// `npm run typecheck` (which `npm test` runs first): `npm ci` and every git install run this
// build, and tsc spent about 9 s of CPU on it where esbuild spends well under one (issue 12:
// `npm ci` under 20 s). tsx, which runs the tests from the same sources, transpiles the same way.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const esbuild = require('esbuild');

const root = path.resolve(__dirname, '..');
const SOURCES = ['generator/src', 'analysis-step/src'];
const OUT = path.join(root, 'dist');

function tsFilesBelow(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) return tsFilesBelow(file);
    return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [file] : [];
  });
}

/** esbuild's finding as `file:line:col: text`, the form every other tool here prints. */
function describe(message) {
  const at = message.location;
  return `build: ${at ? `${at.file}:${at.line}:${at.column + 1}: ` : ''}${message.text}`;
}

fs.rmSync(OUT, { recursive: true, force: true });
try {
  const result = esbuild.buildSync({
    absWorkingDir: root,
    entryPoints: SOURCES.flatMap((dir) => tsFilesBelow(path.join(root, dir))).sort(),
    outdir: OUT,
    outbase: root,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    tsconfig: path.join(root, 'tsconfig.build.json'),
    logLevel: 'silent',
  });
  for (const warning of result.warnings) console.error(describe(warning));
} catch (e) {
  if (!Array.isArray(e.errors)) throw e;
  for (const error of e.errors) console.error(describe(error));
  // Nothing half-built stays behind: bin/image-factory.js would run a partial dist/.
  fs.rmSync(OUT, { recursive: true, force: true });
  process.exitCode = 1;
}
