// sameJson must agree with comparing JSON.stringify texts, which it replaces in generate.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { sameJson } from '../generator/src/core/same-json';
import { pick, seeded, type Random } from './support/random';

const SCALARS: unknown[] = [null, undefined, 0, -0, 1, 1.5, NaN, Infinity, -Infinity, '', '0', 'a', 'null', true, false];

function randomValue(random: Random, depth: number): unknown {
  const r = random();
  if (depth === 0 || r < 0.45) return pick(random, SCALARS);
  if (r < 0.7) return Array.from({ length: Math.floor(random() * 4) }, () => randomValue(random, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(random() * 4); i > 0; i--) o[pick(random, ['a', 'b', 'c', 'd'])] = randomValue(random, depth - 1);
  return o;
}

/** A copy of `v` with one small change somewhere, or none: values that are near each other. */
function nearby(random: Random, v: unknown): unknown {
  if (Array.isArray(v)) return random() < 0.2 ? [...v, pick(random, SCALARS)] : v.map((x) => (random() < 0.3 ? nearby(random, x) : x));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v);
    if (random() < 0.15) entries.reverse();
    if (random() < 0.15) entries.push([pick(random, ['a', 'e']), random() < 0.5 ? undefined : 1]);
    return Object.fromEntries(entries.map(([k, x]) => [k, random() < 0.3 ? nearby(random, x) : x]));
  }
  return random() < 0.3 ? pick(random, SCALARS) : v;
}

test('agrees with JSON.stringify equality on 20,000 pairs of near and random values', () => {
  const random = seeded(7);
  let same = 0;
  for (let i = 0; i < 20000; i++) {
    const a = randomValue(random, 4);
    const b = random() < 0.8 ? nearby(random, a) : randomValue(random, 4);
    const expected = JSON.stringify(a) === JSON.stringify(b);
    if (expected) same++;
    assert.is(sameJson(a, b), expected, `${JSON.stringify(a)} vs ${JSON.stringify(b)}`);
  }
  // Both answers were asked many times, so the comparison saw both kinds of pair.
  assert.ok(same > 2000 && same < 18000, `${same} equal pairs`);
});

test('what JSON drops or rewrites: undefined keys, key order, NaN as null', () => {
  assert.ok(sameJson({ a: 1, b: undefined }, { a: 1 }));
  assert.not.ok(sameJson({ a: 1, b: 2 }, { b: 2, a: 1 }));
  assert.ok(sameJson([undefined, NaN], [null, null]));
  assert.not.ok(sameJson({ a: null }, {}));
  assert.not.ok(sameJson([], {}));
  assert.not.ok(sameJson('1', 1));
});

test.run();
