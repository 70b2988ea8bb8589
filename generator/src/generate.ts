// `image-factory generate`: images.yaml + the state files + local Dockerfiles in, state files and
// Helm values out. Reading and analysing happen first and may fail; files are only written once
// everything is known, all at once (files.ts).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ImageEnrollment, ImagesConfig } from './types';
import type { ChartValues } from './values-types';
import { UserError } from './errors';
import { parseImagesConfig } from './config';
import { analyseDockerfile } from './dockerfile-file';
import { parseImageRef, repoURLOf } from './image-ref';
import {
  ANALYZER,
  analysisRecordOf,
  baseStateOf,
  imageStateOf,
  pendingAnalysis,
  renderBaseState,
  renderImageState,
  type AnalysisRecord,
  type ImageState,
} from './state';
import { parseImageStateFile, parseBaseStateFile } from './state-file';
import { renderValues, sourceRepoURLOf, usedRefsOf, valuesOf } from './values';
import { assertAcyclic } from './graph';
import { assertSlugsDistinct, slugOf } from './slug';
import { baseStatePath, imageStatePath } from './names';
import { changesOf, type FileChange } from './files';
import { assertYamlSize } from './yaml-source';

export const IMAGES_FILE = 'images.yaml';
export const VALUES_FILE = 'dist/values.yaml';
/** Dockerfiles larger than this are not Dockerfiles anyone writes by hand. */
const MAX_DOCKERFILE_BYTES = 1024 * 1024;

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
  files: Map<string, string>;
  removals: string[];
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
  const file = path.join(root, IMAGES_FILE);
  let bytes: Buffer;
  try {
    // Refuse an oversized file from its size alone, before reading it.
    assertYamlSize(fs.statSync(file).size, IMAGES_FILE, { what: 'images.yaml' });
    bytes = fs.readFileSync(file);
  } catch (e) {
    if (e instanceof UserError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError({
      file: IMAGES_FILE,
      message: code === 'ENOENT' ? `not found in ${root}; create it (see docs/images-yaml.md) or pass --root` : `cannot be read (${code})`,
    });
  }
  return parseImagesConfig(bytes, IMAGES_FILE);
}

/** Lists `<dir>/*.yaml` relative to root, sorted; a missing folder is empty. */
function yamlFilesIn(root: string, dir: string): string[] {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full, { withFileTypes: true })
    .filter((d) => d.isFile() && d.name.endsWith('.yaml'))
    .map((d) => `${dir}/${d.name}`)
    .sort();
}

function readExistingStates(root: string): Map<string, ImageState> {
  const states = new Map<string, ImageState>();
  for (const rel of yamlFilesIn(root, 'images')) {
    const state = parseImageStateFile(fs.readFileSync(path.join(root, rel)), rel);
    states.set(state.name, state);
  }
  for (const rel of yamlFilesIn(root, 'base-images')) {
    parseBaseStateFile(fs.readFileSync(path.join(root, rel)), rel);
  }
  return states;
}

/** Reads a local image's Dockerfile, refusing paths that leave the state repo (also through links). */
function readLocalDockerfile(root: string, image: ImageEnrollment): Buffer {
  const where = { file: IMAGES_FILE, line: image.position.line, col: image.position.col };
  const rel = image.source.dockerfile;
  const realRoot = fs.realpathSync(root);
  let real: string;
  try {
    real = fs.realpathSync(path.join(root, rel));
  } catch {
    throw new UserError({ ...where, message: `image "${image.name}": Dockerfile ${rel} not found in the state repo; fix source.dockerfile or add the file` });
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw new UserError({ ...where, message: `image "${image.name}": Dockerfile ${rel} leads outside the state repo through a link; point source.dockerfile at a file inside it` });
  }
  const stat = fs.statSync(real);
  if (!stat.isFile()) throw new UserError({ ...where, message: `image "${image.name}": ${rel} is not a file; source.dockerfile must name a Dockerfile` });
  if (stat.size > MAX_DOCKERFILE_BYTES) throw new UserError({ file: rel, message: `is ${stat.size} bytes, over the ${MAX_DOCKERFILE_BYTES}-byte limit for a Dockerfile` });
  return fs.readFileSync(real);
}

const sameBuildArgs = (a: Record<string, string>, b: Record<string, string>): boolean =>
  JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());

const sameSource = (a: ImageState['source'], b: ImageEnrollment['source']): boolean =>
  a.repo === b.repo && a.dockerfile === b.dockerfile && sameBuildArgs(a.buildArgs, b.buildArgs);

function withoutTime(r: AnalysisRecord): string {
  return JSON.stringify({ ...r, analyzedAt: undefined });
}

