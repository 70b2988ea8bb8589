// images.yaml: text in, a fully resolved ImagesConfig out, or a UserError listing every problem with
// the line and column of the node at fault and what to write instead.
//
// The JSON Schema (generator/schema/images.schema.json) is the single statement of the shape; editors
// use it directly, and here ajv's findings are rephrased with positions from the YAML nodes. What a
// schema cannot say (unique names, the local rule, duration arithmetic) is checked afterwards.
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isScalar, type Node as YamlNode } from 'yaml';
import { reservedBuildArgProblem } from './build-args';
import { kindOf, schemaProblemOfError } from './schema-problem';
import { MAX_QUOTED_CHARS, quoted, shortened, UserError, type Problem } from './errors';
import { parseDuration } from './duration';
import { ImageRefError, parseImageRef } from './image-ref';
import { docURL, packageRoot } from './package-root';
import { isLocalSource, providerChecks, resolveSource, resolveTrigger, type RawProviders, type RawSource, type RawTrigger } from './providers/source-config';
import { gitlabProjectPathProblem } from './providers/gitlab';
import { webhookURLProblem } from './providers/webhook';
import type { BaseImageSettings, DispatchInputs, ImageEnrollment, ImagesConfig, ImageSubscription, SourcePosition, StateRepo } from './types';
import { DEFAULT_MAX_YAML_BYTES, pointerSegments, readYamlSource, sourceTextOf, type PathSegment, type YamlSource } from './yaml-source';
import { githubSlugOfURL, nearestKey, redactURL, refNameProblem, repoPathProblem } from './rules';

/** images.yaml is written by hand; anything near this size is the wrong file. */
export const MAX_IMAGES_YAML_BYTES = DEFAULT_MAX_YAML_BYTES;
export const IMAGES_SCHEMA_FILE = 'generator/schema/images.schema.json';

export const DEFAULT_BRANCH = 'main';
export const DEFAULT_REBUILD_DELAY = '7d';
export const DEFAULT_DISPATCH_INPUTS: Readonly<Required<DispatchInputs>> = { baseImage: 'base_image', baseDigest: 'base_digest' };

// ---------------------------------------------------------------------------------------------
// Rules the schema names by `format`. Each returns why a value is wrong (phrased to follow
// `<key> "<value>"`), or undefined when it is fine.

/** Why `url` is not an https git URL the state repo can be cloned from without secrets. */
export function stateRepoURLProblem(url: string): string | undefined {
  const fix = 'e.g. https://github.com/acme/images-state.git';
  if (url.startsWith('-')) return `starts with "-"; write the https URL, ${fix}`;
  if (/[\s\x00-\x1f\x7f]/.test(url)) return `contains white space or a control character; write the https URL, ${fix}`;
  if (/^[^/:]+@[^:]+:/.test(url) || url.startsWith('ssh://')) return `is an SSH address; write the https URL instead, ${fix}`;
  if (!/^https:\/\//.test(url)) return `is not an https URL; write the https URL, ${fix}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a valid URL; ${fix}`;
  }
  if (parsed.username || parsed.password || /^https:\/\/[^/]*@/.test(url)) {
    return 'contains credentials; remove them from the URL and give Kargo a repository credentials Secret instead';
  }
  if (parsed.search || parsed.hash) return `has a query or fragment; write the repository URL only, ${fix}`;
  if (parsed.pathname === '/' || parsed.pathname === '') return `names no repository; ${fix}`;
  if (parsed.hostname === 'github.com' && githubSlugOfURL(url) === undefined) {
    return 'is not a GitHub repository URL; write https://github.com/<owner>/<name>.git';
  }
  return undefined;
}

/**
 * Why `pattern` is not a regular expression Kargo can use. Kargo compiles tag patterns with Go's RE2,
 * which has no look-around and no back-references; the rest is close enough to JavaScript's syntax.
 */
export function goRegexpProblem(pattern: string): string | undefined {
  if (/\(\?<?[=!]/.test(pattern)) return "uses a look-around ((?=, (?!, (?<=, (?<!), which Kargo's Go regular expressions do not support";
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) return "uses a back-reference (\\1), which Kargo's Go regular expressions do not support";
  try {
    new RegExp(pattern);
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : 'invalid';
    return `is not a valid regular expression (${reason.toLowerCase()}); escape special characters such as . ( [ with \\`;
  }
  return undefined;
}

