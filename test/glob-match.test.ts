// Shell pattern trimming and replacement (glob-match.ts) against an oracle: the pattern compiled to
// a JavaScript regex and tried at every cut, as the analyser once did (exponential on hostile input,
// exact on short input). Seeded random values and patterns over a small alphabet, so that partial
// matches, repeats, `*`, `?` and regex-special characters meet often.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { replaceMatches, trimPrefix, trimSuffix } from '../generator/src/core/glob-match';
import { pick, seeded } from './support/random';

function regexSource(pattern: string): string {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return source;
}

function oracleTrim(value: string, op: '#' | '##' | '%' | '%%', pattern: string): string {
  const whole = new RegExp(`^(?:${regexSource(pattern)})$`);
  const rests: string[] = [];
  for (let i = 0; i <= value.length; i++) {
    if (op.startsWith('#') ? whole.test(value.slice(0, i)) : whole.test(value.slice(i))) rests.push(op.startsWith('#') ? value.slice(i) : value.slice(0, i));
  }
  if (rests.length === 0) return value;
  // The shortest match removed leaves the longest rest.
  return rests.reduce((a, b) => (op.length === 1 ? (b.length > a.length ? b : a) : b.length < a.length ? b : a));
}

function oracleReplace(value: string, pattern: string, replacement: string, all: boolean): string {
  if (pattern === '') return value;
  return value.replace(new RegExp(regexSource(pattern), all ? 'g' : ''), () => replacement);
}

const free = () => undefined;

function word(random: () => number, alphabet: string, max: number): string {
  let out = '';
  const n = Math.floor(random() * (max + 1));
  for (let i = 0; i < n; i++) out += pick(random, [...alphabet]);
  return out;
}

test('trim and replace agree with the regex oracle on 20,000 random cases', () => {
  const random = seeded(2026);
  for (let round = 0; round < 20_000; round++) {
    const value = word(random, 'aab.-[', 12);
    const pattern = word(random, 'ab*?*.[', 7);
    const replacement = word(random, 'xy', 2);
    const label = JSON.stringify({ round, value, pattern, replacement });
    assert.is(trimPrefix(value, pattern, false, free), oracleTrim(value, '#', pattern), `# ${label}`);
    assert.is(trimPrefix(value, pattern, true, free), oracleTrim(value, '##', pattern), `## ${label}`);
    assert.is(trimSuffix(value, pattern, false, free), oracleTrim(value, '%', pattern), `% ${label}`);
    assert.is(trimSuffix(value, pattern, true, free), oracleTrim(value, '%%', pattern), `%% ${label}`);
    assert.is(replaceMatches(value, pattern, replacement, false, free), oracleReplace(value, pattern, replacement, false), `/ ${label}`);
    assert.is(replaceMatches(value, pattern, replacement, true, free), oracleReplace(value, pattern, replacement, true), `// ${label}`);
  }
});

test('the examples Docker documents', () => {
  assert.is(trimPrefix('foo/bar/baz', '*/', false, free), 'bar/baz');
  assert.is(trimPrefix('foo/bar/baz', '*/', true, free), 'baz');
  assert.is(trimSuffix('1.2.3', '.*', false, free), '1.2');
  assert.is(trimSuffix('1.2.3', '.*', true, free), '1');
  assert.is(replaceMatches('a-b-c', '-', '_', false, free), 'a_b-c');
  assert.is(replaceMatches('a-b-c', '-', '_', true, free), 'a_b_c');
  assert.is(replaceMatches('abc', '*', 'X', true, free), 'XX', 'an all-* pattern also matches the empty end, as a global regex does');
});

test('the work is charged: a megabyte value against a long partial match is linear, and a charge can stop it', () => {
  const value = 'a'.repeat(1 << 20);
  let spent = 0;
  const count = (units: number) => {
    spent += units;
  };
  // Backtracking took hours here; KMP reads the value a few times.
  assert.is(trimSuffix(value, `${'*a'.repeat(40)}*b`, true, count), value);
  assert.is(trimPrefix(value, `${'a'.repeat(5000)}b*`, false, count), value);
  assert.ok(spent > 0 && spent < 10 * value.length, `spent ${spent}`);
  const stop = () => {
    throw new Error('budget');
  };
  assert.throws(() => trimSuffix(value, '*?b', true, stop), /budget/);
});

test.run();
