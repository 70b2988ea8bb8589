// The fast images.yaml reader (block-yaml.ts) against the yaml library's positioned parse: whatever
// it accepts, it reads to the same value with every node at the same line and column; whatever the
// two could read differently, it refuses. And the config both paths give is the same, errors included.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readBlockYaml } from '../generator/src/core/block-yaml';
import { parseImagesConfig, parseImagesConfigPositioned } from '../generator/src/core/config';
import { formatProblem, UserError } from '../generator/src/core/errors';
import { readYamlSource, type PathSegment } from '../generator/src/core/yaml-source';
import { pick, seeded } from './support/random';

const ROOT = path.join(__dirname, '..');

/** Every .yaml file under the repository's examples and test fixtures. */
function yamlFilesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.yaml'))
    .map((d) => path.join(d.parentPath, d.name))
    .sort();
}
const FILES = [...yamlFilesUnder(path.join(ROOT, 'examples')), ...yamlFilesUnder(path.join(ROOT, 'test/fixtures'))];

/** Every path in a plain value, the root first. */
function pathsOf(value: unknown, at: PathSegment[] = []): PathSegment[][] {
  const out = [at];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...at, String(i)])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...at, k]));
  return out;
}

/** The positioned parse's answer: the value and each path's positions, or its error. */
function positioned(text: string): { value: unknown; at: (p: PathSegment[], part: 'key' | 'value') => unknown } | undefined {
  try {
    const source = readYamlSource(text, 'f.yaml', { maxAliases: 0 });
    return source.isEmpty ? undefined : { value: source.value, at: (p, part) => source.positionOf(p, part) };
  } catch (e) {
    if (e instanceof UserError) return undefined;
    throw e;
  }
}

/** Fails unless the fast reader refuses `text` or reads it exactly as the positioned parse does. */
function assertAgrees(text: string, name: string): 'read' | 'refused' {
  const fast = readBlockYaml(text, 64);
  if (!fast) return 'refused';
  const slow = positioned(text);
  assert.ok(slow, `${name}: the fast reader accepted what the positioned parse refuses:\n${text}`);
  assert.equal(fast.value, slow!.value, `${name}: values differ`);
  for (const p of pathsOf(slow!.value)) {
    for (const part of ['key', 'value'] as const) assert.equal(fast.positionOf(p, part), slow!.at(p, part), `${name}: ${part} of /${p.join('/')}`);
  }
  // A path that does not fully exist resolves to its deepest existing part, as in YamlSource.
  for (const p of pathsOf(slow!.value).slice(0, 50)) assert.equal(fast.positionOf([...p, 'absent', 3]), slow!.at([...p, 'absent', 3], 'value'));
  return 'read';
}

function outcome(fn: () => unknown): unknown {
  try {
    return JSON.parse(JSON.stringify(fn()));
  } catch (e) {
    if (e instanceof UserError) return e.problems.map(formatProblem);
    throw e;
  }
}

test('every example and fixture: read alike or refused, and the common ones are read', () => {
  const read = FILES.filter((f) => assertAgrees(fs.readFileSync(f, 'utf8').replace(/^\ufeff/, ''), path.relative(ROOT, f)) === 'read');
  // The fast path must not quietly become the slow one: the examples are in the subset.
  for (const must of ['examples/exemplar/images.yaml', 'examples/providers/images.yaml', 'test/fixtures/generate-basic/input/images.yaml']) {
    assert.ok(read.includes(path.join(ROOT, must)), `${must} is not read by the fast reader`);
  }
  assert.ok(read.length >= 20, `only ${read.length} files read`);
});

test('every example and fixture: parseImagesConfig gives what the positioned path gives, config or messages', () => {
  for (const f of FILES.filter((f) => f.endsWith('images.yaml'))) {
    const bytes = fs.readFileSync(f);
    assert.equal(outcome(() => parseImagesConfig(bytes, 'images.yaml')), outcome(() => parseImagesConfigPositioned(bytes, 'images.yaml')), path.relative(ROOT, f));
  }
});

