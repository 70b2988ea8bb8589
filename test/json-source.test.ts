// The JSON reader with positions behind `report --status`: what JSON.parse accepts it accepts with
// the same value, and it says where a file went wrong, line and column.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { UserError } from '../generator/src/core/errors';
import { readJsonSource } from '../generator/src/core/json-source';

const problemOf = (text: string): string => {
  try {
    readJsonSource(text, 'status.json');
  } catch (e) {
    if (e instanceof UserError) return e.message;
    throw e;
  }
  throw new Error(`no problem found in ${JSON.stringify(text)}`);
};

test('values are what JSON.parse gives, with positions of every value', () => {
  const text = '{\n  "images": [\n    {"name": "a\\u00e9\\n", "n": -1.5e3, "ok": true, "x": null},\n    []\n  ]\n}\n';
  const source = readJsonSource(text, 'f');
  assert.equal(source.value, JSON.parse(text));
  assert.equal(source.positionOf(['images', 0, 'n']), { line: 3, col: 32 });
  assert.equal(source.positionOf(['images', 1]), { line: 4, col: 5 });
  assert.equal(source.positionOf(['images', 0, 'missing']), { line: 3, col: 5 }, 'a missing key: its object');
});

test('syntax errors name file:line:col', () => {
  assert.match(problemOf('{\n  "a": 1,\n}'), /^status\.json:3:1: not valid JSON: expected a "quoted" key, found "}"/);
  assert.match(problemOf('{"a": tru}'), /^status\.json:1:7: not valid JSON: expected a JSON value/);
  assert.match(problemOf('{"a": "x\ny"}'), /^status\.json:1:9: .*control character/);
  assert.match(problemOf('{"a": 1} x'), /^status\.json:1:10: .*the end of the file/);
  assert.match(problemOf(''), /^status\.json:1:1: .*found the end of the file/);
  assert.match(problemOf('{"a": 1, "a": 2}'), /^status\.json:1:10: .*"a" appears twice/);
  assert.match(problemOf('"abc'), /^status\.json:1:1: .*not closed/);
  assert.match(problemOf(`${'['.repeat(65)}${']'.repeat(65)}`), /nested more than 64 levels/);
});

test('"__proto__" is a key like any other', () => {
  const value = readJsonSource('{"__proto__": {"polluted": 1}}', 'f').value as Record<string, unknown>;
  assert.equal(Object.keys(value), ['__proto__']);
  assert.is(({} as Record<string, unknown>).polluted, undefined);
  assert.is(Object.getPrototypeOf(value), Object.prototype);
});

test.run();
