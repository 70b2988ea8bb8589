// The body of `POST /v1/analyze`, checked field by field before anything else happens. Every
// failure is a 400 naming the field; nothing here touches git or the file system.
import { reservedBuildArgProblem } from './build-args';
import { schemaProblemOf } from './config';
import { GitFetchError, validateCommit, validateRef, validateRepoPath, validateRepoURL } from './git';
import type { DispatchInputs, ImageSubscription } from './types';
import type { ImageValues } from './values-types';
import { AnalysisRefusal } from './analysis-refusal';
import { IMAGE_NAME } from './rules';

/**
 * The image's enrollment as the analyze task sends it, taken from the image's chart values: what
 * the state file records besides the analysis. The service keeps no per-image configuration, so
 * this is how it renders the same state file as `generate`.
 */
export interface RequestEnrollment {
  registry: string;
  repository: string;
  /** GitHub owner/name of the source repository (values `source.repo`). */
  repo: string;
  branch: string;
  workflow: string;
  /** As written in images.yaml (`7d`, `0`). */
  rebuildDelay: string;
  autoRebuild: boolean;
  subscription: ImageSubscription;
  dispatchInputs: DispatchInputs;
}

/** Each enrollment field and the images.schema.json definition it must follow (as in images.yaml). */
const ENROLLMENT_SCHEMA: Readonly<Record<keyof RequestEnrollment, string>> = {
  registry: 'image/properties/registry',
  repository: 'image/properties/repository',
  repo: 'source/properties/repo',
  branch: 'branchName',
  workflow: 'source/properties/workflow',
  rebuildDelay: 'rebuildDelay',
  autoRebuild: 'autoRebuild',
  subscription: 'subscription',
  dispatchInputs: 'dispatchInputs',
};

/** The enrollment an image's chart values give: what the analyze task sends for it. */
export function requestEnrollmentOf(image: ImageValues): RequestEnrollment {
  return {
    registry: image.registry,
    repository: image.repository,
    repo: image.source.repo,
    branch: image.source.branch,
    workflow: image.source.workflow,
    rebuildDelay: image.rebuildDelay,
    autoRebuild: image.autoRebuild,
    subscription: { ...image.subscription },
    dispatchInputs: { ...image.dispatchInputs },
  };
}

export interface AnalyzeRequest {
  image: string;
  repoURL: string;
  commit?: string;
  ref?: string;
  dockerfile: string;
  buildArgs: Record<string, string>;
  /** The current state file's lastRebuild, carried over unchanged (undefined when absent or null). */
  lastRebuild?: Record<string, unknown>;
  enrollment: RequestEnrollment;
}

export interface UrlPolicy {
  allowInsecureURLs: boolean;
  allowedHosts: readonly string[];
}

const KNOWN = new Set(['image', 'repoURL', 'commit', 'ref', 'dockerfile', 'buildArgs', 'lastRebuild', 'enrollment']);
const BUILD_ARG = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * How deep lastRebuild may nest. The rebuild step writes {at, base, digest, bases: {key: {ref,
 * digest, at}}}, three levels; the bound leaves room to grow, and refuses before any fetch what a
 * 64 KiB body can otherwise hold (30,000 levels, which once failed only after the fetch, as a 500).
 */
export const MAX_LAST_REBUILD_DEPTH = 8;

const bad = (field: string, message: string) => new AnalysisRefusal('bad-request', `${field}: ${message}`, field);

function checked<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof GitFetchError && e.reason === 'invalid-input') throw new AnalysisRefusal('bad-request', e.message, e.field);
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
    throw new AnalysisRefusal('bad-request', `body: not valid JSON (${(e as Error).message})`, 'body');
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
  const enrollment = parseEnrollment(b.enrollment);
  return { image, repoURL, commit, ref, dockerfile, buildArgs, lastRebuild, enrollment };
}

function parseEnrollment(v: unknown): RequestEnrollment {
  if (v === undefined || v === null) throw bad('enrollment', `is required: the image's ${Object.keys(ENROLLMENT_SCHEMA).join(', ')} from its chart values`);
  if (typeof v !== 'object' || Array.isArray(v)) throw bad('enrollment', 'must be an object');
  const e = v as Record<string, unknown>;
  for (const k of Object.keys(e).sort()) if (!(k in ENROLLMENT_SCHEMA)) throw bad(`enrollment.${k}`, `is not a known field (known: ${Object.keys(ENROLLMENT_SCHEMA).join(', ')})`);
  for (const [k, definition] of Object.entries(ENROLLMENT_SCHEMA)) {
    const field = `enrollment.${k}`;
    if (e[k] === undefined) throw bad(field, 'is required');
    // images.yaml also takes a number of seconds and a subscription without a strategy; the values hold both resolved.
    if (k === 'rebuildDelay' && typeof e[k] !== 'string') throw bad(field, `must be a string, not ${e[k] === null ? 'null' : typeof e[k]}`);
    const problem = schemaProblemOf(definition, e[k]);
    if (problem) throw bad(problem.path ? `${field}.${problem.path}` : field, problem.message);
  }
  const sub = e.subscription as ImageSubscription;
  if (sub.imageSelectionStrategy === undefined) throw bad('enrollment.subscription.imageSelectionStrategy', 'is required');
  const inputs = e.dispatchInputs as DispatchInputs;
  return {
    registry: e.registry as string,
    repository: e.repository as string,
    repo: e.repo as string,
    branch: e.branch as string,
    workflow: e.workflow as string,
    rebuildDelay: e.rebuildDelay as string,
    autoRebuild: e.autoRebuild as boolean,
    subscription: {
      imageSelectionStrategy: sub.imageSelectionStrategy,
      constraint: sub.constraint,
      allowTagsRegexes: sub.allowTagsRegexes && [...sub.allowTagsRegexes],
      ignoreTagsRegexes: sub.ignoreTagsRegexes && [...sub.ignoreTagsRegexes],
      platform: sub.platform,
      discoveryLimit: sub.discoveryLimit,
    },
    dispatchInputs: { baseImage: inputs.baseImage, baseDigest: inputs.baseDigest },
  };
}
