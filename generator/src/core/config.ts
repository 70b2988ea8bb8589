// images.yaml: text in, a fully resolved ImagesConfig out, or a UserError listing every problem with
// the line and column of the node at fault and what to write instead.
//
// The JSON Schema (config-schema.ts) is the single statement of the shape; ajv's findings are
// rephrased with positions from the YAML nodes (config-messages.ts). What a schema cannot say (unique
// names, the local rule, duration arithmetic) is checked afterwards (config-cross-checks.ts).
//
// Two ways in, one answer. A valid file in the plain block subset (block-yaml.ts) is read without the
// yaml library's positioned parse, which took 2-3 s at 10,000 images; any file that reader refuses,
// and any file with a problem, goes through the positioned parse, which alone words the errors. So
// every message is the positioned path's, and the fast path only ever answers for a valid file.
import type { ErrorObject, ValidateFunction } from 'ajv';
import { UserError } from './errors';
import { kindOf } from './schema-problem';
import { docURL } from './package-root';
import { parseImageRef } from './image-ref';
import { isLocalSource, resolveSource, resolveTrigger, type RawProviders, type RawSource, type RawTrigger } from './providers/source-config';
import type { BaseImageSettings, DispatchInputs, ImageEnrollment, ImagesConfig, ImageSubscription, SourcePosition, StateRepo } from './types';
import { decodeYamlText, DEFAULT_MAX_YAML_BYTES, MAX_YAML_DEPTH, readYamlSource, type PathSegment, type YamlSource } from './yaml-source';
import { readBlockYaml } from './block-yaml';
import { validatorOf } from './config-schema';
import { Checker, isRecord, type PositionedValue } from './config-checker';
import { describeError } from './config-messages';
import { crossChecks, DEFAULT_BRANCH, type UncheckedConfig } from './config-cross-checks';

export { goRegexpProblem, IMAGES_SCHEMA_FILE, schemaProblemOf, stateRepoURLProblem } from './config-schema';
export { nearestKey } from './rules';
export { DEFAULT_BRANCH };

/** images.yaml is written by hand; anything near this size is the wrong file. */
export const MAX_IMAGES_YAML_BYTES = DEFAULT_MAX_YAML_BYTES;
const IMAGES_YAML_RULE = { maxBytes: MAX_IMAGES_YAML_BYTES, maxAliases: 0, what: 'images.yaml' };

export const DEFAULT_REBUILD_DELAY = '7d';
export const DEFAULT_DISPATCH_INPUTS: Readonly<Required<DispatchInputs>> = { baseImage: 'base_image', baseDigest: 'base_digest' };

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

const emptyFileHint = (): string =>
  `list the images to rebuild, e.g. "images:" followed by "- name: nginx" with registry, repository and source (dockerfile, workflow); see ${docURL('docs/images-yaml.md')}`;

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

function resolve(source: PositionedValue, raw: RawConfig, entriesAt: PathSegment[]): ImagesConfig {
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

/** Where a file's image entries are and which schema they meet, by the top level's form; undefined for neither form. */
function formOf(value: unknown): { raw: RawConfig; entriesAt: PathSegment[]; validate: ValidateFunction } | undefined {
  if (Array.isArray(value)) return { raw: { images: value as RawImage[] }, entriesAt: [], validate: validatorOf('imageList') };
  if (isRecord(value)) return { raw: value as unknown as RawConfig, entriesAt: ['images'], validate: validatorOf('config') };
  return undefined;
}

/** What the cross-checks may assume of any file: an image list, even where the schema found none. */
const uncheckedOf = (raw: RawConfig): UncheckedConfig => ({ ...raw, images: Array.isArray(raw.images) ? raw.images : [] });

/**
 * The config of a valid file in block-yaml's subset, read without the positioned parse; undefined
 * for any other file (outside the subset, or with any problem at all), which the positioned path reads.
 */
function fastImagesConfig(text: string, file: string): ImagesConfig | undefined {
  const block = readBlockYaml(text, MAX_YAML_DEPTH);
  const form = block && formOf(block.value);
  if (!block || !form || !form.validate(block.value)) return undefined;
  const source: PositionedValue = { file, value: block.value, positionOf: block.positionOf };
  const checker = new Checker(source, form.entriesAt);
  crossChecks(checker, uncheckedOf(form.raw));
  return checker.findings.size ? undefined : resolve(source, form.raw, form.entriesAt);
}

/** The config of any file, through the positioned parse: every problem at its line and column. */
function positionedImagesConfig(text: string, file: string): ImagesConfig {
  const source = readYamlSource(text, file, IMAGES_YAML_RULE);
  if (source.isEmpty) throw new UserError({ subject: file, line: 1, col: 1, message: `is empty; ${emptyFileHint()}` });
  const form = formOf(source.value);
  if (!form) {
    throw new UserError({
      subject: file,
      ...source.positionOf([]),
      message: `must be a list of image entries or a mapping with "images:", not ${kindOf(source.value)}; ${emptyFileHint()}`,
    });
  }
  const checker = new Checker<YamlSource>(source, form.entriesAt);
  if (!form.validate(source.value)) {
    for (const e of form.validate.errors ?? []) {
      // The inner errors of propertyNames repeat the outer one without the key; the outer one is kept.
      if ((e as ErrorObject & { propertyName?: string }).propertyName !== undefined) continue;
      describeError(checker, e);
    }
  }
  crossChecks(checker, uncheckedOf(form.raw));
  if (checker.findings.size) throw new UserError(checker.problems());
  return resolve(source, form.raw, form.entriesAt);
}

/**
 * Parses and validates images.yaml. Pure: the text is given, nothing is read. Throws UserError listing
 * every problem found, each at the line and column of the node at fault.
 */
export function parseImagesConfig(input: string | Buffer, file: string): ImagesConfig {
  // Size and encoding first, as the positioned parse checks them: the same errors either way.
  const text = decodeYamlText(input, file, IMAGES_YAML_RULE);
  return fastImagesConfig(text, file) ?? positionedImagesConfig(text, file);
}

/** The positioned path alone, for tests that hold the fast path to it. */
export const parseImagesConfigPositioned = (input: string | Buffer, file: string): ImagesConfig => positionedImagesConfig(decodeYamlText(input, file, IMAGES_YAML_RULE), file);
