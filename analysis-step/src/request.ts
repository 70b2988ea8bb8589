// The body of `POST /v1/analyze`, checked field by field before anything else happens. Every
// failure is a 400 naming the field; nothing here touches git or the file system.
import { reservedBuildArgProblem } from '../../generator/src/build-args';
import { GitFetchError, validateCommit, validateRef, validateRepoPath, validateRepoURL } from '../../generator/src/git';
import { ServiceError } from './errors';

export interface AnalyzeRequest {
  image: string;
  repoURL: string;
  commit?: string;
  ref?: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** The current state file's lastRebuild, carried over unchanged (undefined when absent or null). */
  lastRebuild?: Record<string, unknown>;
}

export interface UrlPolicy {
  allowInsecureURLs: boolean;
  allowedHosts: readonly string[];
}

const IMAGE_NAME = /^[a-z0-9]([a-z0-9-]{0,46}[a-z0-9])?$/;
const KNOWN = new Set(['image', 'repoURL', 'commit', 'ref', 'dockerfile', 'buildArgs', 'lastRebuild']);
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * How deep lastRebuild may nest. The rebuild step writes {at, base, digest, bases: {key: {ref,
 * digest, at}}}, three levels; the bound leaves room to grow, and refuses before any fetch what a
 * 64 KiB body can otherwise hold (30,000 levels, which once failed only after the fetch, as a 500).
 */
export const MAX_LAST_REBUILD_DEPTH = 8;

const bad = (field: string, message: string) => new ServiceError(400, 'bad-request', `${field}: ${message}`, field);

function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GitFetchError && e.reason === 'invalid-input') throw new ServiceError(400, 'bad-request', e.message, e.field);
    throw e;
  }
}

function str(body: Record<string, unknown>, field: string, required: boolean): string | undefined {
  const v = body[field];
  if (v === undefined || (v === null && !required)) {
    if (required) throw bad(field, 'is required');
    return undefined;
  }
  if (typeof v !== 'string') throw bad(field, `must be a string, not ${v === null ? 'null' : typeof v}`);
  return v;
}

/** Levels of objects and arrays in a parsed JSON value (1 for a flat object), counted without recursion. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    deepest = Math.max(deepest, depth);
    for (const child of Object.values(v)) stack.push([child, depth + 1]);
  }
  return deepest;
}

/** Parses the raw body text. */
export function parseAnalyzeBody(text: string, policy: UrlPolicy): AnalyzeRequest {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    throw new ServiceError(400, 'bad-request', `body: not valid JSON (${(e as Error).message})`, 'body');
  }
  return parseAnalyzeRequest(body, policy);
}

export function parseAnalyzeRequest(body: unknown, policy: UrlPolicy): AnalyzeRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('body', 'must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b).sort()) if (!KNOWN.has(k)) throw bad(k, `is not a known field (known: ${[...KNOWN].join(', ')})`);

  const image = str(b, 'image', true)!;
  if (!IMAGE_NAME.test(image)) throw bad('image', 'must be an image name: lower-case letters, digits and "-", at most 48 characters');
  const repoURL = str(b, 'repoURL', true)!;
  checked(() => validateRepoURL(repoURL, { ...policy, field: 'repoURL' }));
  const commitText = str(b, 'commit', false);
  const refText = str(b, 'ref', false);
  if (commitText === undefined && refText === undefined) throw bad('commit', 'is required (or give ref)');
  if (commitText !== undefined && refText !== undefined) throw bad('commit', 'give commit or ref, not both');
  const commit = commitText === undefined ? undefined : checked(() => validateCommit(commitText, 'commit'));
  const ref = refText === undefined ? undefined : checked(() => validateRef(refText, 'ref'));
  const dockerfile = str(b, 'dockerfile', true)!;
  checked(() => validateRepoPath(dockerfile, 'dockerfile'));

  const buildArgs: Record<string, string> = {};
  if (b.buildArgs !== undefined && b.buildArgs !== null) {
    if (typeof b.buildArgs !== 'object' || Array.isArray(b.buildArgs)) throw bad('buildArgs', 'must be an object of strings');
    for (const [k, v] of Object.entries(b.buildArgs as Record<string, unknown>)) {
      if (!BUILD_ARG.test(k)) throw bad(`buildArgs.${k}`, 'is not a valid build argument name');
      const reserved = reservedBuildArgProblem(k);
      if (reserved) throw bad(`buildArgs.${k}`, reserved);
      if (typeof v !== 'string') throw bad(`buildArgs.${k}`, 'must be a string');
      buildArgs[k] = v;
    }
  }
  let lastRebuild: Record<string, unknown> | undefined;
  if (b.lastRebuild !== undefined && b.lastRebuild !== null) {
    if (typeof b.lastRebuild !== 'object' || Array.isArray(b.lastRebuild)) throw bad('lastRebuild', 'must be an object (or null)');
    if (depthOf(b.lastRebuild) > MAX_LAST_REBUILD_DEPTH) {
      throw bad('lastRebuild', `nests deeper than ${MAX_LAST_REBUILD_DEPTH} levels; send it as the state file holds it, {at, base, digest, bases: {<key>: {ref, digest, at}}}`);
    }
    lastRebuild = b.lastRebuild as Record<string, unknown>;
  }
  return { image, repoURL, commit, ref, dockerfile, buildArgs, lastRebuild };
}
