// Hostile state repos, part 3: sizes. Deep nesting, huge counts and long strings must be refused
// at a bound with a position (or recorded compactly), never exhaust memory or the stack, never
// flood the terminal, and whatever one run writes, the next run must read. Heavy cases run the CLI
// as a child process under a heap limit, a memory watchdog and a wall-clock limit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describeEnd, runCli, type ChildResult } from '../support/cli-child';
import { cli, imageEntry, localImages, repoWith } from '../support/hostile-repo';
import { removeTempDirs, snapshot } from '../support/tree';
import { MAX_RECORDED_IMAGES, MAX_RECORDED_WARNINGS } from '../../generator/src/core/state';
import { MAX_STATE_BYTES } from '../../generator/src/core/state-file';
import { MAX_LISTED_PROBLEMS, MAX_MESSAGE_CHARS } from '../../generator/src/core/errors';

const ENV = { SOURCE_DATE_EPOCH: '1767225600' };
process.env.SOURCE_DATE_EPOCH = ENV.SOURCE_DATE_EPOCH;

async function generate(root: string, ...extra: string[]): Promise<ChildResult> {
  return runCli(['generate', '--root', root, ...extra], { env: ENV });
}

/** Runs generate, expects exit 1 with `message` on the first line, and the tree as it was. */
async function refused(root: string, message: RegExp, command = 'generate'): Promise<ChildResult> {
  const before = snapshot(root);
  const run = await runCli([command, '--root', root], { env: ENV });
  assert.is(run.code, 1, describeEnd(run));
  assert.match(run.stderr.split('\n')[0], message);
  assert.not.match(run.stderr, /\n\s+at /, 'no stack trace');
  assert.equal(snapshot(root), before, 'the tree is unchanged');
  return run;
}

/**
 * Generates (in a bounded child), then runs again: the second run must read everything the first
 * wrote and change nothing (in this process: the first run has shown the input is harmless).
 */
async function writtenAndReadBack(root: string): Promise<void> {
  const first = await generate(root);
  assert.is(first.code, 0, describeEnd(first));
  const again = await cli('generate', '--root', root);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stdout, 'nothing to change');
  const check = await cli('validate', '--root', root);
  assert.is(check.code, 0, check.stderr);
}

test('images: [[[... of 2 MiB and 8 MiB is refused at the 65th level, with its position', async () => {
  for (const mib of [2, 8]) {
    const root = repoWith({ 'images.yaml': `images: ${'['.repeat(mib * 1024 * 1024)}` });
    await refused(root, /^images\.yaml:1:72: is nested too deeply to be a YAML file anyone edits \(more than 64 levels here\)/);
  }
});

test('a 10 MiB dist/values.yaml nested deeply: graph refuses it with its position', async () => {
  const root = repoWith({ 'dist/values.yaml': `images:\n- ${'{a: '.repeat(2 * 1024 * 1024)}1` });
  const run = await refused(root, /values\.yaml:2:\d+: is nested too deeply/, 'graph');
  assert.ok(run.stderr.length < 1000);
});

test('block nesting: 4,000 levels of indentation is refused at the 65th', async () => {
  const lines = Array.from({ length: 4000 }, (_, i) => `${' '.repeat(i)}k${i}:`);
  const root = repoWith({ 'images.yaml': `${lines.join('\n')}\n` });
  await refused(root, /^images\.yaml:65:65: is nested too deeply/);
});

/** The image's state file with its lastRebuild (the last key) written as `yaml`. */
function withLastRebuild(file: string, yaml: string): string {
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf('\nlastRebuild:');
  assert.ok(at > 0 && !/\n[^ ]/.test(text.slice(at + 1, -1)), 'lastRebuild is the last key');
  const changed = `${text.slice(0, at)}\nlastRebuild: ${yaml}\n`;
  fs.writeFileSync(file, changed);
  return changed;
}

