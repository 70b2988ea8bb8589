// The scenarios of the cooldown simulation, shared by test/cooldown-simulation.test.ts (which asserts
// them) and bench/cooldown.ts (which prints their numbers): 8 simulated weeks of one base whose tag
// moves every 1, 3 or 10 days or at seeded random gaps, under rebuildDelay 0, 12h and 7d.

import { KARGO_DEFAULTS, builtOnAt, everyMinutes, jitteredMinutes, newestDueAt, runKargoQueueModel, type DelayRule, type ModelBase, type ModelConfig, type ModelRun } from './kargo-queue-model';
import { seeded } from './random';

export const MINUTE = 1;
export const HOUR = 60;
export const DAY = 24 * HOUR;
export const HORIZON = 8 * 7 * DAY;

export interface Period {
  name: string;
  publishedAt: () => number[];
}

export const PERIODS: Period[] = [
  { name: '1d', publishedAt: () => everyMinutes(DAY, HORIZON) },
  { name: '3d', publishedAt: () => everyMinutes(3 * DAY, HORIZON) },
  { name: '10d', publishedAt: () => everyMinutes(10 * DAY, HORIZON) },
  // Gaps of 20m..3h (a burst: two digests inside one Warehouse interval, the first never seen), 6h..2d or 2d..6d.
  {
    name: 'jittered 20m..6d',
    publishedAt: () => jitteredMinutes(seeded(20261130), [[20 * MINUTE, 3 * HOUR], [6 * HOUR, 2 * DAY], [2 * DAY, 6 * DAY]], HORIZON),
  },
];

export const DELAYS: { name: string; minutes: number }[] = [
  { name: '0', minutes: 0 },
  { name: '12h', minutes: 12 * HOUR },
  { name: '7d', minutes: 7 * DAY },
];

/** The Warehouse's first look by default: off the hour and off the 5-minute reconcile grid. */
export const DISCOVERY_PHASE = 17;

export function scenario(publishedAt: number[][], delayMinutes: number, rule: DelayRule, promoter: ModelConfig['promoter'] = { kind: 'auto' }, discoveryPhase = DISCOVERY_PHASE): ModelRun {
  const bases: ModelBase[] = publishedAt.map((at, i) => ({ key: `base-${i}`, publishedAt: at, discoveryPhaseMinutes: discoveryPhase }));
  return runKargoQueueModel({ ...KARGO_DEFAULTS, bases, horizonMinutes: HORIZON, delayMinutes, rule, promoter });
}

/**
 * The bound on how late a due digest is dispatched, in minutes, with autoRebuild: a gate poll plus
 * one reconcile per Promotion that can be queued ahead of it when digests of every base arrive at
 * once (each starts at the reconcile after the previous one ends): pollInterval + bases × reconcile.
 */
export function lagBound(run: ModelRun): number {
  return run.config.pollIntervalMinutes + run.config.bases.length * run.config.reconcileIntervalMinutes;
}

/**
 * The longest, over every minute t from `from` on, of how long ago what the
 * image is built on was the newest due digest: 0 while it is the newest due digest; t − (the last
 * minute it was) once a newer one is due; Infinity while it is nothing or was never due.
 */
export function longestStaleness(run: ModelRun, base: string, from: number): number {
  const freights = run.freights.filter((f) => f.base === base);
  if (freights.length === 0) return 0;
  const delay = run.config.delayMinutes;
  const dueOf = new Map(freights.map((f, i) => [f.digest, { due: f.seenAt + delay, nextDue: i + 1 < freights.length ? freights[i + 1].seenAt + delay : Infinity }]));
  let worst = 0;
  for (let t = from; t <= run.config.horizonMinutes; t++) {
    const built = dueOf.get(builtOnAt(run, base, t));
    const staleness = built === undefined || built.due > t ? Infinity : t < built.nextDue ? 0 : t - (built.nextDue - 1);
    worst = Math.max(worst, staleness);
  }
  return worst;
}

/** Per dispatch, minutes after its digest became the newest due digest (seenAt + delay). */
export function lagsAfterDue(run: ModelRun): number[] {
  return run.dispatches.map((d) => d.at - (d.freight.seenAt + run.config.delayMinutes));
}

/**
 * The minute a Freight became the newest due digest of its base, read from newestDueAt. That answer
 * changes only when some Freight of the base reaches seenAt + delay, so only those minutes are asked.
 */
export function becameNewestDue(run: ModelRun, base: string, seenAt: number): number | undefined {
  const delay = run.config.delayMinutes;
  const changes = [...new Set(run.freights.filter((f) => f.base === base).map((f) => f.seenAt + delay))].sort((a, b) => a - b);
  return changes.find((t) => t >= seenAt && newestDueAt(run, base, t)?.seenAt === seenAt);
}
