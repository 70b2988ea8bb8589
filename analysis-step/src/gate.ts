// POST /v1/rebuild-gate: the cooldown gate the rebuild PromotionTask polls. The body carries what
// the task read from the state repository (the base's digest history, what the image is built on);
// the answer is rebuildGate's decision at the service's clock. Every field is checked first: a
// 400 names it. Nothing here touches git or the file system.
import { parseDuration } from '../../generator/src/core/duration';
import { rebuildGate, type GateDecision, type SeenDigest } from '../../generator/src/core/cooldown';
import { ServiceError } from './errors';
import { IMAGE_NAME } from '../../generator/src/core/rules';

export interface GateRequest {
  image: string;
  base: string;
  digest: string;
  seenAt: string;
  builtOn: string;
  seen: SeenDigest[];
  delaySeconds: number;
}

const KNOWN = new Set(['image', 'base', 'digest', 'seenAt', 'builtOn', 'seen', 'delay']);
const DIGEST = /^sha256:[0-9a-f]{64}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const REF = /^[A-Za-z0-9][A-Za-z0-9._:/@+-]{0,511}$/;
/** The base Stage keeps at most 200 (rebuild.historyLength); more is not what the chart sends. */
const MAX_SEEN = 200;

const bad = (field: string, message: string) => new ServiceError(400, 'bad-request', `${field}: ${message}`, field);

function text(b: Record<string, unknown>, field: string, pattern: RegExp, what: string, allowEmpty = false, name = field): string {
  const v = b[field];
  if (v === undefined || v === null) throw bad(name, 'is required');
  if (typeof v !== 'string') throw bad(name, `must be a string, not ${typeof v}`);
  if (allowEmpty && v === '') return v;
  if (!pattern.test(v)) throw bad(name, `must be ${what}`);
  return v;
}

export function parseGateRequest(body: unknown): GateRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b).sort()) if (!KNOWN.has(k)) throw bad(k, `is not a known field (known: ${[...KNOWN].join(', ')})`);
  const image = text(b, 'image', IMAGE_NAME, 'an image name');
  const base = text(b, 'base', REF, 'an image reference');
  const digest = text(b, 'digest', DIGEST, 'sha256:<64 hex>');
  const seenAt = text(b, 'seenAt', TIME, 'an RFC 3339 UTC time (2026-11-30T12:00:00Z)');
  const builtOn = text(b, 'builtOn', DIGEST, 'sha256:<64 hex> or ""', true);
  const delayText = text(b, 'delay', /^[0-9a-z]{1,20}$/, 'a duration such as 7d, 12h or 0');
  let delaySeconds: number;
  try {
    delaySeconds = parseDuration(delayText);
  } catch (e) {
    throw bad('delay', (e as Error).message);
  }
  if (!Array.isArray(b.seen)) throw bad('seen', 'must be a list of {digest, seenAt}');
  if (b.seen.length > MAX_SEEN) throw bad('seen', `has more than ${MAX_SEEN} entries`);
  const seen = b.seen.map((entry, i): SeenDigest => {
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw bad(`seen[${i}]`, 'must be {digest, seenAt}');
    const e = entry as Record<string, unknown>;
    for (const k of Object.keys(e)) if (k !== 'digest' && k !== 'seenAt') throw bad(`seen[${i}].${k}`, 'is not a known field (known: digest, seenAt)');
    return {
      digest: text(e, 'digest', DIGEST, 'sha256:<64 hex>', false, `seen[${i}].digest`),
      seenAt: text(e, 'seenAt', TIME, 'an RFC 3339 UTC time', false, `seen[${i}].seenAt`),
    };
  });
  return { image, base, digest, seenAt, builtOn, seen, delaySeconds };
}

/** The gate's answer at `now`. */
export function gateAnswer(req: GateRequest, now: Date): GateDecision {
  return rebuildGate({ digest: req.digest, seenAt: req.seenAt, builtOn: req.builtOn, seen: req.seen, delaySeconds: req.delaySeconds, now });
}
