import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatUtcTime, parseUtcTime, rebuildGate, type GateInput, type SeenDigest } from '../generator/src/core/cooldown';

const digest = (c: string) => `sha256:${c.repeat(64)}`;
const A = digest('a');
const B = digest('b');
const C = digest('c');
const DAY = 86_400;
const WEEK = 7 * DAY;

/** A history in which A, B, C were seen on Nov 1, 4 and 7 (newest first, as the base Stage writes it). */
const HISTORY: SeenDigest[] = [
  { digest: C, seenAt: '2026-11-07T00:00:00Z' },
  { digest: B, seenAt: '2026-11-04T00:00:00Z' },
  { digest: A, seenAt: '2026-11-01T00:00:00Z' },
];

function gate(over: Partial<GateInput>): ReturnType<typeof rebuildGate> {
  return rebuildGate({ digest: B, seenAt: '2026-11-04T00:00:00Z', builtOn: A, seen: HISTORY, delaySeconds: WEEK, now: new Date('2026-11-12T00:00:00Z'), ...over });
}

function errorOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    assert.instance(e, Error);
    return (e as Error).message;
  }
  return 'accepted';
}

test('rule 1: the image is built on this digest already → skip, even before it is due', () => {
  assert.equal(gate({ builtOn: B, now: new Date('2026-11-05T00:00:00Z') }), { action: 'skip', reason: `already built on ${B}`, dueAt: '2026-11-11T00:00:00Z' });
});

test('rule 2: the image is built on a digest seen later → skip; one seen earlier does not count', () => {
  const d = gate({ builtOn: C, now: new Date('2026-11-05T00:00:00Z') });
  assert.is(d.action, 'skip');
  assert.is(d.reason, `already built on a newer digest, ${C} (seen 2026-11-07T00:00:00Z)`);
  // builtOn older than this digest, or unknown to the history (it scrolled out): not this rule.
  assert.is(gate({ builtOn: A, now: new Date('2026-11-05T00:00:00Z') }).action, 'wait');
  assert.is(gate({ builtOn: digest('9'), now: new Date('2026-11-05T00:00:00Z') }).action, 'wait');
  // The same time as this digest is not later.
  const same = [...HISTORY, { digest: digest('d'), seenAt: '2026-11-04T00:00:00Z' }];
  assert.is(gate({ builtOn: digest('d'), seen: same, now: new Date('2026-11-05T00:00:00Z') }).action, 'wait');
});

test('rule 3: not out for the delay yet → wait until seenAt + delay, to the second', () => {
  const d = gate({ now: new Date('2026-11-10T23:59:59Z') });
  assert.equal(d, { action: 'wait', reason: `${B} has been out since 2026-11-04T00:00:00Z; due at 2026-11-11T00:00:00Z`, dueAt: '2026-11-11T00:00:00Z' });
  assert.is(gate({ now: new Date('2026-11-11T00:00:00Z') }).action, 'dispatch', 'due exactly at seenAt + delay');
  // The first digest ever (builtOn '') still waits: adopting it without a build is the task's rule, not the gate's.
  assert.is(gate({ builtOn: '', now: new Date('2026-11-05T00:00:00Z') }).action, 'wait');
});

test('rule 4: a digest seen later that is due too → skip (its own Promotion builds it); one not yet due does not count', () => {
  // Nov 12: B is due (Nov 11), C is not (Nov 14) → B dispatches.
  assert.is(gate({ now: new Date('2026-11-12T00:00:00Z') }).action, 'dispatch');
  // Nov 14: both due → B steps aside for C.
  assert.equal(gate({ now: new Date('2026-11-14T00:00:00Z') }), { action: 'skip', reason: `${C} is due too and is built instead`, dueAt: '2026-11-11T00:00:00Z' });
  // A, when B and C are both due: the newest due one is named.
  assert.is(gate({ digest: A, seenAt: '2026-11-01T00:00:00Z', builtOn: '', now: new Date('2026-11-20T00:00:00Z') }).reason, `${C} is due too and is built instead`);
  // C itself: nothing newer → dispatch.
  assert.is(gate({ digest: C, seenAt: '2026-11-07T00:00:00Z', now: new Date('2026-11-20T00:00:00Z') }).action, 'dispatch');
});

test('rule 5: due and nothing newer due → dispatch; the history may be empty (this digest fell out of it)', () => {
  assert.equal(gate({ seen: [], seenAt: '2026-11-04T00:00:00Z' }), { action: 'dispatch', reason: `${B} has been out since 2026-11-04T00:00:00Z, due at 2026-11-11T00:00:00Z`, dueAt: '2026-11-11T00:00:00Z' });
});