test('lastRebuild nested 3,000 deep in a state file is refused where it is read, with its position', async () => {
  const root = localImages({ app: 'FROM alpine:3.20\n' });
  assert.is((await generate(root)).code, 0);
  const text = withLastRebuild(path.join(root, 'images', 'app.yaml'), `${'['.repeat(3000)}${']'.repeat(3000)}`);
  const line = text.split('\n').findIndex((l) => l.startsWith('lastRebuild')) + 1;
  await refused(root, new RegExp(`^images/app\\.yaml:${line}:77: is nested too deeply`));
});

test('the deepest and the largest lastRebuild a state file may hold are read, and written back small', async () => {
  const root = localImages({ app: 'FROM alpine:3.20\n' });
  assert.is((await generate(root)).code, 0);
  const file = path.join(root, 'images', 'app.yaml');
  const fresh = fs.readFileSync(file, 'utf8');
  // The file's own mapping is level 1; lastRebuild may take the other 63. In block style, 60 levels
  // deep, these 100,000 items would take 12 MB: what is not lastRebuild's fixed shape is dropped.
  const items = Array.from({ length: 100_000 }, () => '1').join(',');
  for (const value of [`${'{a: '.repeat(63)}1${'}'.repeat(63)}`, `{at: "", bases: ${'{a: '.repeat(59)}[${items}]${'}'.repeat(59)}}`]) {
    withLastRebuild(file, value);
    assert.ok(fs.statSync(file).size < MAX_STATE_BYTES);
    await writtenAndReadBack(root);
    assert.is(fs.readFileSync(file, 'utf8'), fresh);
  }
});

test('950 KB of `COPY --from=$X` lines naming one image: one entry, a small state file, read back by the next run', async () => {
  const lines = Array.from({ length: 35_000 }, (_, i) => `COPY --from=$X /a${i} /bb\n`);
  const root = localImages({ app: `ARG X=alpine:3.20\nFROM scratch\nARG X\n${lines.join('')}` });
  assert.ok(fs.statSync(path.join(root, 'app', 'Dockerfile')).size > 900_000);
  await writtenAndReadBack(root);
  const state = fs.readFileSync(path.join(root, 'images', 'app.yaml'), 'utf8');
  assert.ok(state.length < 4096, `${state.length} bytes`);
  assert.match(state, 'copies:\n  - ref: docker.io/library/alpine:3.20\n    line: 4\n  warnings: []');
});

test('35,000 `COPY --from=$X` lines where X has no value: the first 100 warnings and a count, read back by the next run', async () => {
  const lines = Array.from({ length: 35_000 }, (_, i) => `COPY --from=$X /a${i} /bb\n`);
  const root = localImages({ app: `FROM scratch\n${lines.join('')}` });
  await writtenAndReadBack(root);
  const state = fs.readFileSync(path.join(root, 'images', 'app.yaml'), 'utf8');
  assert.ok(state.length < 64 * 1024, `${state.length} bytes`);
  assert.match(state, `  - line: ${MAX_RECORDED_WARNINGS + 2}\n    col: 6\n    message: ${35_000 - MAX_RECORDED_WARNINGS} more warnings from here on are not recorded; fix the ones above first\n`);
});

test('35,000 different COPY --from images: refused at the first one past the limit, with its line', async () => {
  const lines = Array.from({ length: 35_000 }, (_, i) => `COPY --from=t${i}:1 / /\n`);
  const root = localImages({ app: `FROM scratch\n${lines.join('')}` });
  const limit = MAX_RECORDED_IMAGES;
  await refused(root, new RegExp(`^app/Dockerfile:${limit + 2}:1: this Dockerfile copies from \\(COPY --from, RUN --mount from=\\) more than ${limit} different images`));
});

test('1,000 stages FROM different images: refused at the first one past the limit', async () => {
  const lines = Array.from({ length: 2 * MAX_RECORDED_IMAGES }, (_, i) => `FROM b${i}:1 AS s${i}\n`);
  const root = localImages({ app: lines.join('') });
  await refused(root, new RegExp(`^app/Dockerfile:${MAX_RECORDED_IMAGES + 1}:1: this Dockerfile builds FROM more than ${MAX_RECORDED_IMAGES} different images`));
});

