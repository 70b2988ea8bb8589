// digests/<key>.yaml, as the base Stage writes it: `{ref, seen: [{digest, seenAt}]}`, newest first
// (templates/kargo/stages-base.yaml). Read leniently: an entry that is not a digest with an RFC 3339
// UTC time is left out rather than failing the whole answer, as the file is written by Kargo, not by
// a person, and `status` must still say what it can.
import { parseUtcTime, type SeenDigest } from './cooldown';

/** The most entries read; the chart keeps at most rebuild.historyLength (200). */
export const MAX_HISTORY_ENTRIES = 1000;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The valid entries of a parsed digests/<key>.yaml, in file order. */
export function seenDigestsOf(doc: unknown): SeenDigest[] {
  const seen = doc !== null && typeof doc === 'object' && !Array.isArray(doc) ? (doc as { seen?: unknown }).seen : undefined;
  if (!Array.isArray(seen)) return [];
  const out: SeenDigest[] = [];
  for (const entry of seen.slice(0, MAX_HISTORY_ENTRIES)) {
    if (entry === null || typeof entry !== 'object') continue;
    const { digest, seenAt } = entry as { digest?: unknown; seenAt?: unknown };
    if (typeof digest !== 'string' || !DIGEST.test(digest) || typeof seenAt !== 'string') continue;
    try {
      parseUtcTime(seenAt, 'seenAt');
    } catch {
      continue;
    }
    out.push({ digest, seenAt });
  }
  return out;
}
