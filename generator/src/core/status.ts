// What `image-factory status` answers, from facts gathered elsewhere: each image's bases, the digest
// each base's tag points at now (or the registry's error), the digest the image was last built on
// (lastRebuild), and when Kargo first saw each digest (digests/<key>.yaml). The rebuild decision is
// the cooldown gate's own (cooldown.ts), so `status` says `due` exactly when Kargo's rebuild Stage
// would dispatch. Pure: no clock, no I/O; rendering the table is here too.
import { formatUtcTime, parseUtcTime, rebuildGate, type SeenDigest } from './cooldown';
import { parseDuration } from './duration';
import type { ImageValues } from './values-types';
import { recordKeyOf, type LastRebuild } from './rebuild-record';

export const IMAGE_STATES = ['due', 'unknown', 'waiting', 'up-to-date', 'pinned', 'unresolved'] as const;
export type ImageStateName = (typeof IMAGE_STATES)[number];

export interface BaseStatus {
  ref: string;
  state: Exclude<ImageStateName, 'unresolved'>;
  /** The digest the tag points at now; the pinned digest for a pinned base; null when the registry did not say. */
  currentDigest: string | null;
  /** The digest lastRebuild records the image was built on; null when none is recorded. */
  builtOn: string | null;
  /** When Kargo first saw currentDigest (digests/<key>.yaml); null when it has no record of it. */
  changedAt: string | null;
  /** changedAt + rebuildDelay; null when changedAt is. */
  dueAt: string | null;
  /** Why the base is in its state, for people. */
  reason: string;
}

export interface ImageStatus {
  name: string;
  state: ImageStateName;
  rebuildDelay: string;
  autoRebuild: boolean;
  bases: BaseStatus[];
}

export interface StatusError {
  ref: string;
  registry: string;
  /** The images that build on ref. */
  images: string[];
  message: string;
}

export interface StatusReport {
  images: ImageStatus[];
  errors: StatusError[];
}

/** A tag's digest now, or why it is not known. */
export type CurrentDigest = { digest: string } | { error: string };

export interface ImageFacts {
  image: ImageValues;
  /** lastRebuild from images/<name>.yaml; undefined when the file has none. */
  lastRebuild: LastRebuild | undefined;
  /** By upstream key: the base's digest history (any order). */
  history: ReadonlyMap<string, readonly SeenDigest[]>;
}

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The first sighting of a digest in a history, as RFC 3339 UTC; undefined when it is not there. */
function firstSeen(history: readonly SeenDigest[], digest: string): string | undefined {
  let best: number | undefined;
  for (const entry of history) {
    if (entry.digest !== digest) continue;
    const ms = parseUtcTime(entry.seenAt, 'seenAt');
    if (best === undefined || ms < best) best = ms;
  }
  return best === undefined ? undefined : formatUtcTime(best);
}

function baseStatus(image: ImageValues, facts: ImageFacts, upstream: ImageValues['upstreams'][number], current: CurrentDigest | undefined, now: Date): BaseStatus {
  const key = recordKeyOf(upstream.slug);
  const recorded = facts.lastRebuild?.bases[key];
  const builtOn = recorded && recorded.digest !== '' ? recorded.digest : null;
  const history = facts.history.get(key) ?? [];
  const base = { ref: upstream.ref, builtOn };
  if (current === undefined || 'error' in current) {
    return { ...base, state: 'unknown', currentDigest: null, changedAt: null, dueAt: null, reason: current ? 'the registry did not answer (see errors)' : 'not looked up' };
  }
  const digest = current.digest;
  const changedAt = firstSeen(history, digest) ?? null;
  const delaySeconds = parseDuration(image.rebuildDelay);
  const dueAt = changedAt === null ? null : formatUtcTime(parseUtcTime(changedAt, 'changedAt') + delaySeconds * 1000);
  const at = { ...base, currentDigest: digest, changedAt, dueAt };
  if (builtOn === digest) return { ...at, state: 'up-to-date', reason: `built on the current digest` };
  if (builtOn === null) {
    return { ...at, state: 'waiting', reason: 'no build recorded yet: Kargo records the current digest as built on at its first promotion' };
  }
  if (changedAt === null && delaySeconds > 0) {
    return { ...at, state: 'waiting', reason: `the tag moved, and Kargo has not recorded the new digest yet (digests/${key}.yaml): the ${image.rebuildDelay} delay starts when it does` };
  }
  const decision = rebuildGate({ digest, seenAt: changedAt ?? formatUtcTime(now.getTime()), builtOn, seen: [...history], delaySeconds, now });
  if (decision.action === 'skip') return { ...at, state: 'up-to-date', reason: decision.reason };
  if (decision.action === 'wait') return { ...at, state: 'waiting', reason: `changed; due at ${decision.dueAt} (rebuildDelay ${image.rebuildDelay})` };
  if (!image.autoRebuild) return { ...at, state: 'waiting', reason: 'changed, and the delay has passed; autoRebuild is false, so it waits for a person to promote it in Kargo' };
  return { ...at, state: 'due', reason: `changed${changedAt ? ` at ${changedAt}` : ''}; its ${image.rebuildDelay} delay has passed` };
}