function imageRefProblem(text: string): string | undefined {
  try {
    parseImageRef(text);
    return undefined;
  } catch (e) {
    if (!(e instanceof ImageRefError)) throw e;
    const prefix = `invalid image reference ${JSON.stringify(text)}: `;
    const reason = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    return `is not a valid image reference: ${reason}`;
  }
}

function durationProblem(text: string): string | undefined {
  try {
    parseDuration(text);
    return undefined;
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

function kargoDurationProblem(text: string): string | undefined {
  if (!/^([0-9]+(\.[0-9]+)?(s|m|h))+$/.test(text)) return 'is not a Kargo duration; use s, m or h units, e.g. 30m, 2h, 1h30m';
  if (!/[1-9]/.test(text)) return 'is zero; a poll interval must be longer, e.g. 30m';
  return undefined;
}

const FORMAT_RULES: Readonly<Record<string, (text: string) => string | undefined>> = {
  duration: durationProblem,
  'kargo-duration': kargoDurationProblem,
  'git-branch': (name: string) => refNameProblem(name, 'branch'),
  'repo-path': repoPathProblem,
  'https-git-url': stateRepoURLProblem,
  'go-regexp': goRegexpProblem,
  'image-ref': imageRefProblem,
  'gitlab-project-path': gitlabProjectPathProblem,
  'webhook-url': webhookURLProblem,
};

// ---------------------------------------------------------------------------------------------
// The schema and its validators.

interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  title?: string;
  description?: string;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  propertyNames?: SchemaNode;
  enum?: unknown[];
  patternErrorMessage?: string;
  definitions?: Record<string, SchemaNode>;
}

const schema = JSON.parse(fs.readFileSync(path.join(packageRoot, IMAGES_SCHEMA_FILE), 'utf8')) as SchemaNode;
const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
addFormats(ajv);
// Shown by editors (VS Code, yaml-language-server) and reused here for the same message.
ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
for (const [name, problemOf] of Object.entries(FORMAT_RULES)) {
  ajv.addFormat(name, { type: 'string', validate: (text: string) => problemOf(text) === undefined });
}
ajv.addSchema(schema as object, 'images');
const validateList = ajv.getSchema('images#/definitions/imageList')!;
const validateMapping = ajv.getSchema('images#/definitions/config')!;

/**
 * What is wrong with a value against one definition of images.schema.json (a JSON pointer below
 * `#/definitions/`, e.g. `subscription` or `image/properties/registry`), or undefined when it
 * conforms: for enrollment fields that arrive as JSON rather than in images.yaml (the analysis
 * service's request), so that both accept exactly the same values. `path` is dotted, inside the value.
 */
export function schemaProblemOf(definition: string, value: unknown): { path: string; message: string } | undefined {
  const validate = ajv.getSchema(`images#/definitions/${definition}`);
  if (!validate) throw new Error(`images.schema.json has no definition ${definition}`);
  if (validate(value)) return undefined;
  const e = (validate.errors ?? []).find((x) => x.keyword !== 'if');
  if (!e) return { path: '', message: 'is not valid' };
  const found = schemaProblemOfError(e, { resolve: (node) => resolveRef(node as SchemaNode | undefined), formats: FORMAT_RULES });
  return { path: found.path.map(String).join('.'), message: found.message };
}

function resolveRef(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 8; hops++) {
    const name = /^#\/definitions\/(.+)$/.exec(current.$ref)?.[1];
    const target = name ? schema.definitions?.[name] : undefined;
    // Keywords written next to a $ref (title, description) describe this use and win.
    const { $ref: _ref, ...own } = current;
    current = target ? { ...target, ...own } : undefined;
  }
  return current;
}

// ---------------------------------------------------------------------------------------------
// Turning ajv's findings into messages.

export { nearestKey };

interface Finding {
  path: PathSegment[];
  /** Point at the key of the last path segment rather than its value. */
  part: 'key' | 'value';
  message: string;
  /** Lower wins when two findings name the same node. */
  rank: number;
}

class Checker {
  readonly findings = new Map<string, Finding>();
  /** Every path that has a finding at or below it, joined with "/". */
  private readonly flaggedPaths = new Set<string>();

