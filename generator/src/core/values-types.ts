// The shape of the Helm values `generate` writes (dist/values.yaml); docs/design.md explains each field.
import type { DispatchInputs, ImageSubscription, SourceProvider } from './types';

export interface UpstreamValues {
  ref: string;
  kind: 'base' | 'image';
  warehouse: string;
  repoURL: string;
  stage: string;
  /** kind image: the enrolled image whose tag this is. */
  image?: string;
  /** Its entry in the image's lastRebuild.bases (rebuild-record.ts recordKeyOf). */
  key: string;
}

export interface ImageValues {
  name: string;
  registry: string;
  repository: string;
  repoURL: string;
  source: {
    provider: SourceProvider;
    /** github `owner/name`, gitlab `group/subgroup/name`; '' for git. */
    repo: string;
    /** gitlab: the host; '' otherwise. */
    host: string;
    /** The git URL of the source repository, for every provider ('' when unknown): what Kargo and the analysis service fetch. */
    url: string;
    /** gitlab: the key of gitlab.triggerTokenSecret holding the project's trigger token; '' otherwise. */
    tokenKey: string;
    branch: string;
    dockerfile: string;
    workflow: string;
    local: boolean;
    buildArgs: Record<string, string>;
  };
  rebuildDelay: string;
  soakTime: string;
  autoRebuild: boolean;
  subscription: ImageSubscription;
  dispatchInputs: DispatchInputs;
  trigger: TriggerValues;
  warehouse: string;
  analysisStage: string;
  rebuildStage: string;
  stateFile: string;
  analyzed: boolean;
  upstreams: UpstreamValues[];
  pinnedBases: string[];
}

/**
 * Which rebuild PromotionTask a rebuild Stage runs (`rebuild`, `rebuild-gitlab`, `rebuild-webhook`),
 * or none: the image is watched, never rebuilt, and has no rebuild Stage.
 */
export type RebuildTaskKind = 'github' | 'gitlab' | 'webhook' | 'none';

export interface TriggerValues {
  kind: RebuildTaskKind;
  /** gitlab: the project's pipeline trigger endpoint; webhook: the receiver; '' otherwise. */
  url: string;
}

export interface BaseValues {
  slug: string;
  /** recordKeyOf(slug): its entry in lastRebuild.bases, and its history file digests/<key>.yaml. */
  key: string;
  ref: string;
  registry: string;
  repository: string;
  repoURL: string;
  tag: string;
  warehouse: string;
  stage: string;
  interval: string;
  usedBy: string[];
}

export interface EdgeValues {
  from: string;
  fromKind: 'base' | 'image' | 'pinned';
  to: string;
}

export interface ChartValues {
  stateRepo?: { url: string; branch: string };
  /** Every external image's source.url, distinct and sorted: the analysis service's allowlist. */
  externalRepositories: string[];
  /** The rebuild tasks other than GitHub's (always rendered) that some image uses, sorted: the chart renders only these. */
  rebuildTasks: Exclude<RebuildTaskKind, 'github' | 'none'>[];
  images: ImageValues[];
  bases: BaseValues[];
  edges: EdgeValues[];
}