/** An image's state: its most pressing base's, in the order of IMAGE_STATES. */
export function imageStatus(facts: ImageFacts, current: ReadonlyMap<string, CurrentDigest>, now: Date): ImageStatus {
  const image = facts.image;
  const bases: BaseStatus[] = [...image.upstreams]
    .sort((a, b) => byString(a.ref, b.ref))
    .map((u) => baseStatus(image, facts, u, current.get(u.ref), now));
  for (const pinned of [...image.pinnedBases].sort(byString)) {
    const at = pinned.lastIndexOf('@');
    bases.push({ ref: pinned, state: 'pinned', currentDigest: at >= 0 ? pinned.slice(at + 1) : null, builtOn: null, changedAt: null, dueAt: null, reason: 'pinned to a digest in the Dockerfile: only a change of the Dockerfile changes it' });
  }
  let state: ImageStateName = 'unresolved';
  if (image.analyzed && bases.length > 0) {
    state = IMAGE_STATES.find((s) => bases.some((b) => b.state === s)) ?? 'unresolved';
  }
  return { name: image.name, state, rebuildDelay: image.rebuildDelay, autoRebuild: image.autoRebuild, bases };
}

/** The report for every image, sorted by name; errors by reference. */
export function statusReport(facts: readonly ImageFacts[], current: ReadonlyMap<string, CurrentDigest>, registryOf: (ref: string) => string, now: Date): StatusReport {
  const images = [...facts].sort((a, b) => byString(a.image.name, b.image.name)).map((f) => imageStatus(f, current, now));
  const errors: StatusError[] = [];
  for (const [ref, result] of [...current].sort((a, b) => byString(a[0], b[0]))) {
    if (!('error' in result)) continue;
    const users = images.filter((i) => i.bases.some((b) => b.ref === ref)).map((i) => i.name);
    errors.push({ ref, registry: registryOf(ref), images: users, message: result.error });
  }
  return { images, errors };
}

/** The refs whose digest must be asked of a registry: every upstream of every analyzed image, once, sorted. */
export function refsToLookUp(images: readonly ImageValues[]): string[] {
  return [...new Set(images.flatMap((i) => i.upstreams.map((u) => u.ref)))].sort(byString);
}

/** The exit code: 1 when any image is due (so CI can gate on it), else 0. */
export const statusExitCode = (report: StatusReport): number => (report.images.some((i) => i.state === 'due') ? 1 : 0);

const shortDigest = (d: string | null): string => (d === null ? '-' : d.length > 19 ? d.slice(0, 19) : d);

/** The report as a table for people: one row per base, the image's name and state on its first. */
export function renderStatusTable(report: StatusReport): string {
  const header = ['IMAGE', 'STATE', 'BASE', 'BASE STATE', 'CURRENT', 'BUILT ON', 'CHANGED', 'DUE'];
  const rows: string[][] = [];
  for (const image of report.images) {
    if (image.bases.length === 0) rows.push([image.name, image.state, '-', '-', '-', '-', '-', '-']);
    image.bases.forEach((b, i) => {
      rows.push([i === 0 ? image.name : '', i === 0 ? image.state : '', b.ref, b.state, shortDigest(b.currentDigest), shortDigest(b.builtOn), b.changedAt ?? '-', b.dueAt ?? '-']);
    });
  }
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells: string[]) => cells.map((cell, c) => (c === cells.length - 1 ? cell : cell.padEnd(widths[c]))).join('  ').trimEnd();
  const counts = IMAGE_STATES.map((s) => [s, report.images.filter((i) => i.state === s).length] as const).filter(([, n]) => n > 0);
  const summary = `${report.images.length} image(s)${counts.length ? `: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}` : ''}${report.errors.length ? `; ${report.errors.length} base image(s) could not be looked up` : ''}`;
  return `${[line(header), ...rows.map(line)].join('\n')}\n\n${summary}\n`;
}

/** Every error, one a line, naming the images, the reference and what the registry said. */
export function renderStatusErrors(report: StatusReport): string {
  return report.errors.map((e) => `image-factory: status: ${e.images.join(', ')}: ${e.ref}: ${e.message}\n`).join('');
}