  constructor(
    readonly source: YamlSource,
    /** Path prefix of the entry list: [] in the list form, ['images'] in the mapping form. */
    readonly entriesAt: PathSegment[],
  ) {}

  add(finding: Finding): void {
    const id = `${finding.part}:${finding.path.map(String).join('/')}`;
    const existing = this.findings.get(id);
    if (!existing || finding.rank < existing.rank) this.findings.set(id, finding);
    for (let i = 0; i <= finding.path.length; i++) this.flaggedPaths.add(finding.path.slice(0, i).map(String).join('/'));
  }

  /** Whether anything at or below `path` was already found wrong, so later checks do not pile on. */
  flagged(path: PathSegment[]): boolean {
    return this.flaggedPaths.has(path.map(String).join('/'));
  }

  /** How a path reads in a message: relative to its image entry (`source.branch`), else from the top. */
  label(path: readonly PathSegment[]): string {
    const n = this.entriesAt.length;
    const inEntry = path.length > n + 1 && this.entriesAt.every((s, i) => String(path[i]) === String(s));
    if (path.length === n + 1 && this.entriesAt.every((s, i) => String(path[i]) === String(s))) return `image entry ${Number(path[n]) + 1}`;
    const skip = inEntry ? n + 1 : 0;
    let node: unknown = path.slice(0, skip).reduce(step, this.source.value);
    let out = '';
    for (const segment of path.slice(skip)) {
      out += Array.isArray(node) ? `[${segment}]` : out ? `.${segment}` : String(segment);
      node = step(node, segment);
    }
    return out || 'the file';
  }

