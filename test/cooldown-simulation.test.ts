// The cooldown over 8 simulated weeks: rebuildGate driven by a model of Kargo v1.11.2's discovery,
// auto-promotion and Promotion queue (test/support/kargo-queue-model.ts, with the Kargo source lines
// it rests on). kargo-sim runs the steps themselves (test/kargo-promotions.test.ts); this checks timing.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import { parse as parseYaml } from 'yaml';
import * as assert from 'uvu/assert';
import { KARGO_DEFAULTS, everyMinutes, runKargoQueueModel, type ModelRun } from './support/kargo-queue-model';
import { DAY, DELAYS, HORIZON, HOUR, PERIODS, becameNewestDue, lagBound, lagsAfterDue, longestStaleness, scenario } from './support/cooldown-scenarios';
import { seeded } from './support/random';

/** What must hold of any run, manual or automatic: never twice, never backwards, never early. */
function assertSafe(run: ModelRun, label: string): void {
  const delay = run.config.delayMinutes;
  const seen = new Set<string>();
  const lastSeenAt = new Map<string, number>();
  for (const d of run.dispatches) {
    const key = `${d.base}@${d.digest}`;
    assert.not.ok(seen.has(key), `${label}: ${key} dispatched twice`);
    seen.add(key);
    assert.ok(d.freight.seenAt > (lastSeenAt.get(d.base) ?? -1), `${label}: ${d.digest} dispatched after a digest seen later`);
    lastSeenAt.set(d.base, d.freight.seenAt);
    assert.ok(d.at >= d.freight.seenAt + delay, `${label}: ${d.digest} dispatched at minute ${d.at}, before seenAt ${d.freight.seenAt} + delay ${delay}`);
  }
}

/** What autoRebuild: true adds: each digest that comes due is built, promptly, and the image never falls behind. */
function assertPromptAndNeverStarved(run: ModelRun, label: string): void {
  const delay = run.config.delayMinutes;
  const bound = lagBound(run);
  const interval = run.config.warehouseIntervalMinutes;
  for (const d of run.dispatches) {
    const due = becameNewestDue(run, d.base, d.freight.seenAt);
    assert.is(due, d.freight.seenAt + delay, `${label}: ${d.digest} became the newest due digest at seenAt + delay`);
    assert.ok(d.at - due! <= bound, `${label}: ${d.digest} dispatched ${d.at - due!} minutes after it became the newest due digest (bound ${bound})`);
    assert.ok(d.at - (d.freight.publishedAt + delay) <= interval + bound, `${label}: ${d.digest} dispatched ${d.at - d.freight.publishedAt - delay} minutes after publication + delay`);
  }
  for (const base of run.config.bases) {
    const freights = run.freights.filter((f) => f.base === base.key);
    // Every digest after the adopted first one that came due in time to be dispatched was dispatched.
    const expected = freights.slice(1).filter((f) => f.seenAt + delay + bound <= run.config.horizonMinutes).map((f) => f.digest);
    const dispatched = run.dispatches.filter((d) => d.base === base.key).map((d) => d.digest);
    assert.equal(dispatched.slice(0, expected.length), expected, `${label}: every due digest of ${base.key} is built`);
    // From the first digest's due time + the same slack (the first digest is adopted at a reconcile, up to 5 minutes after it is seen).
    const staleness = longestStaleness(run, base.key, freights[0].seenAt + delay + bound);
    assert.ok(staleness <= bound, `${label}: ${base.key} built on a digest that stopped being the newest due one ${staleness} minutes before (bound ${bound})`);
  }
}

for (const period of PERIODS) {
  for (const delay of DELAYS) {
    test(`autoRebuild, a new digest every ${period.name}, rebuildDelay ${delay.name}: each due digest built once, in order, at most pollInterval + reconcile after it is due; never starved`, () => {
      const run = scenario([period.publishedAt()], delay.minutes, 'gate');
      const label = `${period.name}/${delay.name}`;
      assert.ok(run.freights.length >= 6, `${label}: the scenario has digests (${run.freights.length})`);
      assert.ok(run.dispatches.length >= 1, `${label}: something is rebuilt`);
      assert.is(run.promotions[0].outcome, 'adopt', 'the digest at install is adopted without a build');
      assertSafe(run, label);
      assertPromptAndNeverStarved(run, label);
    });
  }
}

test('jittered digests include two inside one Warehouse interval: the first of them is never seen, nor built', () => {
  const published = PERIODS.find((p) => p.name.startsWith('jittered'))!.publishedAt();
  const run = scenario([published], 0, 'gate');
  assert.ok(run.freights.length < published.length, `${run.freights.length} Freight of ${published.length} digests`);
  const unseen = published.length - run.freights.length;
  assert.is(new Set(run.dispatches.map((d) => d.freight.index)).size + 1 + unseen, published.length);
});

