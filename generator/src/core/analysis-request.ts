// The body of `POST /v1/analyze`, checked field by field before anything else happens. Every
// failure is a 400 naming the field; nothing here touches git or the file system.
import { reservedBuildArgProblem } from './build-args';
import { schemaProblemOf } from './config';
import { GitFetchError, validateCommit, validateRef, validateRepoPath, validateRepoURL } from './git';
import type { DispatchInputs, ImageSubscription, RebuildTrigger, SourceProvider } from './types';
import type { ImageValues, TriggerValues } from './values-types';
import { webhookURLProblem } from './providers/webhook';
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
  /** github owner/name, gitlab group/subgroup/name, '' for git (values `source.repo`). */
  repo: string;
  branch: string;
  /** github: the workflow file; '' for other providers. */
  workflow: string;
  /** Absent: github (what the chart sent before providers). */
  provider?: SourceProvider;
  /** gitlab: the host; '' otherwise. */
  host?: string;
  /** The source repository's git URL (values `source.url`); recorded for git only. */
  url?: string;
  /** gitlab: the trigger token's key; '' otherwise. */
  tokenKey?: string;
  /** The values' trigger; absent: the provider's own. */
  trigger?: TriggerValues;
  /** As written in images.yaml (`7d`, `0`). */
  rebuildDelay: string;
  autoRebuild: boolean;
  subscription: ImageSubscription;
  dispatchInputs: DispatchInputs;
}

/** Each enrollment field and the images.schema.json definition it must follow (as in images.yaml). */
const ENROLLMENT_SCHEMA: Readonly<Record<Exclude<keyof RequestEnrollment, OptionalField | 'repo' | 'workflow'>, string>> = {
  registry: 'image/properties/registry',
  repository: 'image/properties/repository',
  branch: 'branchName',
  rebuildDelay: 'rebuildDelay',
  autoRebuild: 'autoRebuild',
  subscription: 'subscription',
  dispatchInputs: 'dispatchInputs',
};

type OptionalField = 'provider' | 'host' | 'url' | 'tokenKey' | 'trigger';
const PROVIDER_FIELDS = ['repo', 'workflow', 'provider', 'host', 'url', 'tokenKey', 'trigger'] as const;
const FIELDS = [...Object.keys(ENROLLMENT_SCHEMA), ...PROVIDER_FIELDS].sort();

/** The enrollment an image's chart values give: what the analyze task sends for it. */
export function requestEnrollmentOf(image: ImageValues): RequestEnrollment {
  return {
    registry: image.registry,
    repository: image.repository,
    repo: image.source.repo,
    branch: image.source.branch,
    workflow: image.source.workflow,
    provider: image.source.provider,
    host: image.source.host,
    url: image.source.url,
    tokenKey: image.source.tokenKey,
    trigger: { ...image.trigger },
    rebuildDelay: image.rebuildDelay,
    autoRebuild: image.autoRebuild,
    subscription: { ...image.subscription },
    dispatchInputs: { ...image.dispatchInputs },
  };
}

/** The source fields the state file records for this enrollment (what `generate` resolved). */
export function sourceOfEnrollment(e: RequestEnrollment): { provider: SourceProvider; repo?: string; host?: string; url?: string; tokenKey?: string } {
  const provider = e.provider ?? 'github';
  if (provider === 'git') return { provider, url: e.url };
  if (provider === 'gitlab') return { provider, repo: e.repo, host: e.host, tokenKey: e.tokenKey };
  return { provider, repo: e.repo };
}

/** The trigger the state file records: only one that is not the provider's own. */
export function triggerOfEnrollment(e: RequestEnrollment): RebuildTrigger | undefined {
  if (e.trigger?.kind === 'none') return { kind: 'none' };
  if (e.trigger?.kind === 'webhook') return { kind: 'webhook', url: e.trigger.url };
  return undefined;
}

