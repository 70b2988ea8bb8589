#!/usr/bin/env node
// How long every function in the sources is, so that "no function over ~80 lines without a reason"
// is a rule a test checks rather than a hope. A function may be longer when a comment directly
// above it gives the reason with the marker `Long:` (`// Long: one pass over the bytes is the hot
// path`); its row then carries that reason.
//
// Usage: node scripts/function-lengths.js [--limit N] [--json] [--root DIR] [FOLDER...]
//   FOLDERs (relative to the root; default generator/src analysis-step/src) are read for .ts files.
//   Prints `file:line name length` for each function over the limit (80), with its reason or
//   `no reason`, and exits 1 when one has no reason. With --json it prints every function over the
//   limit as JSON ({file, line, name, lines, reason}) and exits 0: the test applies its own list.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const DEFAULT_FOLDERS = ['generator/src', 'analysis-step/src'];
const DEFAULT_LIMIT = 80;
const REASON_MARKER = /^(?:\/\/|\/?\*+)\s*Long:\s*(\S.*?)\s*(?:\*\/)?$/;

function tsFilesBelow(root, folder) {
  const out = [];
  const entries = fs.readdirSync(path.join(root, folder), { withFileTypes: true });
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const rel = `${folder}/${entry.name}`;
    if (entry.isDirectory()) out.push(...tsFilesBelow(root, rel));
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(rel);
  }
  return out;
}

function isFunctionLike(node) {
  return (
    ts.isFunctionDeclaration(node) ||
    ts.isFunctionExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isMethodDeclaration(node) ||
    ts.isConstructorDeclaration(node) ||
    ts.isGetAccessorDeclaration(node) ||
    ts.isSetAccessorDeclaration(node)
  );
}

function nameText(name) {
  return name && (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isPrivateIdentifier(name) || ts.isNumericLiteral(name)) ? name.text : undefined;
}

/** The name a reader would look for: its own, else what it is assigned to, else `(anonymous)`. */
function ownName(node) {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const own = nameText(node.name);
  if (own) return own;
  const parent = node.parent;
  if (parent && (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))) {
    return nameText(parent.name) ?? '(anonymous)';
  }
  return '(anonymous)';
}

/** The comment lines directly above `line` (0-based), nearest last; blank lines end the block. */
function commentBlockAbove(lines, line) {
  const block = [];
  let inBlockComment = false;
  for (let i = line - 1; i >= 0; i--) {
    const text = lines[i].trim();
    if (inBlockComment) {
      block.unshift(text);
      if (text.startsWith('/*')) inBlockComment = false;
      continue;
    }
    if (text.startsWith('//')) block.unshift(text);
    else if (text.endsWith('*/')) {
      block.unshift(text);
      inBlockComment = !text.startsWith('/*');
    } else break;
  }
  return block;
}

function reasonAbove(lines, line) {
  for (const text of commentBlockAbove(lines, line)) {
    const m = REASON_MARKER.exec(text);
    if (m) return m[1];
  }
  return undefined;
}

/** Every function in one file's text: its qualified name (outer.inner), first line and length. */
function functionsIn(file, text) {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const lines = text.split(/\r?\n/);
  const found = [];
  const visit = (node, outer) => {
    let scope = outer;
    if (isFunctionLike(node) && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = outer ? `${outer}.${ownName(node)}` : ownName(node);
      found.push({ file, line: first + 1, name, lines: last - first + 1, reason: reasonAbove(lines, first) });
      scope = name;
    } else if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
      const className = nameText(node.name) ?? '(class)';
      scope = outer ? `${outer}.${className}` : className;
    }
    ts.forEachChild(node, (child) => visit(child, scope));
  };
  visit(source, undefined);
  return found;
}

/** Every function over `limit` lines in the .ts files below `folders` of `root`. */
function longFunctions(root, folders = DEFAULT_FOLDERS, limit = DEFAULT_LIMIT) {
  const out = [];
  for (const folder of folders) {
    for (const file of tsFilesBelow(root, folder)) {
      const text = fs.readFileSync(path.join(root, file), 'utf8');
      out.push(...functionsIn(file, text).filter((f) => f.lines > limit));
    }
  }
  return out;
}

function usage(message) {
  process.stderr.write(`function-lengths: ${message}\nusage: node scripts/function-lengths.js [--limit N] [--json] [--root DIR] [FOLDER...]\n`);
  process.exit(2);
}

function main(argv) {
  let root = path.resolve(__dirname, '..');
  let limit = DEFAULT_LIMIT;
  let json = false;
  const folders = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--json') json = true;
    else if (arg === '--limit') {
      limit = Number(argv[++i]);
      if (!Number.isInteger(limit) || limit < 1) usage('--limit takes a whole number of lines, at least 1');
    } else if (arg === '--root') {
      if (!argv[i + 1]) usage('--root takes a folder');
      root = path.resolve(argv[++i]);
    } else if (arg.startsWith('-')) usage(`unknown option ${arg}`);
    else folders.push(arg);
  }
  for (const folder of folders) {
    if (!fs.statSync(path.join(root, folder), { throwIfNoEntry: false })?.isDirectory()) usage(`${folder}: not a folder below ${root}`);
  }
  const long = longFunctions(root, folders.length ? folders : DEFAULT_FOLDERS, limit);
  if (json) {
    process.stdout.write(`${JSON.stringify(long, null, 2)}\n`);
    return 0;
  }
  for (const f of long) {
    process.stdout.write(`${f.file}:${f.line} ${f.name} ${f.lines}${f.reason ? ` (Long: ${f.reason})` : ' no reason'}\n`);
  }
  return long.some((f) => !f.reason) ? 1 : 0;
}

module.exports = { functionsIn, longFunctions, DEFAULT_LIMIT };

if (require.main === module) process.exitCode = main(process.argv.slice(2));