test('7d delay, a digest every 3 days: the gate rebuilds on every digest 7 days after it appears; requiredSoakTime never rebuilds (freight_types.go:170-196)', () => {
  const every3d = PERIODS.find((p) => p.name === '3d')!.publishedAt();
  const gate = scenario([every3d], 7 * DAY, 'gate');
  const soak = scenario([every3d], 7 * DAY, 'soak');
  // Digests on days 3, 6, …, 48 are due by day 55 (seen 17 minutes after they appear).
  assert.equal(
    gate.dispatches.map((d) => d.freight.index),
    Array.from({ length: 16 }, (_, i) => i + 1),
  );
  assert.equal(lagsAfterDue(gate).filter((lag) => lag > 15), [], 'each within one poll of its due time');
  // Soak: no digest stays current in the base Stage for 7 days, so none is ever available: not even the first is adopted.
  assert.is(soak.dispatches.length, 0);
  assert.is(soak.promotions.length, 0);
  assert.is(longestStaleness(soak, 'base-0', 7 * DAY + 17), Infinity);
  // A digest every day starves soak just the same; every 10 days it builds as often as the gate.
  assert.is(scenario([PERIODS[0].publishedAt()], 7 * DAY, 'soak').dispatches.length, 0);
  const every10d = PERIODS.find((p) => p.name === '10d')!.publishedAt();
  const soak10 = scenario([every10d], 7 * DAY, 'soak');
  assert.equal(soak10.dispatches.map((d) => d.digest), scenario([every10d], 7 * DAY, 'gate').dispatches.map((d) => d.digest));
  assert.ok(soak10.dispatches.length >= 4);
});

test('two bases that change at once: one dispatch per due digest of each, none per poll; the second waits one reconcile behind the first', () => {
  const every3d = PERIODS.find((p) => p.name === '3d')!.publishedAt();
  const run = scenario([every3d, every3d], 7 * DAY, 'gate');
  assertSafe(run, 'two bases');
  assertPromptAndNeverStarved(run, 'two bases');
  const per = (base: string) => run.dispatches.filter((d) => d.base === base).length;
  assert.is(per('base-0'), 16);
  assert.is(per('base-1'), 16);
  assert.is(run.dispatches.length, 32);
  const gateAsks = run.promotions.reduce((n, p) => n + p.gateAsks, 0);
  assert.ok(gateAsks > 10 * run.dispatches.length, `the gate was asked ${gateAsks} times for ${run.dispatches.length} dispatches`);
});

test('autoRebuild false: a person promotes at random times, sometimes an older Freight; the gate still waits until the digest is due, never builds twice or backwards', () => {
  const random = seeded(8);
  const at: number[] = [];
  const back: number[] = [];
  for (let t = 2 * DAY; t < HORIZON; t += 6 * HOUR + Math.floor(random() * 4 * DAY)) {
    at.push(t);
    back.push(random() < 0.3 ? 1 + Math.floor(random() * 3) : 0);
  }
  for (const period of PERIODS) {
    const run = scenario([period.publishedAt()], 7 * DAY, 'gate', { kind: 'manual', at, back });
    const label = `manual ${period.name}`;
    assertSafe(run, label);
    assert.ok(run.promotions.every((p) => p.by === 'person'), `${label}: nothing is promoted without the person`);
    for (const d of run.dispatches) {
      const p = run.promotions[d.promotion];
      const due = d.freight.seenAt + 7 * DAY;
      // Promoted before it was due: it waited, asking every poll, and went out at the first poll after.
      if (p.createdAt < due) assert.ok(d.at - due < 15 + 5, `${label}: ${d.digest} went out ${d.at - due} minutes after due`);
      else assert.ok(d.at - p.createdAt <= 5, `${label}: promoted when due already, it went out at the next reconcile`);
    }
    const waited = run.promotions.filter((p) => p.outcome === 'dispatch' && p.gateAsks > 1);
    assert.ok(waited.length > 0, `${label}: some promotion had to wait for its digest to be due`);
    const skipped = run.promotions.filter((p) => p.outcome === 'skip').map((p) => p.reason!.replace(/sha256:\S+/g, '<digest>').replace(/ \(seen .*\)$/, ''));
    assert.ok(skipped.length > 0, `${label}: a person promoting what is built already, or an older Freight, is skipped`);
    assert.ok(skipped.every((r) => /^already built on (<digest>|a newer digest, <digest>)$/.test(r)), `${label}: ${skipped.join('; ')}`);
  }
});

