// A MODEL of Kargo v1.11.2, not Kargo: how one rebuild Stage turns the digests of its bases into
// Promotions over simulated weeks, so the cooldown gate (generator/src/core/cooldown.ts) can be checked
// for timing. kargo-sim runs every promotion step of the chart for real (test/kargo-promotions.test.ts);
// what it cannot run, Freight discovery, auto-promotion, the Promotion queue and soak, is modelled
// here from Kargo's source at tag v1.11.2 (citations: /work/notes/kargo-facts.md, docs/rebuild-chain.md):
//
// - Discovery: a Warehouse looks at the tag once per `interval` (pkg/controller/warehouses/
//   warehouses.go:908-935) and makes one Freight per new digest; a digest that comes and goes
//   between two looks is never seen. The base Stage takes it `direct: true`, is auto-promoted at
//   once, and its promotion records the digest with `seenAt` = that minute in digests/<key>.yaml
//   (newest first, at most historyLength entries; a digest already listed is not added again).
// - Auto-promotion (Q1): on each Stage reconcile (every 5 minutes after the last one,
//   pkg/controller/stages/regular_stages.go:397, and at once on new Freight) the Stage creates a
//   Promotion, per origin, for the newest available Freight (pkg/api/auto_promotion.go:131-138)
//   unless it is the Stage's current Freight or already has a non-terminal Promotion
//   (regular_stages.go:1946, :2086-2088). Promotions of other Freight do not stop it: several queue.
// - The queue (Q2): one Promotion runs at a time, oldest first (regular_stages.go:671-675, :862;
//   pkg/api/promotion.go:209-214); none is ever cancelled by Kargo. A Pending Promotion starts at
//   the Stage reconcile after the running one ended: the model takes the next periodic reconcile,
//   the latest Kargo can be (it may reconcile sooner on events; the model does not count on it), and
//   a Promotion created in a reconcile starts in a later one (the queue is read before
//   auto-promotion runs, regular_stages.go:671 vs :1924).
// - The rebuild task: reads builtOn and the history once when it starts; builtOn '' is adopted
//   without a build (rebuild.firstDigest: adopt); otherwise the gate step asks rebuildGate at once
//   and again every pollInterval while it answers wait (the http step re-sends each poll,
//   pkg/promotion/runner/builtin/http_requester.go:184-197); `seenAt` is the history's entry for
//   the digest, or the Promotion's start when the history has none (the task's fallback).
// - Soak (Q3), to compare: with `requiredSoakTime` a Freight is available to the rebuild Stage once
//   its longest continuous stay as the base Stage's current Freight reaches the delay
//   (api/v1alpha1/freight_types.go:170-196); a newer digest ends the stay. The old task dispatched
//   at once for any digest other than builtOn.
// - A person (autoRebuild: false) promotes a Freight the Stage can take (the newest, or one a few
//   places older) at the minutes given; manual promotion does not bypass soak (Q3, Q8).
// Not modelled: failures (a failed Promotion is not retried, regular_stages.go:1990-1991), build
// times, verification (none on these Stages), controller restarts.

import { formatUtcTime, rebuildGate, type SeenDigest } from '../../generator/src/core/cooldown';

export type DelayRule = 'gate' | 'soak';

export interface ModelBase {
  /** The base's key (digests/<key>.yaml, lastRebuild.bases.<key>). */
  key: string;
  /** Minutes at which the tag moves to a new digest, ascending; one at or before 0 is the digest at install. */
  publishedAt: number[];
  /** The minute of the Warehouse's first look; then every warehouseIntervalMinutes. */
  discoveryPhaseMinutes: number;
}

export interface ModelConfig {
  bases: ModelBase[];
  horizonMinutes: number;
  delayMinutes: number;
  rule: DelayRule;
  /**
   * auto: autoRebuild true. manual: a person promotes at the minutes `at`; the i-th time, the Freight
   * `back[i]` places before the newest one the Stage can take (0 or none: the newest).
   */
  promoter: { kind: 'auto' } | { kind: 'manual'; at: number[]; back?: number[] };
  warehouseIntervalMinutes: number;
  reconcileIntervalMinutes: number;
  pollIntervalMinutes: number;
  historyLength: number;
}

export const KARGO_DEFAULTS = { warehouseIntervalMinutes: 60, reconcileIntervalMinutes: 5, pollIntervalMinutes: 15, historyLength: 200 } as const;

/** Minute 0 of the simulation on the gate's clock. */
export const EPOCH_MS = Date.UTC(2026, 0, 5);

export interface ModelFreight {
  id: number;
  base: string;
  digest: string;
  /** The index in the base's publishedAt. */
  index: number;
  publishedAt: number;
  /** The minute the Warehouse found it, which the base Stage records as seenAt. */
  seenAt: number;
}