test('the most a Dockerfile may name, with the longest references, is written and read back', async () => {
  const long = (kind: string, i: number) => `registry.example.com/${kind}-${'x'.repeat(180)}-${i}:${'t'.repeat(120)}`;
  const bases = Array.from({ length: MAX_RECORDED_IMAGES }, (_, i) => `FROM ${long('base', i)} AS s${i}\n`);
  const copies = Array.from({ length: MAX_RECORDED_IMAGES }, (_, i) => `COPY --from=${long('tool', i)} /a /b\n`);
  const unresolved = Array.from({ length: 300 }, (_, i) => `COPY --from=$UNSET_${i} /a /b\n`);
  const root = localImages({ app: [...bases, ...copies, ...unresolved].join('') });
  await writtenAndReadBack(root);
  const size = fs.statSync(path.join(root, 'images', 'app.yaml')).size;
  assert.ok(size > MAX_STATE_BYTES / 3 && size < MAX_STATE_BYTES, `${size} bytes`);
  const state = fs.readFileSync(path.join(root, 'images', 'app.yaml'), 'utf8');
  assert.is(state.split('\n  - line: ').length - 1, MAX_RECORDED_WARNINGS + 1, 'warnings are capped, and one says how many more');
});

test('a platform ARG repeated by every FROM, enough to overflow the state file: refused before anything is written', async () => {
  // 5 KB once, recorded once per base: 2.5 MB if it were written. (Far longer values are refused
  // earlier, by the analyser's bound on substitution work: test/hostile/dockerfile.test.ts.)
  const bases = Array.from({ length: MAX_RECORDED_IMAGES }, (_, i) => `FROM --platform=$P b${i}:1\n`);
  const root = localImages({ app: `ARG P=linux/${'x'.repeat(5_000)}\n${bases.join('')}` });
  await refused(root, /^images\.yaml:1:3: image "app": images\/app\.yaml would be over 1 MiB written out, the most a state file may be, because of what its Dockerfile names/);
});

test('2,000 invalid images: the first 100 problems, then how many more; stderr stays small', async () => {
  // (20,000 gave 13.5 MB of stderr; they take 30 s to validate on a loaded machine, 2,000 make the point.)
  const entries = Array.from({ length: 2_000 }, (_, i) => imageEntry(`Bad_${i}`));
  const root = repoWith({ 'images.yaml': entries.join('') });
  const run = await refused(root, /^images\.yaml:1:9: /);
  const lines = run.stderr.trimEnd().split('\n');
  assert.is(lines.length, MAX_LISTED_PROBLEMS + 1);
  assert.match(lines[lines.length - 1], /^\.\.\. and \d+ more problems \(fix the ones above and run again to see them\)$/);
  assert.ok(Number(/and (\d+) more/.exec(lines[lines.length - 1])?.[1]) >= 2_000 - MAX_LISTED_PROBLEMS);
  assert.ok(run.stderrBytes < 64 * 1024, `${run.stderrBytes} bytes of stderr`);
});

test('a 1 MB tag gives one short line quoting the start of it', async () => {
  const tag = 'v'.repeat(1024 * 1024);
  const root = repoWith({ 'images.yaml': `baseImages:\n- ref: alpine:${tag}\n  interval: 5m\nimages:\n${imageEntry('app').replace(/^/gm, '  ')}`, 'app/Dockerfile': 'FROM alpine:3.20\n' });
  const run = await refused(root, /^images\.yaml:2:8: baseImages\[0\]\.ref "alpine:v+…" \(1048583 characters\) is not a valid image reference/);
  for (const line of run.stderr.trimEnd().split('\n')) assert.ok(line.length <= MAX_MESSAGE_CHARS, `a line of ${line.length} characters`);
});

test.after(removeTempDirs);
test.run();
