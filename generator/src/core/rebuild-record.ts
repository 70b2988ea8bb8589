// lastRebuild in images/<name>.yaml: what the image was last built on, one entry per watched
// upstream. Kargo's rebuild PromotionTask reads it (yaml-parse) to decide whether a base digest is
// new to the image, and writes it (yaml-update). yaml-update can only replace a scalar that is
// already in the file, so the generator and the analysis service always write every field, empty
// ("") until Kargo fills it: the shape is fixed here, and whatever was recorded is carried over.
import type { ImageRef } from './types';
import { slugOf } from './slug';

/** What the image was built on for one upstream (a base image, or an enrolled parent's tag). */
export interface BaseRecord {
  ref: string;
  /** `sha256:<hex>` the image was last built on (or adopted as built on); '' before Kargo saw one. */
  digest: string;
  /** When Kargo recorded that digest (RFC 3339 UTC); ''. */
  at: string;
}

export interface LastRebuild {
  /** When the last workflow dispatch went out; ''. */
  at: string;
  /** The upstream ref whose new digest caused it; ''. */
  base: string;
  /** That digest; ''. */
  digest: string;
  /** Keyed by recordKeyOf(slug), sorted. */
  bases: Record<string, BaseRecord>;
}

/**
 * The key of an upstream in lastRebuild.bases: its slug with `.` written `_`. Kargo's yaml-update
 * splits keys on `.`; slugs never contain `_`, so the mapping stays injective.
 */
export const recordKeyOf = (slug: string): string => slug.replace(/\./g, '_');

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const REF_MAX = 512;

const field = (value: unknown, pattern: RegExp): string => (typeof value === 'string' && pattern.test(value) ? value : '');
const refField = (value: unknown): string => (typeof value === 'string' && value.length <= REF_MAX && !/[\s\u0000-\u001f]/.test(value) ? value : '');
const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * lastRebuild for an image using `used` (state.ts usedRefsOf): one entry per unpinned ref, carrying over what an
 * earlier lastRebuild recorded for the same ref (in this form, or the list form of image-factory
 * 0.1: `bases: [{ref, digest}]`). Anything else is dropped, so a hand-edited or hostile value can
 * neither break the fixed shape Kargo writes into nor grow the file.
 */
export function lastRebuildOf(previous: unknown, used: readonly ImageRef[]): LastRebuild {
  const prev = isObject(previous) ? previous : {};
  const recordedByRef = new Map<string, { digest: string; at: string }>();
  const remember = (entry: unknown, fallbackAt: string) => {
    if (!isObject(entry)) return;
    const ref = refField(entry.ref);
    const digest = field(entry.digest, DIGEST);
    if (ref && digest) recordedByRef.set(ref, { digest, at: field(entry.at, TIME) || fallbackAt });
  };
  const prevAt = field(prev.at, TIME);
  if (Array.isArray(prev.bases)) for (const entry of prev.bases.slice(0, 1000)) remember(entry, prevAt);
  else if (isObject(prev.bases)) for (const entry of Object.values(prev.bases).slice(0, 1000)) remember(entry, '');

  const bases: Record<string, BaseRecord> = {};
  const entries = used
    .filter((ref) => ref.digest === undefined)
    .map((ref) => [recordKeyOf(slugOf(ref)), ref.ref] as const)
    .sort((a, b) => byString(a[0], b[0]));
  for (const [key, ref] of entries) {
    const recorded = recordedByRef.get(ref);
    bases[key] = { ref, digest: recorded?.digest ?? '', at: recorded?.at ?? '' };
  }
  return { at: prevAt, base: refField(prev.base), digest: field(prev.digest, DIGEST), bases };
}
