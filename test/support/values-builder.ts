// Builds chart values (ChartValues, docs/design.md "Chart values") from a short description of
// images, through the generator's own valuesOf: each spec becomes an enrollment and an analyzed
// state, exactly as `image-factory generate` would hold them. Used by the chart tests and
// bench/helm.ts so that large cases are generated, never committed.
import type { ChartValues } from '../../generator/src/core/values-types';
import type { DispatchInputs, ImageEnrollment, ImagesConfig, ImageSubscription } from '../../generator/src/core/types';
import { parseImageRef } from '../../generator/src/core/image-ref';
import { valuesOf } from '../../generator/src/core/values';
import { analysisRecordOf, imageStateOf, pendingAnalysis, type ImageState } from '../../generator/src/core/state';

export interface ImageSpec {
  name: string;
  /** Base refs as a Dockerfile names them; a ref of another enrolled image is a chain link. */
  bases?: string[];
  /** images.yaml rebuildDelay; default '0'. */
  rebuildDelay?: string;
  autoRebuild?: boolean;
  /** Dockerfile in the state repo (default) or in `repo`. */
  local?: boolean;
  /** Source repository owner/name; default the state repo's; '' = unknown (local, no stateRepo). */
  repo?: string;
  registry?: string;
  repository?: string;
  branch?: string;
  dockerfile?: string;
  workflow?: string;
  buildArgs?: Record<string, string>;
  subscription?: ImageSubscription;
  dispatchInputs?: DispatchInputs;
  analyzed?: boolean;
}

export interface BuildOptions {
  /** State repository; null leaves it out of the values (set on the Application instead). */
  stateRepo?: { url: string; branch: string } | null;
  /** Per-base poll intervals by canonical ref. */
  intervals?: Record<string, string>;
}

export const STATE_REPO = { url: 'https://github.com/acme/images-state.git', branch: 'main' };
export const STATE_REPO_PATH = 'acme/images-state';
export const DEFAULT_INPUTS: DispatchInputs = { baseImage: 'base_image', baseDigest: 'base_digest' };

function enrollmentOf(s: ImageSpec, stateRepo: { url: string; branch: string } | null): ImageEnrollment {
  const local = s.local ?? true;
  const repo = s.repo ?? (local && stateRepo ? STATE_REPO_PATH : undefined);
  return {
    name: s.name,
    registry: s.registry ?? 'ghcr.io',
    repository: s.repository ?? `acme/${s.name}`,
    source: {
      provider: 'github',
      repo: repo === '' ? undefined : repo,
      branch: s.branch ?? 'main',
      dockerfile: s.dockerfile ?? `images/${s.name}/Dockerfile`,
      workflow: s.workflow ?? `build-${s.name}.yml`,
      buildArgs: s.buildArgs ?? {},
    },
    rebuildDelay: s.rebuildDelay ?? '0',
    autoRebuild: s.autoRebuild ?? true,
    subscription: s.subscription ?? { imageSelectionStrategy: 'NewestBuild' },
    dispatchInputs: s.dispatchInputs ?? DEFAULT_INPUTS,
    local,
    position: { line: 1, col: 1 },
  };
}

function stateOf(s: ImageSpec, enrollment: ImageEnrollment): ImageState {
  if (s.analyzed === false) return imageStateOf(enrollment, pendingAnalysis());
  const bases = (s.bases ?? []).map((text, i) => ({ ...parseImageRef(text), line: i + 1 }));
  const record = analysisRecordOf({ bases, copies: [], warnings: [] }, { commit: '0'.repeat(40), analyzedAt: '2026-01-01T00:00:00Z' });
  return imageStateOf(enrollment, record);
}

/** The images.yaml and the analyzed state files the specs describe, as `generate` would hold them. */
export function buildStateRepo(specs: ImageSpec[], options: BuildOptions = {}): { config: ImagesConfig; states: Map<string, ImageState> } {
  const stateRepo = options.stateRepo === undefined ? STATE_REPO : options.stateRepo;
  const enrollments = specs.map((s) => enrollmentOf(s, stateRepo));
  const states = new Map(specs.map((s, i) => [s.name, stateOf(s, enrollments[i])]));
  const baseImages = Object.entries(options.intervals ?? {}).map(([ref, interval]) => ({ ref, interval }));
  return { config: { file: 'images.yaml', stateRepo: stateRepo ?? undefined, images: enrollments, baseImages }, states };
}

/** Values as YAML would carry them: no undefined members. */
export const asWritten = <T>(values: T): T => JSON.parse(JSON.stringify(values)) as T;

export function buildValues(specs: ImageSpec[], options: BuildOptions = {}): ChartValues {
  const { config, states } = buildStateRepo(specs, options);
  return asWritten(valuesOf(config, states));
}

/**
 * n synthetic images: every image builds on two of `ceil(n / 10)` Docker Hub bases, every tenth
 * image also on the previous image (a chain), delays cycle through 0 / 30m / 7d, every seventh
 * image has autoRebuild off.
 */
export function syntheticSpecs(n: number): ImageSpec[] {
  const width = String(n).length;
  const pool = Math.max(1, Math.ceil(n / 10));
  const delays = ['0', '30m', '7d'];
  const specs: ImageSpec[] = [];
  for (let i = 0; i < n; i++) {
    const name = `img-${String(i).padStart(width, '0')}`;
    const bases = [`node:${i % pool}-slim`, `python:3.${i % pool}`];
    if (i % 10 === 9) bases.push(`ghcr.io/acme/img-${String(i - 1).padStart(width, '0')}:latest`);
    // Every fifth image is external (its Dockerfile in its own repository), the rest local.
    const where = i % 5 === 4 ? { local: false, repo: `acme/${name}` } : {};
    specs.push({ name, bases, rebuildDelay: delays[i % 3], autoRebuild: i % 7 !== 6, ...where });
  }
  return specs;
}