async function analysisFor(
  root: string,
  image: ImageEnrollment,
  previous: ImageState | undefined,
  repoURL: string,
  opts: GenerateOptions,
): Promise<AnalysisRecord> {
  if (image.local) {
    const bytes = readLocalDockerfile(root, image);
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
    const result = analyseDockerfile(bytes, image.source.dockerfile, image.source.buildArgs);
    const fresh = analysisRecordOf(result, { contentHash, analyzedAt: analysisTime(opts) });
    // A second run over an unchanged Dockerfile must change nothing, the time included.
    if (previous && previous.analysis.status === 'analyzed' && withoutTime(previous.analysis) === withoutTime(fresh)) {
      return { ...fresh, analyzedAt: previous.analysis.analyzedAt };
    }
    return fresh;
  }
  if (opts.fetchExternal) {
    const fetched = await opts.fetchExternal(image, repoURL);
    const file = `${repoURL}@${fetched.commit.slice(0, 12)}:${image.source.dockerfile}`;
    const result = analyseDockerfile(fetched.content, file, image.source.buildArgs);
    return analysisRecordOf(result, { commit: fetched.commit, analyzedAt: fetched.committedAt });
  }
  if (previous && previous.analysis.status === 'analyzed' && sameSource(previous.source, image.source)) return previous.analysis;
  return pendingAnalysis();
}

/** Reads and analyses everything, and decides every output file; writes nothing. */
export async function planGeneration(opts: GenerateOptions): Promise<GenerationPlan> {
  const root = opts.root;
  const config = readImagesConfig(root);
  const previous = readExistingStates(root);
  const states = new Map<string, ImageState>();
  for (const image of config.images) {
    const repoURL = sourceRepoURLOf(image, config);
    const before = previous.get(image.name);
    const analysis = await analysisFor(root, image, before, repoURL, opts);
    states.set(image.name, imageStateOf(image, analysis, before?.lastRebuild));
  }
  const values = valuesOf(config, states);
  assertAcyclic(values, IMAGES_FILE);

  const files = new Map<string, string>();
  for (const state of states.values()) files.set(imageStatePath(state.name), renderImageState(state));

  const usedBy = new Map<string, { ref: ReturnType<typeof parseImageRef>; users: string[] }>();
  for (const state of states.values()) {
    for (const ref of usedRefsOf(state)) {
      const entry = usedBy.get(ref.ref) ?? { ref, users: [] };
      entry.users.push(state.name);
      usedBy.set(ref.ref, entry);
    }
  }
  assertSlugsDistinct([...usedBy.values()].map((u) => u.ref), IMAGES_FILE);
  const enrolledByRepo = new Map(config.images.map((i) => [`${i.registry}/${i.repository}`, i.name]));
  for (const { ref, users } of usedBy.values()) {
    files.set(baseStatePath(slugOf(ref)), renderBaseState(baseStateOf(ref, users, enrolledByRepo.get(repoURLOf(ref)))));
  }
  files.set(VALUES_FILE, renderValues(values));

  const removals = [...yamlFilesIn(root, 'images'), ...yamlFilesIn(root, 'base-images')].filter((rel) => !files.has(rel));
  return { config, states, values, files, removals };
}

export function changesOfPlan(plan: GenerationPlan, root: string): FileChange[] {
  return changesOf(root, plan.files, plan.removals);
}

/** `image-factory validate`: images.yaml and every state file parse and follow their schemas. */
export function validateStateRepo(root: string): { config: ImagesConfig; states: Map<string, ImageState> } {
  return { config: readImagesConfig(root), states: readExistingStates(root) };
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
    `${images.length} image(s): ${local} local, ${images.length - local} external${pending.length ? ` (${pending.length} not yet analysed: ${pending.join(', ')})` : ''}`,
    `${plan.values.bases.length} base image Warehouse(s), ${plan.values.edges.length} dependency edge(s)`,
  ];
  for (const image of plan.values.images) {
    const from = image.upstreams.map((u) => (u.kind === 'image' ? `${u.ref} (enrolled)` : u.ref));
    const pinned = image.pinnedBases.map((r) => `${r} (pinned)`);
    lines.push(`  ${image.name}: ${[...from, ...pinned].join(', ') || (image.analyzed ? 'no external base' : 'pending analysis')}`);
  }
  const count = (k: FileChange['kind']) => changes.filter((c) => c.kind === k).length;
  lines.push(`${count('create')} file(s) created, ${count('update')} updated, ${count('delete')} removed, ${plan.files.size - count('create') - count('update')} unchanged`);
  return lines.join('\n');
}