// Where YAML readers part ways (1.1 against 1.2, numbers, merge keys, anchors, tags, escapes,
// duplicates, layout), one line each; the fast reader must refuse or agree, never guess.
const TRICKY = [
  'a: yes\nb: no\nc: on\nd: off\ne: y\n',
  'a: True\n',
  'a: FALSE\n',
  'a: 1.0\n',
  'a: 012\n',
  'a: 0x1f\n',
  'a: 0o17\n',
  'a: 1e3\n',
  'a: .inf\n',
  'a: -1\n',
  'a: +1\n',
  'a: 1_000\n',
  'a: 12:30\n',
  'a: 2001-12-14\n',
  'a: 2001-12-14t21:59:43.10-05:00\n',
  'a: 123456789012345678901234567890\n',
  'a: Null\n',
  'a: ~\n',
  'a: null\n',
  'a:\n',
  'a:   # nothing\nb: 1\n',
  'base: &b {x: 1}\nc:\n  <<: *b\n',
  '<<: {x: 1}\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: !custom x\n',
  'a: "\\x41\\u00e9\\/\\e"\n',
  'a: "tab\\there \\"q\\" back\\\\slash"\n',
  "a: 'it''s'\n",
  "a: 'unclosed\n",
  'a: "two\n  lines"\n',
  'a: plain\n  continued\n',
  'a: |\n  block\n',
  'a: >\n  folded\n',
  'a: [1, 2]\n',
  'a: {b: 1}\n',
  'a: []\n',
  'a: 1\na: 2\n',
  'a:\n  b: 1\n  b: 1\n',
  '---\na: 1\n',
  'a: 1\n---\nb: 2\n',
  'a: 1\n...\n',
  '%YAML 1.2\n---\na: 1\n',
  'a:\tb\n',
  'a: 1\r\nb: 2\r\n',
  '? a\n: b\n',
  '"a": 1\n',
  "'a b': 1\n",
  'a b: 1\n',
  'a : 1\n',
  'a:b\n',
  '1: x\n',
  'true: x\n',
  '__proto__: x\n',
  `${'k'.repeat(1100)}: x\n`,
  'a: x # comment\nb: "y" # comment\nc: \'z\' # c\n',
  'a: x#not-a-comment\n',
  'a: "x"#bad\n',
  'a: b: c\n',
  'a: b:\n',
  'a: http://x.y/z?q=1#frag\n',
  'a: -x\n',
  'a: - x\n',
  'a: ,x\n',
  'a: @x\n',
  'a: `x\n',
  'a: %x\n',
  'a: x,y[z]{w}\n',
  'a: ü ñ 中文\n',
  'a: 😀\n',
  'a: "\\u00e9"\n',
  'a: x\u0085y\n',
  'a: x\u00a0\n',
  '- a\n- b\n',
  '- - a\n',
  '-\n  a: 1\n',
  '- # c\n  a: 1\n',
  '- a: 1\n  b: 2\n- a: 3\n',
  '-   a: 1\n    b: 2\n',
  '- a: 1\n   b: 2\n',
  '- a: 1\n b: 2\n',
  'x:\n- a\n- b\ny: 1\n',
  'x:\n  - a\n  -  b\n',
  'x:\n    deep: 1\n  shallow: 2\n',
  'x:\n  a: 1\n   b: 2\n',
  'x:\n  # comment\n  a: 1\n#c\n     # c\ny: 2\n',
  '  a: 1\n',
  '\n\n# only a comment\n',
  '',
  'just a scalar\n',
  'a: 1\n  \n\nb: 2',
  'a: "unterminated\n',
  "a: '' \n",
  'a: ""\n',
  'a: "x" y\n',
  'a:  two  spaces  inside  \n',
];

test('where YAML readers part ways, the fast reader refuses or agrees', () => {
  for (const text of TRICKY) assertAgrees(text, JSON.stringify(text));
  // And it does decide the plain cases rather than refusing everything.
  for (const text of ['a: yes\nb: no\nc: on\nd: off\ne: y\n', 'a: null\n', 'a:\n', '- a: 1\n  b: 2\n- a: 3\n', 'x:\n- a\n- b\ny: 1\n', "a: 'it''s'\n", 'a: 1\nb: 0\nc: true\n']) {
    assert.is(assertAgrees(text, JSON.stringify(text)), 'read', JSON.stringify(text));
  }
  // YAML 1.1 words and dates are strings to the positioned parse (YAML 1.2), and so to the fast reader.
  assert.equal(readBlockYaml('a: yes\nb: 2001-12-14\nc: 1_000\n', 64)?.value, { a: 'yes', b: '2001-12-14', c: '1_000' });
  // Numbers beyond plain integers, merge keys, anchors, duplicates, hex: refused, left to the positioned parse.
  for (const text of ['a: 1.0\n', 'a: True\n', 'base: &b {x: 1}\nc:\n  <<: *b\n', 'a: 1\na: 2\n', 'a: &x 1\nb: *x\n', 'a: 0x1f\n']) {
    assert.is(readBlockYaml(text, 64), undefined, JSON.stringify(text));
  }
});