test('delay 0: due at once; a newer digest seen before now is due too', () => {
  assert.equal(gate({ delaySeconds: 0, seen: [HISTORY[1], HISTORY[2]], now: new Date('2026-11-04T00:00:00Z') }), {
    action: 'dispatch',
    reason: `${B} has been out since 2026-11-04T00:00:00Z, due at 2026-11-04T00:00:00Z`,
    dueAt: '2026-11-04T00:00:00Z',
  });
  assert.is(gate({ delaySeconds: 0, now: new Date('2026-11-07T00:00:00Z') }).action, 'skip');
});

test('the rules apply in order: rule 1 before rule 3, rule 2 before rule 4', () => {
  assert.is(gate({ builtOn: B, now: new Date('2026-11-04T00:00:01Z') }).reason, `already built on ${B}`);
  assert.match(gate({ builtOn: C, now: new Date('2026-12-01T00:00:00Z') }).reason, 'already built on a newer digest');
});

test('deterministic: the order of the history does not matter; a digest listed twice counts from its first sighting', () => {
  const at = new Date('2026-11-14T00:00:00Z');
  const forward = gate({ now: at });
  for (const order of [[0, 1, 2], [2, 1, 0], [1, 2, 0]]) assert.equal(gate({ now: at, seen: order.map((i) => HISTORY[i]) }), forward);
  // C listed again later: its first sighting (Nov 7) is what counts, so it is due on Nov 14.
  const twice = [{ digest: C, seenAt: '2026-11-20T00:00:00Z' }, ...HISTORY];
  assert.is(gate({ now: at, seen: twice }).action, 'skip');
  assert.is(gate({ now: at, seen: [...twice].reverse() }).action, 'skip');
});

test('fractional seconds are read; dueAt keeps them; whole seconds are written without a fraction', () => {
  const d = gate({ seenAt: '2026-11-04T00:00:00.250Z', seen: [], delaySeconds: 60, now: new Date('2026-11-04T00:01:00.249Z') });
  assert.equal([d.action, d.dueAt], ['wait', '2026-11-04T00:01:00.250Z']);
  assert.is(parseUtcTime('2026-11-04T00:00:00.123456789Z', 't'), Date.UTC(2026, 10, 4) + 123);
  assert.is(formatUtcTime(Date.UTC(2026, 10, 4)), '2026-11-04T00:00:00Z');
});

test('bad input is refused with the field named and an example', () => {
  const example = 'is not an RFC 3339 UTC time such as 2026-11-30T12:00:00Z';
  assert.is(errorOf(() => gate({ seenAt: '2026-11-04 00:00:00' })), `seenAt "2026-11-04 00:00:00" ${example}`);
  assert.is(errorOf(() => gate({ seenAt: '2026-11-04T00:00:00+01:00' })), `seenAt "2026-11-04T00:00:00+01:00" ${example}`);
  assert.is(errorOf(() => gate({ seenAt: '2026-02-30T00:00:00Z' })), `seenAt "2026-02-30T00:00:00Z" ${example}`);
  assert.is(errorOf(() => gate({ seenAt: '2026-11-04T24:00:00Z' })), `seenAt "2026-11-04T24:00:00Z" ${example}`);
  assert.is(errorOf(() => gate({ seen: [{ digest: A, seenAt: 'yesterday' }] })), `seen[0].seenAt "yesterday" ${example}`);
  assert.is(errorOf(() => gate({ seen: [HISTORY[0], { digest: '', seenAt: HISTORY[0].seenAt }] })), 'seen[1].digest "" is not a digest such as sha256:<64 hex>');
  assert.is(errorOf(() => gate({ seen: [null as unknown as SeenDigest] })), 'seen[0] is not {digest, seenAt}');
  assert.is(errorOf(() => gate({ seen: {} as unknown as SeenDigest[] })), 'seen is not a list of {digest, seenAt}');
  assert.is(errorOf(() => gate({ digest: '' })), 'digest "" is not a digest such as sha256:<64 hex>');
  assert.is(errorOf(() => gate({ builtOn: 'sha256: x' })), 'builtOn "sha256: x" is not a digest such as sha256:<64 hex> (or "" for none)');
  assert.is(errorOf(() => gate({ delaySeconds: -1 })), 'delaySeconds -1 is not a whole number of seconds from 0 to 9223372036');
  assert.is(errorOf(() => gate({ delaySeconds: 1.5 })), 'delaySeconds 1.5 is not a whole number of seconds from 0 to 9223372036');
  assert.is(errorOf(() => gate({ delaySeconds: Number.NaN })), 'delaySeconds null is not a whole number of seconds from 0 to 9223372036');
  assert.is(errorOf(() => gate({ now: new Date('nonsense') })), 'now is not a valid Date');
});

test.run();
