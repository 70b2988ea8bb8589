// `image-factory generate`: images.yaml + the state files + local Dockerfiles in, state files and
// Helm values out. Reading and analyzing happen first and may fail; files are only written once
// everything is known, all at once (files.ts).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DockerfileAnalysis, ImageEnrollment, ImagesConfig } from '../core/types';
import type { ChartValues } from '../core/values-types';
import { edgesOf } from '../core/edges';
import { UserError, type Problem } from '../core/errors';
import { MAX_IMAGES_YAML_BYTES, parseImagesConfig } from '../core/config';
import { analyzeDockerfile } from '../core/dockerfile-file';
import { parseImageRef, repoURLOf } from '../core/image-ref';
import {
  ANALYZER,
  analysisLimitProblem,
  analysisRecordOf,
  baseStateOf,
  imageStateOf,
  pendingAnalysis,
  usedRefsOf,
  type AnalysisRecord,
  type ImageState,
} from '../core/state';
import { MAX_STATE_BYTES, readBaseStateFile, readImageStateFile, STATE_SIZE_RULE, writableStateAgain, type StateRead } from '../core/state-file';
import { renderValues, sourceRepoURLOf, valuesOf, VALUES_HEADER } from '../core/values';
import { shardValuesOf, shardValuesPath, type ShardValues } from '../core/shards';
import { assertAcyclic } from '../core/graph';
import { assertSlugsDistinct, slugOf } from '../core/slug';
import { baseStatePath, imageStatePath } from '../core/names';
import { changesOf, type FileChange } from './files';
import { sameJson } from '../core/same-json';
import { fsProblemMessage, isFsError, readRegularFile, readRegularFileUnlessLink, type ReadOptions, type ReadResult } from './read-file';
import { folderInside, locateInside, RepoLocator } from './repo-paths';
import { describeBytes, yamlTooLarge } from '../core/yaml-source';
import { MAX_VALUES_BYTES } from './values-file';
import { MAX_DOCKERFILE_BYTES } from '../core/rules';
import { docURL } from '../core/package-root';

export const IMAGES_FILE = 'images.yaml';
export const VALUES_FILE = 'dist/values.yaml';
/** Dockerfiles larger than this are not Dockerfiles anyone writes by hand. */

/** Reads one file of an external image's repository; generate calls it only with --fetch-external. */
export type ExternalFetcher = (image: ImageEnrollment, repoURL: string) => Promise<{ commit: string; committedAt: string; content: Buffer }>;

export interface GenerateOptions {
  root: string;
  fetchExternal?: ExternalFetcher;
  /** The time recorded for a new local analysis; SOURCE_DATE_EPOCH wins when set. */
  now?: () => Date;
}

export interface StateRepo {
  config: ImagesConfig;
  states: Map<string, ImageState>;
  values: ChartValues;
}

export interface GenerationPlan extends StateRepo {
  /** Each shard's values, when images.yaml has shards. */
  shards?: Map<string, ShardValues>;
  files: Map<string, string>;
  removals: string[];
  /** What the state files held when they were read (their text when it was valid UTF-8), so they are compared without reading them twice. */
  current: Map<string, Buffer | string>;
}

