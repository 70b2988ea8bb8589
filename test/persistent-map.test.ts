// The persistent map behind inherited stage ENV: every version answers as a plain Map written the
// same way would, and setting a key never changes an older version.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { PersistentMap } from '../generator/src/core/persistent-map';
import { seeded } from './support/random';

test('every version agrees with a Map copied at that point', () => {
  const random = seeded(7);
  const versions: [PersistentMap<number>, Map<string, number>][] = [[PersistentMap.empty(), new Map()]];
  for (let i = 0; i < 3000; i++) {
    // Branch from a random earlier version, as stages inherit from any earlier stage.
    const [base, model] = versions[Math.floor(random() * versions.length)];
    const key = `k${Math.floor(random() * 500)}`;
    const next = new Map(model).set(key, i);
    versions.push([base.set(key, i), next]);
  }
  for (const [map, model] of versions) {
    for (let k = 0; k < 500; k++) assert.is(map.get(`k${k}`), model.get(`k${k}`));
  }
});

test('a long chain of versions stays shallow enough to read quickly and recurse safely', () => {
  let map = PersistentMap.empty<string>();
  // Sorted keys make an unbalanced search tree a list; random priorities keep this one balanced.
  for (let i = 0; i < 200_000; i++) map = map.set(String(i).padStart(7, '0'), `v${i}`);
  assert.is(map.get('0000000'), 'v0');
  assert.is(map.get('0199999'), 'v199999');
  assert.is(map.get('x'), undefined);
});

test.run();
