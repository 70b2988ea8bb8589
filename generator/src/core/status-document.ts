// What `image-factory status --json` prints, read back (by `report --status FILE`): checked against
// the shape issue 14 documents, every problem at its file:line:col. Fields may be added to the
// output later; those this reader knows keep their meaning, the others are ignored.
import { quoted, UserError, type Problem } from './errors';
import { readJsonSource } from './json-source';
import type { PathSegment } from './yaml-source';

export const IMAGE_STATES = ['up-to-date', 'due', 'waiting', 'pinned', 'unresolved', 'unknown'] as const;
export type ImageStatusState = (typeof IMAGE_STATES)[number];

export interface BaseStatus {
  ref: string;
  /** The digest the tag points to now; null when it could not be read. */
  currentDigest: string | null;
  /** The digest the image was last built on (its lastRebuild); null before the first rebuild. */
  builtOn: string | null;
  /** When the base changed away from builtOn (RFC 3339); null when it has not. */
  changedAt: string | null;
  /** When the rebuild is due (changedAt plus rebuildDelay); null when none is. */
  dueAt: string | null;
}

export interface ImageStatus {
  name: string;
  state: ImageStatusState;
  bases: BaseStatus[];
}

export interface StatusDocument {
  images: ImageStatus[];
  /** Registry errors as status reported them, one line each. */
  errors: string[];
}

const FIX = 'write the file again with `image-factory status --json > FILE`';
const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,128}$/;
const TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** An RFC 3339 date-time, as status writes them (and `report --generated-at` takes). */
export const isRfc3339 = (text: string): boolean => TIME.test(text) && !Number.isNaN(Date.parse(text));
const MAX_ERROR_CHARS = 1000;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** An entry of `errors` as one line: a string as it is, an object by its known fields. */
function errorLine(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (!isObject(entry)) return undefined;
  const parts = ['image', 'ref', 'registry']
    .filter((k) => typeof entry[k] === 'string')
    .map((k) => `${k} ${entry[k] as string}`);
  const message = typeof entry.message === 'string' ? entry.message : typeof entry.error === 'string' ? entry.error : JSON.stringify(entry);
  return parts.length ? `${parts.join(', ')}: ${message}` : message;
}

/**
 * Parses a status document. `enrolled` are the image names of the state repo it is read with:
 * a name outside them means the file belongs to another repo or an older images.yaml.
 */
export function parseStatusDocument(text: string, file: string, enrolled: ReadonlySet<string>): StatusDocument {
  const source = readJsonSource(text, file, { fixHint: FIX });
  const problems: Problem[] = [];
  const at = (path: PathSegment[], message: string) => problems.push({ subject: file, ...source.positionOf(path), message: `${message}; ${FIX}` });
  const doc = source.value;
  if (!isObject(doc)) throw new UserError({ subject: file, line: 1, col: 1, message: `is not the output of \`image-factory status --json\` (an object with "images"); ${FIX}` });
  const images: ImageStatus[] = [];
  if (!Array.isArray(doc.images)) at(['images'], '"images" must be a list of images');
  else {
    const seen = new Set<string>();
    doc.images.forEach((image, i) => {
      const p: PathSegment[] = ['images', i];
      if (!isObject(image)) return at(p, 'an image must be an object with name, state and bases');
      const { name, state, bases } = image;
      if (typeof name !== 'string') return at([...p, 'name'], 'an image needs its "name" (a string)');
      if (!enrolled.has(name)) return at([...p, 'name'], `image ${quoted(name)} is not enrolled in this state repo's images.yaml; the file is from another repo or an older images.yaml`);
      if (seen.has(name)) return at([...p, 'name'], `image ${quoted(name)} is listed twice`);
      seen.add(name);
      if (typeof state !== 'string' || !(IMAGE_STATES as readonly string[]).includes(state)) {
        return at([...p, 'state'], `"state" must be one of ${IMAGE_STATES.join(', ')}`);
      }
      if (!Array.isArray(bases)) return at([...p, 'bases'], '"bases" must be a list');
      const parsedBases: BaseStatus[] = [];
      bases.forEach((base, j) => {
        const q: PathSegment[] = [...p, 'bases', j];
        if (!isObject(base)) return at(q, 'a base must be an object with ref, currentDigest, builtOn, changedAt and dueAt');
        if (typeof base.ref !== 'string' || base.ref === '') return at([...q, 'ref'], 'a base needs its "ref" (an image reference)');
        const optional = (key: 'currentDigest' | 'builtOn' | 'changedAt' | 'dueAt', pattern: RegExp, what: string): string | null => {
          const v = base[key];
          if (v === undefined || v === null) return null;
          if (typeof v === 'string' && pattern.test(v)) return v;
          at([...q, key], `"${key}" must be ${what} or null, not ${typeof v === 'string' ? quoted(v) : JSON.stringify(v)}`);
          return null;
        };
        parsedBases.push({
          ref: base.ref,
          currentDigest: optional('currentDigest', DIGEST, 'a digest (sha256:<hex>)'),
          builtOn: optional('builtOn', DIGEST, 'a digest (sha256:<hex>)'),
          changedAt: optional('changedAt', TIME, 'an RFC 3339 time'),
          dueAt: optional('dueAt', TIME, 'an RFC 3339 time'),
        });
      });
      images.push({ name, state: state as ImageStatusState, bases: parsedBases });
    });
  }
  const errors: string[] = [];
  if (doc.errors !== undefined) {
    if (!Array.isArray(doc.errors)) at(['errors'], '"errors" must be a list');
    else
      doc.errors.forEach((entry, i) => {
        const line = errorLine(entry);
        if (line === undefined) return at(['errors', i], 'an error must be a message or an object with one');
        errors.push(line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS)}…` : line);
      });
  }
  if (problems.length) throw new UserError(problems);
  return { images, errors };
}
