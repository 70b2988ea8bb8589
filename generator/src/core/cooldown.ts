// The cooldown gate: whether a rebuild for one base digest may go out now. rebuildDelay means a
// digest must have been out (since Kargo first saw it) for that long; the image is then rebuilt on
// the newest digest that has, never starved by newer digests arriving (docs/rebuild-chain.md).
// Pure: the rebuild PromotionTask sends the facts, the service's clock decides.
//
// Why the rules are safe under Kargo's queue (kargo-facts Q1, Q2): every new Freight gets its own
// Promotion, they run one at a time oldest first and are never cancelled. So an older digest that
// is overtaken may step aside ("skip") as long as the newer one's own Promotion, queued behind it,
// builds it; and a Promotion never builds on a digest older than what the image is built on.

import { MAX_DURATION_SECONDS } from './duration';

export interface SeenDigest {
  digest: string;
  /** RFC 3339 UTC: when Kargo's base Stage first saw it. */
  seenAt: string;
}

export type GateAction = 'wait' | 'dispatch' | 'skip';

export interface GateInput {
  /** The digest of the Freight being promoted. */
  digest: string;
  /** When it was first seen (from the history; the task falls back to the Promotion's start). */
  seenAt: string;
  /** The digest the image was last built on for this base ('' = none). */
  builtOn: string;
  /** The base's digest history as read when the Promotion started (any order; may be empty). */
  seen: SeenDigest[];
  /** The image's rebuildDelay in seconds. */
  delaySeconds: number;
  now: Date;
}

export interface GateDecision {
  action: GateAction;
  reason: string;
  /** RFC 3339 UTC: when the digest is (or was) due. */
  dueAt: string;
}

const RFC3339_UTC = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z$/;

/** Milliseconds since the epoch of an RFC 3339 UTC time; Error naming `what` when it is not one. */
export function parseUtcTime(text: unknown, what: string): number {
  const m = typeof text === 'string' ? RFC3339_UTC.exec(text) : null;
  if (m !== null) {
    const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number);
    const ms = Date.UTC(y, mo - 1, d, h, mi, s) + Math.floor(Number(m[7] ?? 0) * 1000);
    // Date.UTC rolls 2026-02-30 over into March: a real calendar time reads back the same.
    const back = new Date(ms);
    if (back.getUTCFullYear() === y && back.getUTCMonth() === mo - 1 && back.getUTCDate() === d && back.getUTCHours() === h && back.getUTCMinutes() === mi) {
      return ms;
    }
  }
  throw new Error(`${what} ${JSON.stringify(text)} is not an RFC 3339 UTC time such as 2026-11-30T12:00:00Z`);
}

/** An RFC 3339 UTC time, whole seconds written without a fraction (as Kargo's Stages write them). */
export function formatUtcTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
}

function checkDigest(value: unknown, what: string, allowEmpty: boolean): string {
  if (typeof value !== 'string' || (value === '' && !allowEmpty) || /\s/.test(value)) {
    throw new Error(`${what} ${JSON.stringify(value)} is not a digest such as sha256:<64 hex>${allowEmpty ? ' (or "" for none)' : ''}`);
  }
  return value;
}

/** First sighting of each digest in the history: a digest listed twice counts from its earliest time. */
function firstSightings(seen: unknown): Map<string, number> {
  if (!Array.isArray(seen)) throw new Error('seen is not a list of {digest, seenAt}');
  const at = new Map<string, number>();
  seen.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) throw new Error(`seen[${i}] is not {digest, seenAt}`);
    const e = entry as Partial<SeenDigest>;
    const digest = checkDigest(e.digest, `seen[${i}].digest`, false);
    const ms = parseUtcTime(e.seenAt, `seen[${i}].seenAt`);
    const known = at.get(digest);
    if (known === undefined || ms < known) at.set(digest, ms);
  });
  return at;
}

/**
 * The gate's decision, rules in order:
 * 1. builtOn is this digest → skip;
 * 2. builtOn was seen after this digest → skip (never build backwards);
 * 3. now < seenAt + delay → wait (dueAt = seenAt + delay);
 * 4. a digest seen after this one is due as well → skip (its own queued Promotion builds it);
 * 5. otherwise dispatch. A delay of 0 is due at once.
 * Throws an Error naming the field for input that is not what the task sends.
 */
export function rebuildGate(input: GateInput): GateDecision {
  const { delaySeconds } = input;
  if (typeof delaySeconds !== 'number' || !Number.isSafeInteger(delaySeconds) || delaySeconds < 0 || delaySeconds > MAX_DURATION_SECONDS) {
    throw new Error(`delaySeconds ${JSON.stringify(delaySeconds)} is not a whole number of seconds from 0 to ${MAX_DURATION_SECONDS}`);
  }
  if (!(input.now instanceof Date) || Number.isNaN(input.now.getTime())) throw new Error('now is not a valid Date');
  const digest = checkDigest(input.digest, 'digest', false);
  const builtOn = checkDigest(input.builtOn, 'builtOn', true);
  const seenAt = parseUtcTime(input.seenAt, 'seenAt');
  const history = firstSightings(input.seen);
  const delayMs = delaySeconds * 1000;
  const dueMs = seenAt + delayMs;
  const dueAt = formatUtcTime(dueMs);
  const now = input.now.getTime();

  if (builtOn === digest) return { action: 'skip', reason: `already built on ${digest}`, dueAt };
  const builtOnSeen = history.get(builtOn);
  if (builtOnSeen !== undefined && builtOnSeen > seenAt) {
    return { action: 'skip', reason: `already built on a newer digest, ${builtOn} (seen ${formatUtcTime(builtOnSeen)})`, dueAt };
  }
  if (now < dueMs) return { action: 'wait', reason: `${digest} has been out since ${formatUtcTime(seenAt)}; due at ${dueAt}`, dueAt };
  let newestDue: [string, number] | undefined;
  for (const [other, at] of history) {
    if (other === digest || at <= seenAt || at + delayMs > now) continue;
    // Ties on time go to the greater digest, so the answer does not depend on the history's order.
    if (newestDue === undefined || at > newestDue[1] || (at === newestDue[1] && other > newestDue[0])) newestDue = [other, at];
  }
  if (newestDue !== undefined) return { action: 'skip', reason: `${newestDue[0]} is due too and is built instead`, dueAt };
  return { action: 'dispatch', reason: `${digest} has been out since ${formatUtcTime(seenAt)}, due at ${dueAt}`, dueAt };
}