/** A random block-YAML text: a tree written with random indents, list placement, comments and quoting. */
function randomBlockYaml(random: () => number): string {
  const keys = ['name', 'registry', 'repository', 'source', 'dockerfile', 'rebuildDelay', 'a.b', 'x-y', 'PYTHON_VERSION', 'k/1'];
  const scalars = ['nginx', 'ghcr.io', 'acme/api', '"quoted: yes"', "'single # not a comment'", '12h', '0', '7', 'true', 'null', '~', 'v # c', '1.5', 'no', '"\\n"', 'x\u00e9', "'it''s'", '-1', 'https://h.example/x:1'];
  const step = 1 + Math.floor(random() * 4);
  const lines: string[] = [];
  const mapping = (indent: number, depth: number, first?: string): void => {
    const used = new Set<string>();
    const n = 1 + Math.floor(random() * 4);
    for (let k = 0; k < n; k++) {
      const key = pick(random, keys);
      if (used.has(key)) continue;
      used.add(key);
      const lead = k === 0 && first !== undefined ? first : ' '.repeat(indent);
      if (random() < 0.1) lines.push(`${' '.repeat(Math.floor(random() * 6))}# comment`);
      const kind = depth >= 3 ? 0 : random();
      if (kind < 0.55) lines.push(`${lead}${key}: ${pick(random, scalars)}`);
      else if (kind < 0.75) {
        lines.push(`${lead}${key}:`);
        mapping(indent + step, depth + 1);
      } else {
        lines.push(`${lead}${key}:`);
        sequence(random() < 0.5 ? indent : indent + step, depth + 1);
      }
    }
  };
  const sequence = (indent: number, depth: number): void => {
    const n = 1 + Math.floor(random() * 3);
    for (let k = 0; k < n; k++) {
      const dash = `${' '.repeat(indent)}-${' '.repeat(1 + Math.floor(random() * 2))}`;
      if (depth >= 3 || random() < 0.5) lines.push(`${dash}${pick(random, scalars)}`);
      else mapping(dash.length, depth + 1, dash);
    }
  };
  if (random() < 0.3) sequence(0, 0);
  else mapping(0, 0);
  // Now and then one line slips: an indent off by one, a trailing comment, a tab.
  if (random() < 0.4) {
    const i = Math.floor(random() * lines.length);
    lines[i] = pick(random, [` ${lines[i]}`, lines[i].replace(/^ /, ''), `${lines[i]} # trailing`, `${lines[i]}\t`, `${lines[i]}:`]);
  }
  return `${lines.join('\n')}\n`;
}

test('random block layouts: refused or read alike (seeded)', () => {
  const random = seeded(9);
  let read = 0;
  for (let n = 0; n < 400; n++) {
    const text = randomBlockYaml(random);
    if (assertAgrees(text, `case ${n}: ${JSON.stringify(text)}`) === 'read') read++;
  }
  assert.ok(read >= 100, `only ${read} of 400 random files read: the comparison proves little`);
});

test('a file in the subset with a problem gets the positioned messages, word for word', () => {
  const entry = (name: string, repo: string) => `  - name: ${name}\n    registry: ghcr.io\n    repository: ${repo}\n    source:\n      dockerfile: D\n      workflow: b.yml\n`;
  const text = `images:\n${entry('a', 'acme/a')}${entry('a', 'acme/a')}${entry('c', 'ghcr.io/acme/c')}    rebuildDelay: 12\n`;
  assert.ok(readBlockYaml(text, 64), 'the case is in the subset, so the fast reader saw it first');
  const messages = outcome(() => parseImagesConfig(text, 'images.yaml'));
  assert.equal(messages, outcome(() => parseImagesConfigPositioned(text, 'images.yaml')));
  assert.equal(messages, [
    'images.yaml:8:11: image name "a" is used twice (first at line 2, column 11); give each image its own name',
    'images.yaml:10:17: image ghcr.io/acme/a is enrolled twice (first at line 4, column 17); one entry per image',
    'images.yaml:16:17: repository "ghcr.io/acme/c" starts with the registry; write only the path: repository: acme/c',
    'images.yaml:20:19: rebuildDelay 12 has no unit; write e.g. 12d, 12h or 12m (or 0 to rebuild at once)',
  ]);
});

test.run();