function isoSeconds(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function analysisTime(opts: GenerateOptions): string {
  const epoch = process.env.SOURCE_DATE_EPOCH;
  if (epoch !== undefined && /^\d+$/.test(epoch)) return isoSeconds(new Date(Number(epoch) * 1000));
  return isoSeconds((opts.now ?? (() => new Date()))());
}

function readImagesConfig(root: string): ImagesConfig {
  const sizeRule = { maxBytes: MAX_IMAGES_YAML_BYTES, what: 'images.yaml' };
  // A committed link to /proc/self/environ or a secret elsewhere must not be read (and quoted in errors).
  const found = locateInside(root, IMAGES_FILE);
  if (found.kind === 'outside') throw new UserError({ subject: IMAGES_FILE, message: `is a symbolic link to ${found.real}, outside the state repo; replace it with the file itself` });
  const read = readRegularFile(path.join(root, IMAGES_FILE), IMAGES_FILE, { maxBytes: MAX_IMAGES_YAML_BYTES, fix: 'images.yaml must be a file' });
  if (read.kind === 'missing') throw new UserError({ subject: IMAGES_FILE, message: `not found in ${root}; run \`image-factory init\` to create a state repo there, or pass --root (images.yaml reference: ${docURL('docs/images-yaml.md')})` });
  if (read.kind === 'too-large') throw yamlTooLarge(read.size, IMAGES_FILE, sizeRule);
  return parseImagesConfig(read.bytes, IMAGES_FILE);
}

/** The folders generate writes state files to; each holds only `*.yaml` files it wrote. */
export const STATE_FOLDERS = ['images', 'base-images'] as const;
/** Every folder generate writes to, where a killed run may have left temp files. */
export const OUTPUT_FOLDERS: readonly string[] = [...STATE_FOLDERS, path.posix.dirname(VALUES_FILE)];

/** Lists `<dir>/*.yaml` relative to root, sorted; a missing folder is empty. */
function yamlFilesIn(root: string, dir: string): string[] {
  const full = folderInside(root, dir);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(full, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    if (isFsError(e)) throw new UserError({ subject: dir, message: fsProblemMessage(e, 'listed') });
    throw e;
  }
  return entries
    .filter((d) => d.isFile() && d.name.endsWith('.yaml'))
    .map((d) => `${dir}/${d.name}`)
    .sort();
}

/** A state file's bytes: a regular file within the size the reader accepts. */
function readStateBytes(root: string, rel: string): Buffer {
  const read = readRegularFile(path.join(root, rel), rel, { maxBytes: MAX_STATE_BYTES, noFollow: true });
  if (read.kind === 'missing') throw new UserError({ subject: rel, message: 'disappeared while it was being read; run again' });
  if (read.kind === 'too-large') throw yamlTooLarge(read.size, rel, STATE_SIZE_RULE);
  return read.bytes;
}

/** The state files as they are: each one's bytes and what it holds, by path. */
interface ExistingStates {
  images: Map<string, StateRead<ImageState>>;
  bases: Map<string, StateRead<unknown>>;
  bytes: Map<string, Buffer | string>;
}

function readExistingStates(root: string): ExistingStates {
  const existing: ExistingStates = { images: new Map(), bases: new Map(), bytes: new Map() };
  for (const rel of yamlFilesIn(root, 'images')) {
    const bytes = readStateBytes(root, rel);
    const read = readImageStateFile(bytes, rel);
    existing.images.set(rel, read);
    existing.bytes.set(rel, read.asWritten ?? bytes);
  }
  for (const rel of yamlFilesIn(root, 'base-images')) {
    const bytes = readStateBytes(root, rel);
    const read = readBaseStateFile(bytes, rel);
    existing.bases.set(rel, read);
    existing.bytes.set(rel, read.asWritten ?? bytes);
  }
  return existing;
}

/** A local Dockerfile's bytes as the locator finds them: through a link only when it stays inside the state repo. */
function dockerfileAt(locator: RepoLocator, rel: string, options: ReadOptions): ReadResult | { kind: 'outside' } {
  let found = locator.locate(rel);
  if (found.kind === 'inside') {
    const read = readRegularFileUnlessLink(found.real, rel, options);
    if (read.kind !== 'link') return read;
    found = locator.locateLink(found.real);
    if (found.kind === 'inside') return readRegularFile(found.real, rel, options);
  }
  return found.kind === 'outside' ? { kind: 'outside' } : { kind: 'missing' };
}

/** Reads a local image's Dockerfile: inside the state repo (also through links), a regular file, within the size cap. */
function readLocalDockerfile(locator: RepoLocator, image: ImageEnrollment): Buffer {
  const where = { subject: IMAGES_FILE, line: image.position.line, col: image.position.col };
  const rel = image.source.dockerfile;
  let read: ReadResult | { kind: 'outside' };
  try {
    read = dockerfileAt(locator, rel, { maxBytes: MAX_DOCKERFILE_BYTES, fix: 'source.dockerfile must name a Dockerfile' });
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    // Point at the entry in images.yaml, where the path is written.
    throw new UserError({ ...where, message: `image "${image.name}": ${rel} ${e.problems[0].message}` });
  }
  if (read.kind === 'outside') {
    throw new UserError({ ...where, message: `image "${image.name}": Dockerfile ${rel} leads outside the state repo through a link; point source.dockerfile at a file inside it` });
  }
  if (read.kind === 'missing') {
    throw new UserError({ ...where, message: `image "${image.name}": Dockerfile ${rel} not found in the state repo; fix source.dockerfile or add the file` });
  }
  if (read.kind === 'too-large') throw new UserError({ subject: rel, message: `is ${read.size} bytes, over the ${MAX_DOCKERFILE_BYTES}-byte limit for a Dockerfile` });
  return read.bytes;
}

/** Build args as one comparable text, whatever order they were given in. */
const buildArgsKey = (args: Record<string, string>): string => JSON.stringify(Object.entries(args).sort());

const sameBuildArgs = (a: Record<string, string>, b: Record<string, string>): boolean => buildArgsKey(a) === buildArgsKey(b);

const sameSource = (a: ImageState['source'], b: ImageEnrollment['source']): boolean =>
  a.repo === b.repo && a.dockerfile === b.dockerfile && sameBuildArgs(a.buildArgs, b.buildArgs);

function withoutTime(r: AnalysisRecord): string {
  return JSON.stringify({ ...r, analyzedAt: undefined });
}

/** What analyzing the local Dockerfiles of one run shares. */
interface LocalAnalysis {
  locator: RepoLocator;
  /** Analyses by content hash and build args: Dockerfiles made from one template are analyzed once. */
  analyses: Map<string, DockerfileAnalysis>;
}

function analyzedOnce(run: LocalAnalysis, bytes: Buffer, contentHash: string, image: ImageEnrollment): DockerfileAnalysis {
  const key = `${contentHash} ${buildArgsKey(image.source.buildArgs)}`;
  let result = run.analyses.get(key);
  if (!result) {
    result = analyzeDockerfile(bytes, image.source.dockerfile, image.source.buildArgs);
    run.analyses.set(key, result);
  }
  return result;
}

async function analysisFor(
  run: LocalAnalysis,
  image: ImageEnrollment,
  previous: ImageState | undefined,
  repoURL: string,
  opts: GenerateOptions,
): Promise<AnalysisRecord> {
  if (image.local) {
    const bytes = readLocalDockerfile(run.locator, image);
    const contentHash = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    // The same bytes, build args and analyser give the same answer: keep it rather than parse again.
    if (
      previous &&
      previous.analysis.status === 'analyzed' &&
      previous.analysis.contentHash === contentHash &&
      previous.analysis.analyzer === ANALYZER &&
      sameBuildArgs(previous.source.buildArgs, image.source.buildArgs)
    ) {
      return previous.analysis;
    }
    const fresh = analysisRecordOf(analyzedOnce(run, bytes, contentHash, image), { contentHash, analyzedAt: analysisTime(opts) });
    // A second run over an unchanged Dockerfile must change nothing, the time included.
    if (previous && previous.analysis.status === 'analyzed' && withoutTime(previous.analysis) === withoutTime(fresh)) {
      return { ...fresh, analyzedAt: previous.analysis.analyzedAt };
    }
    return fresh;
  }
  if (opts.fetchExternal) {
    const fetched = await opts.fetchExternal(image, repoURL);
    const file = `${repoURL}@${fetched.commit.slice(0, 12)}:${image.source.dockerfile}`;
    const result = analyzeDockerfile(fetched.content, file, image.source.buildArgs);
    return analysisRecordOf(result, { commit: fetched.commit, analyzedAt: fetched.committedAt });
  }
  if (previous && previous.analysis.status === 'analyzed' && sameSource(previous.source, image.source)) return previous.analysis;
  return pendingAnalysis();
}

/** Reads and analyzes everything, and decides every output file; writes nothing. */
export async function planGeneration(opts: GenerateOptions): Promise<GenerationPlan> {
  const root = opts.root;
  const config = readImagesConfig(root);
  const existing = readExistingStates(root);
  const previous = new Map([...existing.images.values()].map((read) => [read.state.name, read.state]));
  const states = new Map<string, ImageState>();
  // Every local Dockerfile's problem at once (missing, outside, not a Dockerfile), not one a run.
  const dockerfileProblems: Problem[] = [];
  const run: LocalAnalysis = { locator: new RepoLocator(root), analyses: new Map() };
  for (const image of config.images) {
    const repoURL = sourceRepoURLOf(image, config);
    const before = previous.get(image.name);
    let analysis: AnalysisRecord;
    try {
      analysis = await analysisFor(run, image, before, repoURL, opts);
    } catch (e) {
      if (!(e instanceof UserError) || !image.local) throw e;
      dockerfileProblems.push(...e.problems);
      continue;
    }
    const state = imageStateOf(image, analysis, before?.lastRebuild);
    // An unchanged state keeps the object read from its file, so the new one is garbage at once.
    states.set(image.name, before && sameJson(before, state) ? before : state);
  }
  if (dockerfileProblems.length) throw new UserError(dockerfileProblems);
  const values = valuesOf(config, states);
  assertAcyclic(values, IMAGES_FILE);

  const files = new Map<string, string>();
  const problems: Problem[] = [];
  const imageByName = new Map(config.images.map((i) => [i.name, i]));
  for (const state of states.values()) {
    const rel = imageStatePath(state.name);
    const written = writableStateAgain(state, existing.images.get(rel));
    if ('problem' in written) problems.push(unwritableImageState(rel, written.problem, imageByName.get(state.name)!));
    else files.set(rel, written.text);
  }

  const usedBy = new Map<string, { ref: ReturnType<typeof parseImageRef>; users: string[] }>();
  for (const state of states.values()) {
    for (const ref of usedRefsOf(state.analysis)) {
      const entry = usedBy.get(ref.ref) ?? { ref, users: [] };
      entry.users.push(state.name);
      usedBy.set(ref.ref, entry);
    }
  }
  assertSlugsDistinct([...usedBy.values()].map((u) => u.ref), IMAGES_FILE);
  const enrolledByRepo = new Map(config.images.map((i) => [`${i.registry}/${i.repository}`, i.name]));
  for (const { ref, users } of usedBy.values()) {
    const rel = baseStatePath(slugOf(ref));
    const state = baseStateOf(ref, users, enrolledByRepo.get(repoURLOf(ref)));
    const written = writableStateAgain(state, existing.bases.get(rel));
    if ('problem' in written) problems.push({ subject: rel, message: `${written.problem}: ${state.usedBy.length} images build on ${ref.ref}; enrol fewer images on one base` });
    else files.set(rel, written.text);
  }
  if (problems.length) throw new UserError(problems);
  const valuesText = renderValues(values);
  const valuesSize = Buffer.byteLength(valuesText, 'utf8');
  if (valuesSize > MAX_VALUES_BYTES) {
    throw new UserError({ subject: VALUES_FILE, message: `would be ${describeBytes(valuesSize)}, over the ${describeBytes(MAX_VALUES_BYTES)} that image-factory graph, impact and rebuild read; enrol fewer images in one state repo` });
  }
  files.set(VALUES_FILE, valuesText);
  const shards = config.shards ? shardValuesOf(config, values) : undefined;
  for (const [name, shardValues] of shards ?? []) files.set(shardValuesPath(name), renderValues(shardValues));

  const removals = [...yamlFilesIn(root, 'images'), ...yamlFilesIn(root, 'base-images'), ...staleShardFiles(root)].filter((rel) => !files.has(rel));
  return { config, states, values, shards, files, removals, current: existing.bytes };
}

/** dist/values-*.yaml files generate wrote (they begin with its header): a shard that is gone loses its file; anything else there is left alone. */
function staleShardFiles(root: string): string[] {
  const header = Buffer.from(`# ${VALUES_HEADER.split('\n')[0]}`);
  return yamlFilesIn(root, path.posix.dirname(VALUES_FILE)).filter((rel) => {
    if (!/^dist\/values-[^/]+\.yaml$/.test(rel)) return false;
    const read = readRegularFile(path.join(root, rel), rel, { maxBytes: MAX_VALUES_BYTES, noFollow: true });
    return read.kind === 'read' && read.bytes.subarray(0, header.length).equals(header);
  });
}

/**
 * An image state too large to write. Everything in it follows from images.yaml and the Dockerfile
 * (lastRebuild has one fixed-shape entry per image the Dockerfile names), so the entry is the place.
 */
function unwritableImageState(rel: string, problem: string, image: ImageEnrollment): Problem {
  return {
    subject: IMAGES_FILE,
    line: image.position.line,
    col: image.position.col,
    message: `image "${image.name}": ${rel} ${problem}, because of what its Dockerfile names; use fewer or shorter image references, stage names and platforms`,
  };
}

export function changesOfPlan(plan: GenerationPlan, root: string): FileChange[] {
  return changesOf(root, plan.files, plan.removals, plan.current);
}

/** The state repo as `generate` sees it, for commands that only read (graph, impact, analyze). */
export async function loadStateRepo(root: string): Promise<StateRepo> {
  const plan = await planGeneration({ root });
  return { config: plan.config, states: plan.states, values: plan.values };
}

export function summaryOf(plan: GenerationPlan, changes: readonly FileChange[]): string {
  const images = plan.config.images;
  const local = images.filter((i) => i.local).length;
  const pending = [...plan.states.values()].filter((s) => s.analysis.status === 'pending').map((s) => s.name);
  const lines = [
    `${images.length} image(s): ${local} local, ${images.length - local} external${pending.length ? ` (${pending.length} not yet analyzed: ${pending.join(', ')})` : ''}`,
    `${plan.values.bases.length} base image Warehouse(s), ${edgesOf(plan.values).length} dependency edge(s)`,
  ];
  if (plan.shards) {
    const polls = [...plan.shards.values()].reduce((n, v) => n + v.bases.length, 0);
    lines.push(`${plan.shards.size} shard(s), one release and Kargo Project each; shared bases are polled once per shard: ${polls} base Warehouse(s) in all for ${plan.values.bases.length} base image(s)`);
    for (const [name, v] of plan.shards) lines.push(`  ${shardValuesPath(name)}: project ${v.project.name}, ${v.images.length} image(s), ${v.bases.length} base Warehouse(s)`);
  }
  for (const image of plan.values.images) {
    const from = image.upstreams.map((u) => (u.kind === 'image' ? `${u.ref} (enrolled)` : u.ref));
    const pinned = image.pinnedBases.map((r) => `${r} (pinned)`);
    lines.push(`  ${image.name}: ${[...from, ...pinned].join(', ') || (image.analyzed ? 'no external base' : 'pending analysis')}`);
  }
  const count = (k: FileChange['kind']) => changes.filter((c) => c.kind === k).length;
  lines.push(`${count('create')} file(s) created, ${count('update')} updated, ${count('delete')} removed, ${plan.files.size - count('create') - count('update')} unchanged`);
  return lines.join('\n');
}
