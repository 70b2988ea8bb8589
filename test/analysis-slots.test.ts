// The analysis service's slots (analysis-step/src/analysis-slots.ts): at most N run, at most M wait,
// the rest are turned away at once; those waiting are served first come, first served, and one
// that gives up leaves the line without holding anyone up.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createAnalysisSlots } from '../analysis-step/src/analysis-slots';

const tick = () => new Promise((r) => setImmediate(r));

test('first come, first served: a freed slot goes to the longest waiting, never to a newcomer', async () => {
  const slots = createAnalysisSlots(2, 3);
  const never = new AbortController().signal;
  assert.equal(await Promise.all([slots.acquire(never), slots.acquire(never)]), [true, true]);
  const granted: string[] = [];
  for (const name of ['c', 'd', 'e']) void slots.acquire(never).then((ok) => ok && granted.push(name));
  assert.is(slots.waiting, 3);
  assert.is(await slots.acquire(never), false, 'the line is full: turned away at once');
  slots.release();
  await tick();
  assert.equal(granted, ['c']);
  // A newcomer while d and e wait joins the line behind them, though a slot is about to free.
  void slots.acquire(never).then((ok) => ok && granted.push('f'));
  slots.release();
  slots.release();
  await tick();
  assert.equal(granted, ['c', 'd', 'e']);
  slots.release();
  await tick();
  assert.equal(granted, ['c', 'd', 'e', 'f']);
  assert.equal([slots.running, slots.waiting], [2, 0]);
});

test('one who gives up while waiting leaves the line; a slot freed goes to the next', async () => {
  const slots = createAnalysisSlots(1, 2);
  const never = new AbortController().signal;
  assert.is(await slots.acquire(never), true);
  const quitter = new AbortController();
  const gaveUp = slots.acquire(quitter.signal);
  const next = slots.acquire(never);
  quitter.abort();
  assert.is(await gaveUp, false);
  assert.is(slots.waiting, 1);
  slots.release();
  assert.is(await next, true);
  slots.release();
  assert.equal([slots.running, slots.waiting], [0, 0]);
  assert.is(await slots.acquire(quitter.signal), false, 'gone before asking: no slot');
});

test.run();