  problems(): Problem[] {
    const file = this.source.file;
    return [...this.findings.values()]
      .map((f) => ({ subject: file, ...this.source.positionOf(f.path, f.part), message: f.message }))
      .sort((a, b) => a.line - b.line || a.col - b.col || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  }
}

function step(node: unknown, segment: PathSegment): unknown {
  if (Array.isArray(node)) return node[Number(segment)];
  if (node !== null && typeof node === 'object') return (node as Record<string, unknown>)[String(segment)];
  return undefined;
}

function quoteHint(source: YamlSource, path: PathSegment[], node: YamlNode | undefined): string {
  const key = path[path.length - 1];
  const written = shortened(sourceTextOf(source, node) ?? '', MAX_QUOTED_CHARS);
  return typeof key === 'string' && !/^\d+$/.test(key) ? `${key}: "${written}"` : `"${written}"`;
}

function describeError(checker: Checker, e: ErrorObject): void {
  const source = checker.source;
  const path: PathSegment[] = pointerSegments(e.instancePath);
  const label = checker.label(path);
  const data: unknown = e.data;
  const shown = typeof data === 'string' ? quoted(data) : shortened(JSON.stringify(data) ?? String(data), MAX_QUOTED_CHARS);
  const parent = resolveRef(e.parentSchema as SchemaNode | undefined);
  switch (e.keyword) {
    case 'type': {
      const expected = ([] as string[]).concat((e.params as { type: string | string[] }).type);
      const node = source.nodeAt(path);
      let message: string;
      if (expected.includes('string') && (typeof data === 'number' || typeof data === 'boolean' || (data === null && node && isScalar(node) && sourceTextOf(source, node) !== ''))) {
        message = `${label} must be a string, but YAML reads ${sourceTextOf(source, node)} as ${typeof data === 'boolean' ? 'a boolean' : data === null ? 'null' : 'a number'}; quote it: ${quoteHint(source, path, node)}`;
      } else if (expected.includes('boolean')) {
        message = `${label} must be true or false, not ${kindOf(data)}`;
      } else if (expected.includes('integer')) {
        message = `${label} must be a whole number, not ${kindOf(data)}`;
      } else if (expected.includes('object')) {
        message = `${label} must be a mapping (key: value lines), not ${kindOf(data)}`;
      } else if (expected.includes('array')) {
        message = `${label} must be a list (lines starting with "- "), not ${kindOf(data)}`;
      } else {
        message = `${label} must be ${expected.includes('string') ? 'a string' : expected.join(' or ')}, not ${kindOf(data)}`;
      }
      checker.add({ path, part: 'value', message, rank: 0 });
      return;
    }
    case 'additionalProperties': {
      const key = (e.params as { additionalProperty: string }).additionalProperty;
      const known = Object.keys(parent?.properties ?? {});
      const near = nearestKey(key, known);
      const where = path.length ? ` in ${label === 'the file' ? 'the file' : labelOfObject(checker, path)}` : '';
      const hint = near ? `did you mean \`${near}\`?` : `known keys here: ${[...known].sort().join(', ')}`;
      checker.add({ path: [...path, key], part: 'key', message: `unknown key ${quoted(key)}${where}; ${hint}`, rank: 1 });
      return;
    }
    case 'required': {
      const key = (e.params as { missingProperty: string }).missingProperty;
      if (e.schemaPath.includes('/then/')) return; // Digest needs a constraint: checked after defaults apply.
      const property = resolveRef(parent?.properties?.[key]);
      const title = property?.title?.toLowerCase();
      const what = title && title.replace(/\s/g, '') !== key.toLowerCase() ? ` (${title})` : '';
      const example = property?.examples?.[0];
      const add = example === undefined ? `add ${key}:` : `add e.g. ${key}: ${typeof example === 'string' ? example : JSON.stringify(example)}`;
      checker.add({ path, part: path.length ? 'key' : 'value', message: `${labelOfObject(checker, path)} lacks "${key}"${what}; ${add}`, rank: 1 });
      return;
    }
    case 'propertyNames': {
      const key = (e.params as { propertyName: string }).propertyName;
      const reason = parent?.propertyNames?.patternErrorMessage ?? 'is not allowed here';
      checker.add({ path: [...path, key], part: 'key', message: `${label} key ${quoted(key)} ${reason}`, rank: 2 });
      return;
    }
    case 'format': {
      const rule = FORMAT_RULES[(e.params as { format: string }).format];
      const reason = (typeof data === 'string' && rule?.(data)) || 'is not valid';
      const value = typeof data === 'string' && (e.params as { format: string }).format === 'https-git-url' ? quoted(redactURL(data)) : shown;
      checker.add({ path, part: 'value', message: `${label} ${value} ${reason}`, rank: 2 });
      return;
    }
    case 'pattern': {
      const own = parent as SchemaNode | undefined;
      const reason = own?.patternErrorMessage ?? `does not match ${(e.params as { pattern: string }).pattern}`;
      checker.add({ path, part: 'value', message: `${label} ${shown} ${reason}`, rank: 3 });
      return;
    }
    case 'enum': {
      const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
      const near = typeof data === 'string' ? allowed.find((a) => a.toLowerCase() === data.toLowerCase()) : undefined;
      const message =
        allowed.length === 1
          ? `${label} ${shown} is not supported; the only value is ${allowed[0]}`
          : `${label} ${shown} is not one of ${allowed.join(', ')}${near ? `; did you mean \`${near}\`?` : ''}`;
      checker.add({ path, part: 'value', message, rank: 2 });
      return;
    }
    case 'minimum':
    case 'maximum': {
      const min = (parent as { minimum?: number } | undefined)?.minimum;
      const max = (parent as { maximum?: number } | undefined)?.maximum;
      const range = min !== undefined && max !== undefined ? `use ${min} to ${max}` : `must be ${(e.params as { comparison: string }).comparison} ${(e.params as { limit: number }).limit}`;
      checker.add({ path, part: 'value', message: `${label} ${shown} is out of range; ${range}`, rank: 2 });
      return;
    }
    case 'minLength':
      checker.add({ path, part: 'value', message: `${label} is empty; write a value or remove the key`, rank: 2 });
      return;
    case 'maxLength':
      checker.add({ path, part: 'value', message: `${label} is ${String(data).length} characters long; the limit is ${(e.params as { limit: number }).limit}`, rank: 2 });
      return;
    case 'if':
      return;
    default:
      checker.add({ path, part: 'value', message: `${label} ${e.message ?? 'is not valid'}`, rank: 4 });
  }
}

/** How an object reads as the subject of "lacks"/"unknown key in": `image "nginx"`, `source`, `stateRepo`. */
function labelOfObject(checker: Checker, path: PathSegment[]): string {
  const n = checker.entriesAt.length;
  const isEntry = path.length === n + 1 && checker.entriesAt.every((s, i) => String(path[i]) === String(s));
  if (isEntry) {
    const name = step(path.reduce(step, checker.source.value), 'name');
    return typeof name === 'string' ? `image "${name}"` : `image entry ${Number(path[n]) + 1}`;
  }
  return path.length === 0 ? 'images.yaml' : checker.label(path);
}

// ---------------------------------------------------------------------------------------------
// The raw shape after the schema passed (every field already has the right type).

interface RawSubscription {
  imageSelectionStrategy?: ImageSubscription['imageSelectionStrategy'];
  constraint?: string;
  allowTagsRegexes?: string[];
  ignoreTagsRegexes?: string[];
  platform?: string;
  discoveryLimit?: number;
}

interface RawImage {
  name: string;
  registry: string;
  repository: string;
  source: RawSource;
  trigger?: RawTrigger;
  rebuildDelay?: string | number;
  autoRebuild?: boolean;
  subscription?: RawSubscription;
  dispatchInputs?: DispatchInputs;
}

interface RawDefaults {
  rebuildDelay?: string | number;
  autoRebuild?: boolean;
  source?: { branch?: string };
  subscription?: RawSubscription;
  dispatchInputs?: DispatchInputs;
}

interface RawConfig {
  stateRepo?: { url: string; branch?: string; provider?: StateRepo['provider'] };
  providers?: RawProviders;
  defaults?: RawDefaults;
  baseImages?: Array<{ ref: string; interval: string }>;
  shards?: Array<{ name: string; prefixes: string[] }>;
  images: RawImage[];
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

const emptyFileHint = (): string =>
  `list the images to rebuild, e.g. "images:" followed by "- name: nginx" with registry, repository and source (dockerfile, workflow); see ${docURL('docs/images-yaml.md')}`;

/** Checks that need more than one node, or arithmetic, run on whatever part of the file is well-formed. */
function crossChecks(checker: Checker, raw: RawConfig): void {
  const entriesAt = checker.entriesAt;
  const entryPath = (i: number): PathSegment[] => [...entriesAt, i];

  const delayChecks: Array<[PathSegment[], unknown]> = [[['defaults', 'rebuildDelay'], raw.defaults?.rebuildDelay]];
  raw.images.forEach((image, i) => delayChecks.push([[...entryPath(i), 'rebuildDelay'], isRecord(image) ? image.rebuildDelay : undefined]));
  for (const [path, value] of delayChecks) {
    if (typeof value === 'number' && value !== 0 && !checker.flagged(path)) {
      checker.add({ path, part: 'value', message: `${checker.label(path)} ${value} has no unit; write e.g. ${value}d, ${value}h or ${value}m (or 0 to rebuild at once)`, rank: 2 });
    }
  }

  const seenNames = new Map<string, number>();
  raw.images.forEach((image, i) => {
    if (!isRecord(image) || typeof image.name !== 'string' || checker.flagged([...entryPath(i), 'name'])) return;
    const first = seenNames.get(image.name);
    if (first === undefined) {
      seenNames.set(image.name, i);
      return;
    }
    const at = checker.source.positionOf([...entryPath(first), 'name']);
    checker.add({
      path: [...entryPath(i), 'name'],
      part: 'value',
      message: `image name "${image.name}" is used twice (first at line ${at.line}, column ${at.col}); give each image its own name`,
      rank: 2,
    });
  });

  raw.images.forEach((image, i) => {
    const path = [...entryPath(i), 'repository'];
    if (!isRecord(image) || typeof image.registry !== 'string' || typeof image.repository !== 'string' || checker.flagged(path)) return;
    if (image.repository.split('/')[0] === image.registry && image.repository.includes('/')) {
      const rest = image.repository.slice(image.registry.length + 1);
      checker.add({ path, part: 'value', message: `repository ${quoted(image.repository)} starts with the registry; write only the path: repository: ${rest}`, rank: 2 });
    }
  });

  const seenRepos = new Map<string, number>();
  raw.images.forEach((image, i) => {
    if (!isRecord(image) || typeof image.registry !== 'string' || typeof image.repository !== 'string') return;
    if (checker.flagged([...entryPath(i), 'registry']) || checker.flagged([...entryPath(i), 'repository'])) return;
    const key = `${image.registry}/${image.repository}`;
    const first = seenRepos.get(key);
    if (first === undefined) {
      seenRepos.set(key, i);
      return;
    }
    const at = checker.source.positionOf([...entryPath(first), 'repository']);
    checker.add({
      path: [...entryPath(i), 'repository'],
      part: 'value',
      message: `image ${key} is enrolled twice (first at line ${at.line}, column ${at.col}); one entry per image`,
      rank: 2,
    });
  });

  const seenRefs = new Map<string, number>();
  (raw.baseImages ?? []).forEach((base, i) => {
    const path = ['baseImages', i, 'ref'];
    if (!isRecord(base) || typeof base.ref !== 'string' || checker.flagged(path)) return;
    const canonical = parseImageRef(base.ref).ref;
    const first = seenRefs.get(canonical);
    if (first === undefined) {
      seenRefs.set(canonical, i);
      return;
    }
    const at = checker.source.positionOf(['baseImages', first, 'ref']);
    checker.add({ path, part: 'value', message: `base image ${canonical} is listed twice in baseImages (first at line ${at.line}, column ${at.col}); keep one entry`, rank: 2 });
  });

  raw.images.forEach((image, i) => {
    const args = isRecord(image) && isRecord(image.source) ? image.source.buildArgs : undefined;
    if (!isRecord(args)) return;
    for (const name of Object.keys(args)) {
      const problem = reservedBuildArgProblem(name);
      if (problem) checker.add({ path: [...entryPath(i), 'source', 'buildArgs', name], part: 'key', message: `build argument "${name}" ${problem}`, rank: 2 });
    }
  });

  // Digest follows one mutable tag, so it has nothing to follow without a constraint.
  const digestCheck = (path: PathSegment[], sub: unknown) => {
    if (!isRecord(sub) || sub.imageSelectionStrategy !== 'Digest' || sub.constraint !== undefined || checker.flagged(path)) return;
    checker.add({
      path,
      part: 'key',
      message: `${checker.label(path)} uses imageSelectionStrategy Digest, which needs constraint: the mutable tag to follow; add e.g. constraint: latest`,
      rank: 2,
    });
  };
  digestCheck(['defaults', 'subscription'], raw.defaults?.subscription);
  raw.images.forEach((image, i) => {
    if (isRecord(image)) digestCheck([...entryPath(i), 'subscription'], image.subscription);
  });

  providerChecks(checker, raw, entryPath);

  // A local image's Dockerfile is read from the state repo's working tree, which is the state branch.
  const stateBranch = raw.stateRepo?.branch ?? DEFAULT_BRANCH;
  const stateRepo = typeof raw.stateRepo?.url === 'string' ? { url: raw.stateRepo.url, branch: stateBranch, provider: raw.stateRepo.provider } : undefined;
  if (raw.stateRepo && !checker.flagged(['stateRepo'])) {
    raw.images.forEach((image, i) => {
      if (!isRecord(image) || !isRecord(image.source)) return;
      const source = image.source as RawImage['source'];
      const branchPath = [...entryPath(i), 'source', 'branch'];
      if (typeof source.branch !== 'string' || checker.flagged(branchPath)) return;
      if (!isLocalSource(source, stateRepo, raw.providers) || source.branch === stateBranch) return;
      checker.add({
        path: branchPath,
        part: 'value',
        message: `source.branch ${quoted(source.branch)} differs from stateRepo.branch "${stateBranch}", but this image is local (its Dockerfile is in the state repo, read from the state branch); remove source.branch, or set source.repo to the repository the Dockerfile is in`,
        rank: 2,
      });
    });
  }
}

function resolveSubscription(sub: RawSubscription | undefined): ImageSubscription {
  const out: ImageSubscription = { imageSelectionStrategy: sub?.imageSelectionStrategy ?? 'NewestBuild' };
  if (sub?.constraint !== undefined) out.constraint = sub.constraint;
  if (sub?.allowTagsRegexes !== undefined) out.allowTagsRegexes = [...sub.allowTagsRegexes];
  if (sub?.ignoreTagsRegexes !== undefined) out.ignoreTagsRegexes = [...sub.ignoreTagsRegexes];
  if (sub?.platform !== undefined) out.platform = sub.platform;
  if (sub?.discoveryLimit !== undefined) out.discoveryLimit = sub.discoveryLimit;
  return out;
}

function resolveDispatchInputs(inputs: DispatchInputs | undefined): DispatchInputs {
  const given = inputs ?? DEFAULT_DISPATCH_INPUTS;
  const out: DispatchInputs = {};
  if (given.baseImage !== undefined) out.baseImage = given.baseImage;
  if (given.baseDigest !== undefined) out.baseDigest = given.baseDigest;
  return out;
}

function sortedRecord(record: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(record ?? {}).sort()) out[key] = record![key];
  return out;
}

function resolve(source: YamlSource, raw: RawConfig, entriesAt: PathSegment[]): ImagesConfig {
  const defaults = raw.defaults ?? {};
  const stateRepo: StateRepo | undefined = raw.stateRepo
    ? { url: raw.stateRepo.url, branch: raw.stateRepo.branch ?? DEFAULT_BRANCH, ...(raw.stateRepo.provider ? { provider: raw.stateRepo.provider } : {}) }
    : undefined;
  const images = raw.images.map((image, i): ImageEnrollment => {
    const local = isLocalSource(image.source, stateRepo, raw.providers);
    const branch = image.source.branch ?? (local && stateRepo ? stateRepo.branch : (defaults.source?.branch ?? DEFAULT_BRANCH));
    const delay = image.rebuildDelay ?? defaults.rebuildDelay ?? DEFAULT_REBUILD_DELAY;
    const position: SourcePosition = source.positionOf([...entriesAt, i]);
    const { provider, ...where } = resolveSource(image, local, stateRepo, raw.providers);
    const resolvedSource: ImageEnrollment['source'] = {
      provider,
      ...where,
      branch,
      dockerfile: image.source.dockerfile,
      buildArgs: sortedRecord(image.source.buildArgs),
    };
    const trigger = resolveTrigger(image.trigger);
    return {
      ...(trigger ? { trigger } : {}),
      name: image.name,
      registry: image.registry,
      repository: image.repository,
      source: resolvedSource,
      rebuildDelay: String(delay),
      autoRebuild: image.autoRebuild ?? defaults.autoRebuild ?? true,
      subscription: resolveSubscription(image.subscription ?? defaults.subscription),
      dispatchInputs: resolveDispatchInputs(image.dispatchInputs ?? defaults.dispatchInputs),
      local,
      position,
    };
  });
  images.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const baseImages: BaseImageSettings[] = (raw.baseImages ?? [])
    .map((b) => ({ ref: parseImageRef(b.ref).ref, interval: b.interval }))
    .sort((a, b) => (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0));
  const config: ImagesConfig = stateRepo ? { file: source.file, stateRepo, images, baseImages } : { file: source.file, images, baseImages };
  if (raw.shards) {
    config.shards = raw.shards.map((shard, i) => ({
      name: shard.name,
      prefixes: shard.prefixes.map((prefix, j) => ({ prefix, position: source.positionOf(['shards', i, 'prefixes', j]) })),
      position: source.positionOf(['shards', i]),
    }));
  }
  return config;
}

/**
 * Parses and validates images.yaml. Pure: the text is given, nothing is read. Throws UserError listing
 * every problem found, each at the line and column of the node at fault.
 */
export function parseImagesConfig(text: string | Buffer, file: string): ImagesConfig {
  const source = readYamlSource(text, file, {
    maxBytes: MAX_IMAGES_YAML_BYTES,
    maxAliases: 0,
    what: 'images.yaml',
  });
  if (source.isEmpty) throw new UserError({ subject: file, line: 1, col: 1, message: `is empty; ${emptyFileHint()}` });

  const value = source.value;
  let raw: RawConfig;
  let entriesAt: PathSegment[];
  let validate: typeof validateList;
  if (Array.isArray(value)) {
    raw = { images: value as RawImage[] };
    entriesAt = [];
    validate = validateList;
  } else if (isRecord(value)) {
    raw = value as unknown as RawConfig;
    entriesAt = ['images'];
    validate = validateMapping;
  } else {
    throw new UserError({
      subject: file,
      ...source.positionOf([]),
      message: `must be a list of image entries or a mapping with "images:", not ${kindOf(value)}; ${emptyFileHint()}`,
    });
  }

  const checker = new Checker(source, entriesAt);
  if (!validate(value)) {
    for (const e of validate.errors ?? []) {
      // The inner errors of propertyNames repeat the outer one without the key; the outer one is kept.
      if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
      describeError(checker, e);
    }
  }
  crossChecks(checker, { ...raw, images: Array.isArray(raw.images) ? raw.images : [] });
  if (checker.findings.size) throw new UserError(checker.problems());
  return resolve(source, raw, entriesAt);
}
