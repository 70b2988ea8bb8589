// The canonical YAML writer and reader (generator/src/core/canonical-yaml.ts) against the yaml
// library: the same bytes for every document the project writes (fixtures, the exemplar) and for
// generated data full of awkward strings, except the two documented places where the writer quotes
// more; every output reads back as exactly the data that was written.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse, stringify } from 'yaml';
import { readCanonicalYaml, readExactCanonicalYaml, renderYaml } from '../generator/src/core/canonical-yaml';

function libraryYaml(value: unknown): string {
  return stringify(value, { indent: 2, lineWidth: 0, minContentWidth: 0, aliasDuplicateObjects: false, indentSeq: false });
}

function yamlFilesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, d.name);
    if (d.isDirectory()) out.push(...yamlFilesBelow(full));
    else if (d.name.endsWith('.yaml') && /(images|base-images|dist)$/.test(path.basename(dir))) out.push(full);
  }
  return out;
}

test('every state and values file in the repository is written exactly as the library would', () => {
  const files = [...yamlFilesBelow(path.join(__dirname, 'fixtures')), ...yamlFilesBelow(path.join(__dirname, '..', 'examples'))];
  assert.ok(files.length >= 20, `found ${files.length} files`);
  for (const file of files) {
    let data: unknown;
    try {
      data = parse(fs.readFileSync(file, 'utf8'));
    } catch {
      continue; // a deliberately broken input of an error fixture
    }
    if (data === null || typeof data !== 'object') continue;
    assert.is(renderYaml(data), libraryYaml(data), file);
  }
});

const AWKWARD = [
  '', ' ', 'a b', ' lead', 'trail ', 'key: value', 'a:b', 'a #b', 'a#b', '#c', '-', '- x', '-x', '?x', ':x', '---', '...x',
  'true', 'True', 'FALSE', 'null', '~', 'yes', 'no', 'on', '0', '-1', '+1', '1.0', '.5', '1e3', '0x1F', '0o17', '.inf', '-.Inf', '.nan',
  '7d', '168h', '3.20', '2026-01-01T00:00:00Z', 'sha256:abc', 'docker.io/library/node:22', '${{ vars.x }}', "it's", 'say "hi"',
  'tab\there', 'line\nbreak', 'ünïcödé', '[x]', '{x}', '&a', '*a', '!t', '|', '>', '%x', '@x', '`x', 'a,b', 'x:', 'a\\b',
];

function pseudoRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function randomValue(rand: () => number, depth: number): unknown {
  const r = rand();
  if (depth > 3 || r < 0.45) {
    const pick = Math.floor(rand() * (AWKWARD.length + 4));
    if (pick < AWKWARD.length) return AWKWARD[pick];
    return [42, -7, true, null][pick - AWKWARD.length];
  }
  const n = Math.floor(rand() * 4);
  if (r < 0.7) return Array.from({ length: n }, () => randomValue(rand, depth + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++) o[AWKWARD[Math.floor(rand() * AWKWARD.length)] || `k${i}`] = randomValue(rand, depth + 1);
  return o;
}

test('awkward strings and nesting: same bytes as the library, and the data reads back unchanged', () => {
  const rand = pseudoRandom(20261124);
  for (let i = 0; i < 3000; i++) {
    const value = { root: randomValue(rand, 0), list: [randomValue(rand, 1)] };
    const text = renderYaml(value);
    assert.equal(parse(text), value, text);
    // Where the writer is more careful than the library, both read back the same: multi-line strings
    // are double-quoted (the library picks a block scalar), and so are strings that start like a
    // document marker (`---`, `...`), which at the start of a line would end the document.
    const json = JSON.stringify(value);
    if (!json.includes('\\n') && !/"(---|\.\.\.)/.test(json)) assert.is(text, libraryYaml(value), JSON.stringify(value));
  }
});

test('readCanonicalYaml reads back every generated document exactly', () => {
  const rand = pseudoRandom(7);
  for (let i = 0; i < 3000; i++) {
    const value = { root: randomValue(rand, 0), list: [randomValue(rand, 1)], n: i };
    assert.equal(readCanonicalYaml(renderYaml(value, 'header')), value);
  }
  const files = [...yamlFilesBelow(path.join(__dirname, 'fixtures', 'generate-basic')), ...yamlFilesBelow(path.join(__dirname, '..', 'examples'))];
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    assert.equal(readCanonicalYaml(text), parse(text), file);
  }
});

test('readCanonicalYaml declines what renderYaml would not have written, so the full parser reads it', () => {
  for (const text of [
    'a:\n  - 1\n',           // indented sequence
    'a: [1, 2]\n',            // flow style
    'a: 1\nb: 2',             // no final newline
    'a: 1\n\nb: 2\n',        // blank line
    'a:   1\n',              // extra spaces
    "a: 'x'\n",              // single quotes
    'a: 1 # note\n',         // trailing comment
    'a: 01\n',               // a number written differently
    'a: 1\na: 2\n',          // duplicate key
    'a: &x 1\nb: *x\n',      // anchors and aliases
    'a:\n\tb: 1\n',          // tab indent
    'a: |\n  x\n',           // block scalar
    '- 1\n- [\n',            // broken
  ]) {
    assert.is(readCanonicalYaml(text), undefined, JSON.stringify(text));
  }
});

/** Small edits of a rendered text: some still canonical (another letter), most not (quotes, indents, order, duplicates). */
function mutated(rand: () => number, text: string): string {
  const lines = text.split('\n');
  const at = 1 + Math.floor(rand() * (lines.length - 2));
  const line = lines[at];
  const edits = [
    () => lines.splice(at, 1),
    () => lines.splice(at, 0, line),
    () => ([lines[at], lines[at + 1]] = [lines[at + 1] ?? '', line]),
    () => (lines[at] = ` ${line}`),
    () => (lines[at] = line.replace(/^ {2}/, '')),
    () => (lines[at] = line.replace(/: (.+)$/, (_m, v: string) => `: "${v}"`)),
    () => (lines[at] = line.replace(/: "([^"\\]*)"$/, ': $1')),
    () => (lines[at] = line.replace(/^( *)([a-z]\w*):/, '$1"$2":')),
    () => (lines[at] = line.replace(/^( *)(- )?[^:]+:/, (_m, sp: string, dash = '') => `${sp}${dash}${pickOne(rand, ['1', '__proto__', 'a', '0', '10', 'z'])}:`)),
    () => (lines[at] = line.replace(/[a-z]/, pickOne(rand, ['b', '#', ' ', ':', '0']))),
    () => (lines[at] = line.replace(/^( *)- /, '$1  - ')),
    () => (lines[at] = `${line} `),
  ];
  edits[Math.floor(rand() * edits.length)]();
  return lines.join('\n');
}

function pickOne<T>(rand: () => number, items: readonly T[]): T {
  return items[Math.floor(rand() * items.length)];
}

test('readExactCanonicalYaml takes a text only when renderYaml writes exactly that text for what it read', () => {
  const rand = pseudoRandom(1201);
  let taken = 0;
  let refused = 0;
  for (let i = 0; i < 6000; i++) {
    const value = { root: randomValue(rand, 0), list: [randomValue(rand, 1)], n: i };
    const text = renderYaml(value, 'header');
    assert.equal(readExactCanonicalYaml(text, 'header'), JSON.parse(JSON.stringify(value)));
    const edited = mutated(rand, text);
    const read = readExactCanonicalYaml(edited, 'header');
    if (read === undefined) refused++;
    else {
      taken++;
      assert.is(renderYaml(read, 'header'), edited, JSON.stringify(edited));
    }
  }
  // Edits of both kinds were met: some kept the text canonical, most did not.
  assert.ok(taken > 300 && refused > 1500, `taken ${taken}, refused ${refused}`);
});

test('readExactCanonicalYaml refuses what an object would reorder or drop, and a sequence indented under its key', () => {
  for (const body of ['b: 1\n"1": 2\n', 'b: 1\n"4294967294": 2\n', '"2": 1\n"1": 2\n', '__proto__: 1\n', '"__proto__": 1\n', 'a: 1\na: 1\n', 'a:\n  - 1\n', 'a: "b"\n', '- "x"\n']) {
    assert.is(readExactCanonicalYaml(`# h\n${body}`, 'h'), undefined, body);
  }
  // Index keys first and ascending, as an object lists them, are read; one too large to be an index keeps its place.
  assert.equal(readExactCanonicalYaml('# h\n"1": 1\n"2": 1\nb: 1\n"4294967295": 2\n', 'h'), { 1: 1, 2: 1, b: 1, '4294967295': 2 });
});

test('a header comment comes first, one # line each', () => {
  assert.is(renderYaml({ a: 1 }, 'one\ntwo'), '# one\n# two\na: 1\n');
});

test('the two documented differences from the library: line breaks and a leading "---" are double-quoted', () => {
  assert.is(renderYaml({ a: 'line\nbreak' }), 'a: "line\\nbreak"\n');
  assert.is(renderYaml({ a: '---x' }), 'a: "---x"\n');
  assert.is(renderYaml({ a: '...x' }), libraryYaml({ a: '...x' }), '"..." is plain after a key, as the library writes it');
  assert.is.not(libraryYaml({ a: 'line\nbreak' }), renderYaml({ a: 'line\nbreak' }), 'the library differs here (else the exemption is not needed)');
  assert.throws(() => renderYaml({ a: Number.NaN }), /cannot write NaN/);
  assert.throws(() => renderYaml({ a: () => 1 }), /cannot write a function/);
});

test.run();