export interface ModelPromotion {
  id: number;
  freight: ModelFreight;
  by: 'auto' | 'person';
  createdAt: number;
  startedAt?: number;
  endedAt?: number;
  /** adopt: first digest, recorded without a build; nothing: the old task saw builtOn = digest. */
  outcome?: 'dispatch' | 'skip' | 'adopt' | 'nothing';
  reason?: string;
  gateAsks: number;
}

export interface ModelDispatch {
  base: string;
  digest: string;
  freight: ModelFreight;
  at: number;
  promotion: number;
}

export interface ModelRun {
  config: ModelConfig;
  freights: ModelFreight[];
  promotions: ModelPromotion[];
  dispatches: ModelDispatch[];
  /** Per base, every change of what the image is built on, in time order (adoptions included). */
  builtOnChanges: Map<string, { at: number; digest: string }[]>;
  /** The most Pending Promotions seen at once. */
  longestQueue: number;
}

/** A digest that names its base and its place in the base's history, for readable failures. */
export function modelDigest(baseIndex: number, index: number): string {
  return `sha256:${(baseIndex + 1).toString(16).padStart(4, '0')}${index.toString(16).padStart(60, '0')}`;
}

const iso = (minute: number) => formatUtcTime(EPOCH_MS + minute * 60_000);

export function runKargoQueueModel(config: ModelConfig): ModelRun {
  const { bases, delayMinutes: delay, warehouseIntervalMinutes: interval, reconcileIntervalMinutes: requeue, pollIntervalMinutes: poll } = config;
  const freights: ModelFreight[] = [];
  const byBase = new Map<string, ModelFreight[]>(bases.map((b) => [b.key, []]));
  const history = new Map<string, SeenDigest[]>(bases.map((b) => [b.key, []]));
  // Soak: each Freight's continuous stays as the base Stage's current Freight.
  const stayStart = new Map<number, number>();
  const longestCompleted = new Map<number, number>();
  const currentInBase = new Map<string, ModelFreight>();
  const builtOn = new Map<string, string>(bases.map((b) => [b.key, '']));
  const builtOnChanges = new Map<string, { at: number; digest: string }[]>(bases.map((b) => [b.key, []]));
  const currentInRebuild = new Map<string, number>();
  const promotions: ModelPromotion[] = [];
  const dispatches: ModelDispatch[] = [];
  const personAt = new Map((config.promoter.kind === 'manual' ? config.promoter.at : []).map((t, i) => [t, i]));
  const personBack = config.promoter.kind === 'manual' ? (config.promoter.back ?? []) : [];
  let running: { promotion: ModelPromotion; builtOn: string; seen: SeenDigest[]; seenAt: string; nextAsk: number } | undefined;
  let nextReconcile = 0;
  let longestQueue = 0;

  const longestSoak = (f: ModelFreight, t: number) => {
    const since = stayStart.get(f.id);
    return Math.max(longestCompleted.get(f.id) ?? 0, since === undefined ? 0 : t - since);
  };
  const available = (f: ModelFreight, t: number) => config.rule === 'gate' || longestSoak(f, t) >= delay;
  const newestAvailable = (base: string, t: number, back = 0) => [...byBase.get(base)!].reverse().filter((f) => available(f, t))[back];
  const pending = () => promotions.filter((p) => p.startedAt === undefined);
  const nonTerminalFor = (f: ModelFreight) => promotions.some((p) => p.freight.id === f.id && p.endedAt === undefined);
  const setBuiltOn = (base: string, digest: string, t: number) => {
    builtOn.set(base, digest);
    builtOnChanges.get(base)!.push({ at: t, digest });
  };
  const end = (t: number, outcome: NonNullable<ModelPromotion['outcome']>, reason: string) => {
    const p = running!.promotion;
    Object.assign(p, { endedAt: t, outcome, reason });
    currentInRebuild.set(p.freight.base, p.freight.id);
    running = undefined;
  };

  for (let t = 0; t <= config.horizonMinutes; t++) {
    let newFreight = false;
    bases.forEach((base, b) => {
      if (t < base.discoveryPhaseMinutes || (t - base.discoveryPhaseMinutes) % interval !== 0) return;
      let index = -1;
      while (index + 1 < base.publishedAt.length && base.publishedAt[index + 1] <= t) index++;
      const known = byBase.get(base.key)!;
      if (index < 0 || known[known.length - 1]?.index === index) return;
      const f: ModelFreight = { id: freights.length, base: base.key, digest: modelDigest(b, index), index, publishedAt: base.publishedAt[index], seenAt: t };
      freights.push(f);
      known.push(f);
      newFreight = true;
      // The base Stage's promotion, seconds later: the stay of the old digest ends, the history grows.
      const previous = currentInBase.get(base.key);
      if (previous !== undefined) {
        longestCompleted.set(previous.id, longestSoak(previous, t));
        stayStart.delete(previous.id);
      }
      currentInBase.set(base.key, f);
      stayStart.set(f.id, t);
      const seen = history.get(base.key)!;
      if (!seen.some((s) => s.digest === f.digest)) history.set(base.key, [{ digest: f.digest, seenAt: iso(t) }, ...seen].slice(0, config.historyLength));
    });

    if (newFreight || t >= nextReconcile) {
      nextReconcile = t + requeue;
      if (running === undefined) {
        const next = pending()[0];
        if (next !== undefined) {
          next.startedAt = t;
          const base = next.freight.base;
          const seen = history.get(base)!.map((s) => ({ ...s }));
          running = { promotion: next, builtOn: builtOn.get(base)!, seen, seenAt: seen.find((s) => s.digest === next.freight.digest)?.seenAt ?? iso(t), nextAsk: t };
        }
      }
      if (config.promoter.kind === 'auto') {
        for (const base of bases) {
          const candidate = newestAvailable(base.key, t);
          if (candidate === undefined || currentInRebuild.get(base.key) === candidate.id || nonTerminalFor(candidate)) continue;
          promotions.push({ id: promotions.length, freight: candidate, by: 'auto', createdAt: t, gateAsks: 0 });
        }
      }
    }
    if (personAt.has(t)) {
      for (const base of bases) {
        const candidate = newestAvailable(base.key, t, personBack[personAt.get(t)!] ?? 0);
        if (candidate !== undefined && !nonTerminalFor(candidate)) promotions.push({ id: promotions.length, freight: candidate, by: 'person', createdAt: t, gateAsks: 0 });
      }
    }
    longestQueue = Math.max(longestQueue, pending().length);

    if (running !== undefined && running.nextAsk === t) {
      const { promotion: p } = running;
      const { base, digest } = p.freight;
      if (running.builtOn === '') {
        setBuiltOn(base, digest, t);
        end(t, 'adopt', 'first digest seen');
      } else if (config.rule === 'soak') {
        if (running.builtOn === digest) end(t, 'nothing', `already built on ${digest}`);
        else {
          setBuiltOn(base, digest, t);
          dispatches.push({ base, digest, freight: p.freight, at: t, promotion: p.id });
          end(t, 'dispatch', 'soaked');
        }
      } else {
        p.gateAsks++;
        const decision = rebuildGate({ digest, seenAt: running.seenAt, builtOn: running.builtOn, seen: running.seen, delaySeconds: delay * 60, now: new Date(EPOCH_MS + t * 60_000) });
        if (decision.action === 'wait') running.nextAsk = t + poll;
        else {
          if (decision.action === 'dispatch') {
            setBuiltOn(base, digest, t);
            dispatches.push({ base, digest, freight: p.freight, at: t, promotion: p.id });
          }
          end(t, decision.action, decision.reason);
        }
      }
    }
  }
  return { config, freights, promotions, dispatches, builtOnChanges, longestQueue };
}

