// The state files kept in git: images/<name>.yaml (an enrollment as resolved, and what its
// Dockerfile was found to build on) and base-images/<slug>.yaml (one per distinct base image).
// Rendering is pure; the generator and the analysis service both call renderImageState, which is
// what makes their outputs byte-identical.
import type { DockerfileAnalysis, ImageEnrollment, RebuildTrigger, ImageRef, ImageSource, ImageSubscription, DispatchInputs, SourcePosition } from './types';
import { shortened } from './errors';
import { renderYaml, sortedKeys } from './canonical-yaml';
import { packageVersion } from './package-root';
import { lastRebuildOf, type LastRebuild } from './rebuild-record';
import { parseImageRef } from './image-ref';

export const STATE_API_VERSION = 'image-factory.dev/v1';
export const ANALYZER = `image-factory/${packageVersion()}`;
export const STATE_HEADER = 'Managed by image-factory. Do not edit: images.yaml is the file to change.';

export interface AnalysisRecord {
  status: 'analyzed' | 'pending';
  /** What analyzed it (`image-factory/<version>`): a newer analyser does not trust an older one's result. */
  analyzer?: string;
  /** External images: the commit analyzed. */
  commit?: string;
  /** Local images: `sha256:<hex>` of the Dockerfile bytes. */
  contentHash?: string;
  /** ISO-8601 UTC, seconds precision. */
  analyzedAt?: string;
  bases: { ref: string; stage?: string; platform?: string; line: number }[];
  copies: { ref: string; line: number }[];
  warnings: { line: number; col: number; message: string }[];
}

export interface ImageState {
  apiVersion: typeof STATE_API_VERSION;
  kind: 'ImageState';
  name: string;
  image: { registry: string; repository: string };
  source: ImageSource;
  local: boolean;
  rebuildDelay: string;
  autoRebuild: boolean;
  subscription: ImageSubscription;
  dispatchInputs: DispatchInputs;
  trigger?: Exclude<RebuildTrigger, { kind: 'provider' }>;
  analysis: AnalysisRecord;
  /** Filled in by the rebuild PromotionTask; its shape is fixed by rebuild-record.ts. */
  lastRebuild: LastRebuild;
}

export interface BaseImageState {
  apiVersion: typeof STATE_API_VERSION;
  kind: 'BaseImageState';
  ref: string;
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
  /** Set when this base is itself an enrolled image (a chain link). */
  enrolledImage?: string;
  usedBy: string[];
}

/**
 * The most different images (with their stage and platform) one Dockerfile may build FROM, and the
 * most it may copy from: about ten times what the largest real Dockerfiles name (moby's: 59 FROM
 * lines), and small enough that the state file stays far below what the next run reads.
 */
export const MAX_RECORDED_IMAGES = 500;
/** Warnings kept per Dockerfile; one more says how many were left out. */
export const MAX_RECORDED_WARNINGS = 100;
const MAX_WARNING_CHARS = 300;

type Recorded = Pick<AnalysisRecord, 'bases' | 'copies' | 'warnings'>;

