// Builds chart values (ChartValues, docs/design.md "Chart values") from a short description of
// images, the way `image-factory generate` would: names from names.ts, slugs from slug.ts,
// durations from duration.ts. Used by the chart tests and bench/helm.ts so that large cases are
// generated, never committed.
import type { ChartValues, ImageValues, BaseValues, EdgeValues, UpstreamValues } from '../../generator/src/values-types';
import type { DispatchInputs, ImageSubscription } from '../../generator/src/types';
import { parseImageRef, repoURLOf } from '../../generator/src/image-ref';
import { slugOf } from '../../generator/src/slug';
import { kargoDuration } from '../../generator/src/duration';
import {
  appWarehouseName,
  analysisStageName,
  rebuildStageName,
  baseWarehouseName,
  baseStageName,
  imageStatePath,
} from '../../generator/src/names';

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

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

export function buildValues(specs: ImageSpec[], options: BuildOptions = {}): ChartValues {
  const stateRepo = options.stateRepo === undefined ? STATE_REPO : options.stateRepo;
  const sorted = [...specs].sort((a, b) => byString(a.name, b.name));
  const enrolled = new Map<string, { name: string; repoURL: string }>();
  for (const s of sorted) {
    const registry = s.registry ?? 'ghcr.io';
    const repository = s.repository ?? `acme/${s.name}`;
    enrolled.set(repoURLOf({ registry, repository }), { name: s.name, repoURL: `${registry}/${repository}` });
  }
  const bases = new Map<string, BaseValues>();
  const edges: EdgeValues[] = [];
  const images: ImageValues[] = sorted.map((s) => {
    const registry = s.registry ?? 'ghcr.io';
    const repository = s.repository ?? `acme/${s.name}`;
    const local = s.local ?? true;
    const repo = s.repo ?? (stateRepo ? STATE_REPO_PATH : '');
    const upstreams = new Map<string, UpstreamValues>();
    const pinned: string[] = [];
    for (const text of s.bases ?? []) {
      const ref = parseImageRef(text);
      const parent = enrolled.get(repoURLOf(ref));
      if (ref.digest !== undefined) {
        pinned.push(ref.ref);
        edges.push({ from: ref.ref, fromKind: 'pinned', to: s.name });
      } else if (parent !== undefined) {
        upstreams.set(appWarehouseName(parent.name), {
          ref: ref.ref,
          kind: 'image',
          warehouse: appWarehouseName(parent.name),
          repoURL: parent.repoURL,
          stage: analysisStageName(parent.name),
        });
        edges.push({ from: parent.name, fromKind: 'image', to: s.name });
      } else {
        const slug = slugOf(ref);
        const base = bases.get(slug) ?? {
          slug,
          ref: ref.ref,
          registry: ref.registry,
          repository: ref.repository,
          repoURL: repoURLOf(ref),
          tag: ref.tag ?? 'latest',
          warehouse: baseWarehouseName(slug),
          stage: baseStageName(slug),
          interval: options.intervals?.[ref.ref] ?? '',
          usedBy: [],
        };
        if (!base.usedBy.includes(s.name)) base.usedBy.push(s.name);
        bases.set(slug, base);
        upstreams.set(base.warehouse, {
          ref: ref.ref,
          kind: 'base',
          warehouse: base.warehouse,
          repoURL: base.repoURL,
          stage: base.stage,
        });
        edges.push({ from: ref.ref, fromKind: 'base', to: s.name });
      }
    }
    const rebuildDelay = s.rebuildDelay ?? '0';
    return {
      name: s.name,
      registry,
      repository,
      repoURL: `${registry}/${repository}`,
      source: {
        provider: 'github',
        repo,
        repoURL: repo ? `https://github.com/${repo}.git` : '',
        branch: s.branch ?? 'main',
        dockerfile: s.dockerfile ?? `images/${s.name}/Dockerfile`,
        workflow: s.workflow ?? `build-${s.name}.yml`,
        local,
        buildArgs: s.buildArgs ?? {},
      },
      rebuildDelay,
      soakTime: kargoDuration(rebuildDelay),
      autoRebuild: s.autoRebuild ?? true,
      subscription: s.subscription ?? { imageSelectionStrategy: 'NewestBuild' },
      dispatchInputs: s.dispatchInputs ?? DEFAULT_INPUTS,
      warehouse: appWarehouseName(s.name),
      analysisStage: analysisStageName(s.name),
      rebuildStage: rebuildStageName(s.name),
      stateFile: imageStatePath(s.name),
      analyzed: s.analyzed ?? true,
      upstreams: [...upstreams.values()].sort((a, b) => byString(a.warehouse, b.warehouse)),
      pinnedBases: [...new Set(pinned)].sort(byString),
    };
  });
  const baseList = [...bases.values()].sort((a, b) => byString(a.slug, b.slug));
  for (const b of baseList) b.usedBy.sort(byString);
  edges.sort((a, b) => byString(a.to, b.to) || byString(a.from, b.from));
  const values: ChartValues = { images, bases: baseList, edges };
  if (stateRepo) values.stateRepo = stateRepo;
  return values;
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
    specs.push({ name, bases, rebuildDelay: delays[i % 3], autoRebuild: i % 7 !== 6 });
  }
  return specs;
}
