// Docs that are true: every command in a fenced `sh` block of README.md and docs/ (and the other
// READMEs) that starts with `image-factory` or `npx` is run here, as a user would type it, against
// a copy of the exemplar state repo, or, for a block that runs `init`, a fresh clone with an origin.
// `image-factory` and `npx --no -- image-factory` run the CLI under test (its TypeScript source) as
// an installed package's bin would. A pipeline into another tool runs whole when that tool is
// installed, else up to the pipe. The error examples the docs quote are checked against real output.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from './support/git-repos';
import { npmEnv } from './support/npm-env';
import { CLI_MAIN } from './support/cli-child';
import { copyTree, removeTempDirs, tempDir } from './support/tree';

const ROOT = path.resolve(__dirname, '..');
const EXEMPLAR = path.join(ROOT, 'examples', 'exemplar');
const DOCS = ['README.md', 'chart/README.md', 'analysis-step/README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];

/**
 * Commands the docs show that this test leaves out, each with why. Empty: every documented
 * `image-factory` and `npx` command exists and runs. (A command documented before it is built
 * would be listed here, e.g. `'image-factory status': 'issue 14, not on this branch yet'`.)
 */
const NOT_RUN: Record<string, string> = {};

interface DocCommand {
  file: string;
  line: number;
  text: string;
}

/** The commands of each fenced sh block, one block a list, that start with image-factory or npx. */
function documentedBlocks(): DocCommand[][] {
  const blocks: DocCommand[][] = [];
  for (const file of DOCS) {
    const lines = fs.readFileSync(path.join(ROOT, file), 'utf8').split('\n');
    let block: DocCommand[] | undefined;
    lines.forEach((raw, i) => {
      const line = raw.trim();
      if (block === undefined && /^```sh\s*$/.test(line)) block = [];
      else if (block !== undefined && line.startsWith('```')) {
        if (block.length) blocks.push(block);
        block = undefined;
      } else if (block !== undefined && /^(image-factory|npx)\s/.test(line)) block.push({ file, line: i + 1, text: line });
    });
  }
  return blocks;
}

/** A folder holding `image-factory` for PATH, running the CLI's source as the installed bin would. */
function shimDir(): string {
  const dir = tempDir('docs-bin');
  const tsx = require.resolve('tsx/cjs');
  fs.writeFileSync(path.join(dir, 'image-factory'), `#!/bin/sh\nexec "${process.execPath}" -r "${tsx}" "${CLI_MAIN}" "$@"\n`, { mode: 0o755 });
  return dir;
}

/** Where a block runs: a fresh clone with an origin for init, else a copy of the exemplar; with the CLI installed as npx finds it. */
function stateRepoFor(block: DocCommand[], bin: string): string {
  const dir = tempDir('docs-state');
  if (block.some((c) => /\binit\b/.test(c.text))) {
    git(dir, ['init', '--quiet', '--initial-branch=main']);
    git(dir, ['remote', 'add', 'origin', 'git@github.com:acme/images-state.git']);
  } else {
    copyTree(EXEMPLAR, dir);
  }
  fs.mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
  fs.symlinkSync(path.join(bin, 'image-factory'), path.join(dir, 'node_modules', '.bin', 'image-factory'));
  return dir;
}

const onPath = (tool: string): boolean => spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;

/** The command as run: whole, or up to the first pipe when a tool after it is not installed. */
function runnable(text: string): string {
  const stages = text.replace(/\s+#\s.*$/, '').split(/\s\|\s/);
  const tools = stages.slice(1).map((s) => s.trim().split(/\s+/)[0]);
  return tools.every(onPath) ? stages.join(' | ') : stages[0].replace(/\s*>\s*\S+\s*$/, '');
}

test.after(removeTempDirs);

test('every image-factory and npx command in the docs runs and succeeds', () => {
  const bin = shimDir();
  const blocks = documentedBlocks();
  const commands = blocks.flat();
  assert.ok(commands.length >= 8, `documented commands found: ${commands.length}`);
  for (const block of blocks) {
    const dir = stateRepoFor(block, bin);
    for (const command of block) {
      const skipped = Object.keys(NOT_RUN).find((prefix) => command.text.startsWith(prefix));
      if (skipped) continue;
      const script = `set -o pipefail; ${runnable(command.text)}`;
      const env = { ...npmEnv(), PATH: `${bin}${path.delimiter}${process.env.PATH}`, NO_COLOR: '1', SOURCE_DATE_EPOCH: '1767225600' };
      const r = spawnSync('bash', ['-c', script], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
      assert.is(r.status, 0, `${command.file}:${command.line}: ${command.text}\n${r.stdout}\n${r.stderr}`);
    }
  }
  // The commands of the README's first steps, in order: init then generate, in one clone.
  const first = blocks.find((b) => b.some((c) => /\binit\b/.test(c.text)));
  assert.equal(first?.map((c) => c.text.split('#')[0].trim()), ['npx --no -- image-factory init', 'npx --no -- image-factory generate']);
});

test('the allowlist names only commands the docs still show', () => {
  const commands = documentedBlocks().flat().map((c) => c.text);
  for (const prefix of Object.keys(NOT_RUN)) assert.ok(commands.some((c) => c.startsWith(prefix)), `${prefix} is no longer documented; drop it from NOT_RUN`);
});

test('chart/examples/values.yaml is values the CLI reads (graph --values, impact --values)', () => {
  const values = path.join(ROOT, 'chart/examples/values.yaml');
  for (const args of [['graph', '--values', values, '--format', 'json'], ['impact', 'docker.io/library/python:3.12-slim', '--values', values]]) {
    const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), CLI_MAIN, ...args], { encoding: 'utf8' });
    assert.is(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
  }
});

test("docs/rebuild-chain.md's cycle message is what generate and validate print", () => {
  const doc = fs.readFileSync(path.join(ROOT, 'docs/rebuild-chain.md'), 'utf8');
  const quoted = /```\n(images\.yaml: image cycle: [^\n]+)\n```/.exec(doc);
  assert.ok(quoted, 'the doc quotes the message');
  const dir = tempDir('docs-cycle');
  const image = (name: string, from: string) => {
    fs.mkdirSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name, 'Dockerfile'), `FROM ghcr.io/acme/${from}:1\n`);
    return `  - name: ${name}\n    registry: ghcr.io\n    repository: acme/${name}\n    source:\n      dockerfile: ${name}/Dockerfile\n      workflow: ${name}.yml\n`;
  };
  fs.writeFileSync(path.join(dir, 'images.yaml'), `images:\n${image('a', 'b')}${image('b', 'a')}`);
  for (const command of ['generate', 'validate']) {
    const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), CLI_MAIN, command, '--root', dir], { encoding: 'utf8' });
    assert.is(r.status, 1);
    assert.is(r.stderr.trim(), quoted![1]);
  }
});

test("the README's error example is the message images.yaml gets", () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const quoted = /```\n(images\.yaml:(\d+):(\d+): rebuildDelay "7 days" [^\n]+)\n```/.exec(readme);
  assert.ok(quoted, 'the README quotes the message');
  const dir = tempDir('docs-error');
  // The README's own images.yaml example, with the delay the error example quotes, on its line.
  const example = /```yaml\n(stateRepo:[\s\S]*?)```/.exec(readme)![1].split('\n');
  const line = Number(quoted![2]) - 1;
  assert.match(example[line], /rebuildDelay: 7d/);
  example[line] = example[line].replace('rebuildDelay: 7d', 'rebuildDelay: 7 days');
  fs.writeFileSync(path.join(dir, 'images.yaml'), example.join('\n'));
  const r = spawnSync(process.execPath, ['-r', require.resolve('tsx/cjs'), CLI_MAIN, 'validate', '--root', dir], { encoding: 'utf8' });
  assert.is(r.status, 1);
  assert.is(r.stderr.trim().split('\n')[0], quoted![1]);
});

test.run();