/** The newest of a base's Freight that has been out for the delay at minute t (by seenAt), if any. */
export function newestDueAt(run: ModelRun, base: string, t: number): ModelFreight | undefined {
  let newest: ModelFreight | undefined;
  for (const f of run.freights) if (f.base === base && f.seenAt + run.config.delayMinutes <= t && (newest === undefined || f.seenAt > newest.seenAt)) newest = f;
  return newest;
}

/** What the image is built on for a base at minute t ('' before the first adoption). */
export function builtOnAt(run: ModelRun, base: string, t: number): string {
  let digest = '';
  for (const c of run.builtOnChanges.get(base)!) {
    if (c.at > t) break;
    digest = c.digest;
  }
  return digest;
}

/** Minutes at which the tag moves: every `period` minutes from `first`, up to `horizon`. */
export function everyMinutes(period: number, horizon: number, first = 0): number[] {
  const at: number[] = [];
  for (let t = first; t <= horizon; t += period) at.push(t);
  return at;
}

/**
 * Minutes at which the tag moves at random gaps (seeded): each gap picks one of `ranges` [min, max]
 * (minutes) at random, then a length within it, so short bursts mix with long quiet spells.
 */
export function jitteredMinutes(random: () => number, ranges: [number, number][], horizon: number): number[] {
  const at = [0];
  for (;;) {
    const [min, max] = ranges[Math.floor(random() * ranges.length)];
    const next = at[at.length - 1] + min + Math.floor(random() * (max - min + 1));
    if (next > horizon) return at;
    at.push(next);
  }
}