function firstOfEach<T>(items: readonly T[], key: (item: T) => string): T[] {
  const seen = new Set<string>();
  return items.filter((item) => {
    const k = key(item);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

/**
 * What a state file records of an analysis: sorted by line, then ref; each image once (a copy at
 * its first line; a base once per stage and platform), so 35,000 `COPY --from=$X` lines naming the
 * same image are one entry; warnings capped.
 */
function recordedOf(result: DockerfileAnalysis): Recorded {
  const byLineThenRef = <T extends { line: number; ref: string }>(a: T, b: T) => a.line - b.line || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);
  const bases = firstOfEach([...result.bases].sort(byLineThenRef), (b) => JSON.stringify([b.ref, b.stage, b.platform]));
  const copies = firstOfEach([...result.copies].sort(byLineThenRef), (c) => c.ref);
  const warnings = [...result.warnings].sort((a, b) => a.line - b.line || a.col - b.col);
  const kept = warnings.slice(0, MAX_RECORDED_WARNINGS).map((w) => ({ line: w.line, col: w.col, message: shortened(w.message, MAX_WARNING_CHARS) }));
  if (warnings.length > MAX_RECORDED_WARNINGS) {
    const next = warnings[MAX_RECORDED_WARNINGS];
    kept.push({ line: next.line, col: next.col, message: `${warnings.length - MAX_RECORDED_WARNINGS} more warnings from here on are not recorded; fix the ones above first` });
  }
  return {
    bases: bases.map((b) => ({ ref: b.ref, stage: b.stage, platform: b.platform, line: b.line })),
    copies: copies.map((c) => ({ ref: c.ref, line: c.line })),
    warnings: kept,
  };
}

/** Why an analysis names more images than a state file records (where, and what to do), or undefined. */
export function analysisLimitProblem(result: DockerfileAnalysis): SourcePosition & { message: string } | undefined {
  const { bases, copies } = recordedOf(result);
  const over = (list: Array<{ line: number }>, what: string) =>
    list.length > MAX_RECORDED_IMAGES
      ? {
          line: list[MAX_RECORDED_IMAGES].line,
          col: 1,
          message: `this Dockerfile ${what} more than ${MAX_RECORDED_IMAGES} different images (this is number ${MAX_RECORDED_IMAGES + 1}); image-factory records at most ${MAX_RECORDED_IMAGES} per Dockerfile: split it, or check that this is the right file`,
        }
      : undefined;
  return over(bases, 'builds FROM') ?? over(copies, 'copies from (COPY --from, RUN --mount from=)');
}

const byRef = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Every distinct image an analysis found, digest-pinned ones included: FROM bases first, then images
 * named by COPY --from / RUN --mount, each group sorted, so a FROM ref speaks for its repository.
 */
export function usedRefsOf(analysis: Pick<AnalysisRecord, 'bases' | 'copies'>): ImageRef[] {
  const seen = new Map<string, ImageRef>();
  const sortedRefs = (entries: { ref: string }[]) => entries.map((e) => e.ref).sort(byRef);
  for (const ref of [...sortedRefs(analysis.bases), ...sortedRefs(analysis.copies)]) {
    if (!seen.has(ref)) seen.set(ref, parseImageRef(ref));
  }
  return [...seen.values()];
}

/** What an analysis found, in the state file's form (see recordedOf). */
export function analysisRecordOf(
  result: DockerfileAnalysis,
  at: { commit?: string; contentHash?: string; analyzedAt: string },
): AnalysisRecord {
  return {
    status: 'analyzed',
    analyzer: ANALYZER,
    commit: at.commit,
    contentHash: at.contentHash,
    analyzedAt: at.analyzedAt,
    ...recordedOf(result),
  };
}

export const pendingAnalysis = (): AnalysisRecord => ({ status: 'pending', bases: [], copies: [], warnings: [] });

export function imageStateOf(enrollment: ImageEnrollment, analysis: AnalysisRecord, lastRebuild?: unknown): ImageState {
  return {
    apiVersion: STATE_API_VERSION,
    kind: 'ImageState',
    name: enrollment.name,
    image: { registry: enrollment.registry, repository: enrollment.repository },
    source: {
      provider: enrollment.source.provider,
      repo: enrollment.source.repo,
      host: enrollment.source.host,
      url: enrollment.source.url,
      tokenKey: enrollment.source.tokenKey,
      branch: enrollment.source.branch,
      dockerfile: enrollment.source.dockerfile,
      workflow: enrollment.source.workflow,
      buildArgs: sortedKeys(enrollment.source.buildArgs) as Record<string, string>,
    },
    local: enrollment.local,
    rebuildDelay: enrollment.rebuildDelay,
    autoRebuild: enrollment.autoRebuild,
    subscription: orderedSubscription(enrollment.subscription),
    dispatchInputs: { baseImage: enrollment.dispatchInputs.baseImage, baseDigest: enrollment.dispatchInputs.baseDigest },
    // Recorded only when it is not the provider's own, so GitHub images' files stay as they were.
    trigger: enrollment.trigger === undefined || enrollment.trigger.kind === 'provider' ? undefined : { ...enrollment.trigger },
    analysis,
    // Every field present (empty until Kargo records one): Kargo's yaml-update only replaces scalars.
    lastRebuild: lastRebuildOf(lastRebuild, usedRefsOf(analysis)),
  };
}

function orderedSubscription(s: ImageSubscription): ImageSubscription {
  return {
    imageSelectionStrategy: s.imageSelectionStrategy,
    constraint: s.constraint,
    allowTagsRegexes: s.allowTagsRegexes,
    ignoreTagsRegexes: s.ignoreTagsRegexes,
    platform: s.platform,
    discoveryLimit: s.discoveryLimit,
  };
}

export function renderImageState(state: ImageState): string {
  return renderYaml(state, STATE_HEADER);
}

export function baseStateOf(ref: ImageRef, usedBy: string[], enrolledImage?: string): BaseImageState {
  return {
    apiVersion: STATE_API_VERSION,
    kind: 'BaseImageState',
    ref: ref.ref,
    registry: ref.registry,
    repository: ref.repository,
    tag: ref.tag,
    digest: ref.digest,
    enrolledImage,
    usedBy: [...new Set(usedBy)].sort(),
  };
}

export function renderBaseState(state: BaseImageState): string {
  return renderYaml(state, STATE_HEADER);
}