/** The provider-specific fields: each checked by its provider's rule. */
function checkProviderFields(e: Record<string, unknown>): void {
  const str = (k: string) => {
    if (e[k] !== undefined && typeof e[k] !== 'string') throw bad(`enrollment.${k}`, `must be a string, not ${e[k] === null ? 'null' : typeof e[k]}`);
    return e[k] as string | undefined;
  };
  for (const k of ['repo', 'workflow']) if (e[k] === undefined) throw bad(`enrollment.${k}`, 'is required');
  const provider = str('provider') ?? 'github';
  const check = (k: string, definition: string) => {
    const problem = schemaProblemOf(definition, e[k]);
    if (problem) throw bad(`enrollment.${k}`, problem.message);
  };
  if (e.provider !== undefined) check('provider', 'source/properties/provider');
  const empty = (k: string) => {
    if ((str(k) ?? '') !== '') throw bad(`enrollment.${k}`, `must be '' for provider ${provider}`);
  };
  if (provider === 'github') {
    check('repo', 'githubRepo');
    check('workflow', 'source/properties/workflow');
    empty('host');
    empty('tokenKey');
  } else if (provider === 'gitlab') {
    check('repo', 'gitlabProject');
    empty('workflow');
    check('host', 'source/properties/host');
    check('tokenKey', 'source/properties/tokenKey');
  } else {
    empty('repo');
    empty('workflow');
    empty('host');
    empty('tokenKey');
    check('url', 'source/properties/url');
  }
  // Other providers' git URL is derived from repo (and host) and not recorded: only its type matters.
  str('url');
  const trigger = e.trigger;
  if (trigger !== undefined) {
    if (typeof trigger !== 'object' || trigger === null || Array.isArray(trigger)) throw bad('enrollment.trigger', 'must be an object {kind, url}');
    const t = trigger as Record<string, unknown>;
    for (const k of Object.keys(t)) if (k !== 'kind' && k !== 'url') throw bad(`enrollment.trigger.${k}`, 'is not a known field (known: kind, url)');
    if (!['github', 'gitlab', 'webhook', 'none'].includes(t.kind as string)) throw bad('enrollment.trigger.kind', 'must be one of github, gitlab, webhook, none');
    if (typeof t.url !== 'string') throw bad('enrollment.trigger.url', 'must be a string');
    if (t.kind === 'webhook') {
      const problem = webhookURLProblem(t.url);
      if (problem) throw bad('enrollment.trigger.url', problem);
    }
  }
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
  if (v === undefined || v === null) throw bad('enrollment', `is required: the image's ${FIELDS.join(', ')} from its chart values`);
  if (typeof v !== 'object' || Array.isArray(v)) throw bad('enrollment', 'must be an object');
  const e = v as Record<string, unknown>;
  for (const k of Object.keys(e).sort()) if (!FIELDS.includes(k)) throw bad(`enrollment.${k}`, `is not a known field (known: ${FIELDS.join(', ')})`);
  for (const [k, definition] of Object.entries(ENROLLMENT_SCHEMA)) {
    const field = `enrollment.${k}`;
    if (e[k] === undefined) throw bad(field, 'is required');
    // images.yaml also takes a number of seconds and a subscription without a strategy; the values hold both resolved.
    if (k === 'rebuildDelay' && typeof e[k] !== 'string') throw bad(field, `must be a string, not ${e[k] === null ? 'null' : typeof e[k]}`);
    const problem = schemaProblemOf(definition, e[k]);
    if (problem) throw bad(problem.path ? `${field}.${problem.path}` : field, problem.message);
  }
  checkProviderFields(e);
  const sub = e.subscription as ImageSubscription;
  if (sub.imageSelectionStrategy === undefined) throw bad('enrollment.subscription.imageSelectionStrategy', 'is required');
  const inputs = e.dispatchInputs as DispatchInputs;
  return {
    registry: e.registry as string,
    repository: e.repository as string,
    repo: e.repo as string,
    branch: e.branch as string,
    workflow: e.workflow as string,
    ...(e.provider !== undefined ? { provider: e.provider as SourceProvider } : {}),
    ...(e.host !== undefined ? { host: e.host as string } : {}),
    ...(e.url !== undefined ? { url: e.url as string } : {}),
    ...(e.tokenKey !== undefined ? { tokenKey: e.tokenKey as string } : {}),
    ...(e.trigger !== undefined ? { trigger: { ...(e.trigger as TriggerValues) } } : {}),
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
