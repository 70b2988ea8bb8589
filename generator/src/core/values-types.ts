// The shape of the Helm values `generate` writes (dist/values.yaml); docs/design.md explains each field.
import type { DispatchInputs, ImageSubscription } from './types';

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
    provider: 'github';
    repo: string;
    repoURL: string;
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
  warehouse: string;
  analysisStage: string;
  rebuildStage: string;
  stateFile: string;
  analyzed: boolean;
  upstreams: UpstreamValues[];
  pinnedBases: string[];
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
  /** Every external image's source.repoURL, distinct and sorted: the analysis service's allowlist. */
  externalRepositories: string[];
  images: ImageValues[];
  bases: BaseValues[];
  edges: EdgeValues[];
}