test('a burst faster than the reconcile (Warehouse interval 5m, a digest every 5 minutes, delay 0): the queue drains by skipping to the newest due digest, which is built; at 6m every digest is built', () => {
  const burst = Array.from({ length: 13 }, (_, i) => DAY + i * 5);
  const run = runKargoQueueModel({ ...KARGO_DEFAULTS, warehouseIntervalMinutes: 5, horizonMinutes: 2 * DAY, delayMinutes: 0, rule: 'gate', promoter: { kind: 'auto' }, bases: [{ key: 'base-0', publishedAt: [0, ...burst], discoveryPhaseMinutes: 2 }] });
  assertSafe(run, 'burst');
  assert.is(run.freights.length, 14);
  const outcomes = run.promotions.map((p) => p.outcome);
  assert.ok(outcomes.filter((o) => o === 'skip').length >= 5, outcomes.join(' '));
  assert.ok(run.promotions.filter((p) => p.outcome === 'skip').every((p) => / is due too and is built instead$/.test(p.reason!)));
  assert.is(run.dispatches[run.dispatches.length - 1].digest, run.freights[13].digest, 'the newest digest is what the image ends up built on');
  assert.ok(run.dispatches.length < 13, `${run.dispatches.length} builds for 13 digests`);
  // Skipping defers to a newer digest only while digests are seen faster than the Stage reconciles.
  // With the Warehouse looking every 6 minutes, a digest at every look for a day is built every time.
  const stream = Array.from({ length: 240 }, (_, i) => DAY + i * 6);
  const steady = runKargoQueueModel({ ...KARGO_DEFAULTS, warehouseIntervalMinutes: 6, horizonMinutes: 3 * DAY, delayMinutes: 0, rule: 'gate', promoter: { kind: 'auto' }, bases: [{ key: 'base-0', publishedAt: [0, ...stream], discoveryPhaseMinutes: 2 }] });
  assertSafe(steady, 'stream');
  assert.is(steady.dispatches.length, 240);
});

test('the history must hold every digest seen within one delay (rebuild.historyLength ≥ delay ÷ the shortest gap between digests): one short, the oldest waiting digest falls out and the queue collapses', () => {
  // A digest every 4 hours, 7d delay: 42 digests are seen within one delay.
  const every4h = everyMinutes(4 * HOUR, 21 * DAY);
  const run = (historyLength: number) => runKargoQueueModel({ ...KARGO_DEFAULTS, historyLength, horizonMinutes: 21 * DAY, delayMinutes: 7 * DAY, rule: 'gate', promoter: { kind: 'auto' }, bases: [{ key: 'base-0', publishedAt: every4h, discoveryPhaseMinutes: 17 }] });
  const enough = run(42);
  assertSafe(enough, 'history 42');
  assertPromptAndNeverStarved(enough, 'history 42');
  assert.is(enough.dispatches.length, 83);
  // 41: the digest whose Promotion starts next is no longer listed; the gate counts it from that
  // Promotion's start (never early, so still safe) and it waits a whole delay more; so does each next one.
  const short = run(41);
  assertSafe(short, 'history 41');
  assert.is(short.dispatches.length, 2);
  assert.ok(Math.max(...lagsAfterDue(short)) > 6 * DAY);
});

test("the chart's default rebuild.historyLength holds a digest at every look of a base Warehouse at its default interval, under the default 7d", () => {
  const values = parseYaml(readFileSync(path.join(__dirname, '..', 'values.yaml'), 'utf8'));
  const historyLength: number = values.rebuild.historyLength;
  assert.is(values.warehouses.base.interval, '1h', 'the scenario below assumes the default interval');
  const hourly = everyMinutes(HOUR, 21 * DAY);
  const run = runKargoQueueModel({ ...KARGO_DEFAULTS, historyLength, horizonMinutes: 21 * DAY, delayMinutes: 7 * DAY, rule: 'gate', promoter: { kind: 'auto' }, bases: [{ key: 'base-0', publishedAt: hourly, discoveryPhaseMinutes: 17 }] });
  assertSafe(run, `history ${historyLength}`);
  assertPromptAndNeverStarved(run, `history ${historyLength}`);
  assert.ok(run.dispatches.length > 300, `${run.dispatches.length} rebuilds`);
});

test('delay 0 rebuilds at once: within one reconcile of the digest being seen', () => {
  const run = scenario([PERIODS[0].publishedAt()], 0, 'gate');
  assert.equal(lagsAfterDue(run).filter((lag) => lag > 5), []);
  assert.is(run.dispatches.length, 55);
});

test('the model itself: queueing is real (a 7d delay under daily digests keeps 7 Promotions pending) and the gate polls every 15 minutes', () => {
  const run = scenario([PERIODS[0].publishedAt()], 7 * DAY, 'gate');
  assert.ok(run.longestQueue >= 6 && run.longestQueue <= 8, `longest queue ${run.longestQueue}`);
  const first = run.promotions.find((p) => p.outcome === 'dispatch')!;
  assert.is(first.gateAsks, Math.floor((first.endedAt! - first.startedAt!) / 15) + 1);
  assert.ok(first.endedAt! - first.startedAt! > 6 * DAY, 'the first rebuild Promotion waited about a week');
  // Digests arriving twice as often as the Warehouse looks are seen once per look at most.
  const fast = scenario([Array.from({ length: 200 }, (_, i) => i * 30)], 12 * HOUR, 'gate');
  assert.ok(fast.freights.length <= 101);
});

test.run();
