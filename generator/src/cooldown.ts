// The cooldown gate: whether a rebuild for one base digest may go out now. rebuildDelay means a
// digest must have been out (since Kargo first saw it) for that long; the image is then rebuilt on
// the newest digest that has, never starved by newer digests arriving (docs/rebuild-chain.md).
// Pure: the rebuild PromotionTask sends the facts, the service's clock decides.

export interface SeenDigest {
  digest: string;
  /** RFC 3339 UTC: when Kargo's base Stage first saw it. */
  seenAt: string;
}

export type GateAction = 'wait' | 'dispatch' | 'skip';

export interface GateInput {
  /** The digest of the Freight being promoted. */
  digest: string;
  /** When it was first seen. */
  seenAt: string;
  /** The digest the image was last built on for this base ('' = none). */
  builtOn: string;
  /** The base's digest history as read when the promotion started. */
  seen: SeenDigest[];
  delaySeconds: number;
  now: Date;
}

export interface GateDecision {
  action: GateAction;
  reason: string;
  /** RFC 3339 UTC: when the digest is (or was) due. */
  dueAt: string;
}

const iso = (ms: number): string => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

function timeOf(text: string, what: string): number {
  const ms = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(text) ? Date.parse(text) : NaN;
  if (Number.isNaN(ms)) throw new Error(`${what} "${text}" is not an RFC 3339 UTC time such as 2026-11-30T12:00:00Z`);
  return ms;
}

export function rebuildGate(input: GateInput): GateDecision {
  if (!Number.isFinite(input.delaySeconds) || input.delaySeconds < 0) throw new Error(`delay ${input.delaySeconds} is not a number of seconds`);
  const seenAt = timeOf(input.seenAt, 'seenAt');
  const history = input.seen.map((s) => ({ digest: s.digest, at: timeOf(s.seenAt, `seenAt of ${s.digest}`) }));
  const delayMs = input.delaySeconds * 1000;
  const dueAt = iso(seenAt + delayMs);
  const now = input.now.getTime();
  if (input.builtOn === input.digest) return { action: 'skip', reason: `already built on ${input.digest}`, dueAt };
  const built = history.find((s) => s.digest === input.builtOn);
  if (built !== undefined && built.at > seenAt) return { action: 'skip', reason: `already built on a newer digest, ${input.builtOn}`, dueAt };
  if (now < seenAt + delayMs) return { action: 'wait', reason: `${input.digest} has been out since ${input.seenAt}; due at ${dueAt}`, dueAt };
  const newerDue = history
    .filter((s) => s.digest !== input.digest && s.at > seenAt && s.at + delayMs <= now)
    .sort((a, b) => b.at - a.at)[0];
  if (newerDue !== undefined) return { action: 'skip', reason: `${newerDue.digest} is due too and is built instead`, dueAt };
  return { action: 'dispatch', reason: `${input.digest} has been out since ${input.seenAt}, longer than the delay`, dueAt };
}
