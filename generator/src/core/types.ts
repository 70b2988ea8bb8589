// The data model shared by the generator, the chart values and the analysis service.
// Pure data: no I/O, no classes, so every part can build and compare these in tests.

/** A container image reference in canonical form (see image-ref.ts). */
export interface ImageRef {
  /** `registry/repository[:tag][@digest]`, Docker Hub as `docker.io/library/...`, `latest` when neither tag nor digest. */
  ref: string;
  /** `docker.io`, `ghcr.io`, `registry.example.com:5000` */
  registry: string;
  /** `library/node`, `acme/python-base` */
  repository: string;
  /** `22-bookworm-slim`; undefined only when a digest is given without a tag. */
  tag?: string;
  /** `sha256:<64 hex>` when pinned. */
  digest?: string;
}

/** Where a finding is in a file: 1-based line and column. */
export interface SourcePosition {
  line: number;
  col: number;
}

/** An external image used by a FROM instruction. */
export interface BaseImage extends ImageRef {
  /** The stage name given by `AS name`, lower-cased as Docker treats it; undefined without AS. */
  stage?: string;
  /** The `--platform=` value as written (after ARG substitution), if any. */
  platform?: string;
  line: number;
}

/** An external image used by `COPY --from=` or `RUN --mount=...,from=`. */
export interface CopiedImage extends ImageRef {
  line: number;
  /** `copy` or `mount`. */
  via: 'copy' | 'mount';
}

export interface AnalysisWarning extends SourcePosition {
  message: string;
}

/** The result of baseImagesOf(): what a Dockerfile builds on. */
export interface DockerfileAnalysis {
  bases: BaseImage[];
  copies: CopiedImage[];
  warnings: AnalysisWarning[];
}

/** Where a source repository is hosted: decides how its Dockerfile is read and how a rebuild starts (core/providers/). */
export type SourceProvider = 'github' | 'gitlab' | 'git';

export interface ImageSource {
  provider: SourceProvider;
  /** github: `owner/name`; gitlab: `group/subgroup/name`; undefined for a local image in the list form without stateRepo, and for git. */
  repo?: string;
  /** gitlab: the host (`gitlab.com`, `gitlab.example.com:8443`); undefined otherwise. */
  host?: string;
  /** git: the https URL of the repository; undefined otherwise. */
  url?: string;
  /** gitlab: the key of the chart's gitlab.triggerTokenSecret holding this project's pipeline trigger token. */
  tokenKey?: string;
  branch: string;
  /** Path inside the source repository, relative, never absolute or with `..`. */
  dockerfile: string;
  /** github: file name of the workflow in .github/workflows that builds the image; '' for other providers. */
  workflow: string;
  buildArgs: Record<string, string>;
}

/** How the app image's Warehouse selects builds (Kargo image subscription fields). */
export interface ImageSubscription {
  imageSelectionStrategy: 'Digest' | 'Lexical' | 'NewestBuild' | 'SemVer';
  constraint?: string;
  allowTagsRegexes?: string[];
  ignoreTagsRegexes?: string[];
  platform?: string;
  discoveryLimit?: number;
}

/** Names of the workflow_dispatch inputs that carry the cause of a rebuild; none sent when absent. */
export interface DispatchInputs {
  baseImage?: string;
  baseDigest?: string;
}

/**
 * How a rebuild starts: the provider's own API (GitHub workflow_dispatch, GitLab pipeline trigger),
 * a signed webhook, or nothing (the image is watched and reported, never rebuilt).
 */
export type RebuildTrigger = { kind: 'provider' } | { kind: 'webhook'; url: string } | { kind: 'none' };

/** One entry of images.yaml with every default applied. */
export interface ImageEnrollment {
  name: string;
  registry: string;
  repository: string;
  source: ImageSource;
  /** As written (`7d`, `12h`, `30m`, `0`), validated. */
  rebuildDelay: string;
  autoRebuild: boolean;
  subscription: ImageSubscription;
  dispatchInputs: DispatchInputs;
  /** Absent: the provider's own (GitHub workflow_dispatch, GitLab pipeline). */
  trigger?: RebuildTrigger;
  /** True when the Dockerfile lives in the state repo itself. */
  local: boolean;
  /** Where the entry is in images.yaml, for error messages. */
  position: SourcePosition;
}

export interface BaseImageSettings {
  /** Canonical ref this applies to. */
  ref: string;
  /** Warehouse poll interval override, Kargo duration (`30m`, `2h`). */
  interval?: string;
}

export interface StateRepo {
  url: string;
  branch: string;
  /** Who hosts it: local images are read and rebuilt through this provider. Absent: github. */
  provider?: SourceProvider;
}

/** images.yaml after validation, entries sorted by name. */
/** One chart release of a sharded estate (images.yaml `shards`). */
export interface ShardSetting {
  name: string;
  /** Image name prefixes, each where images.yaml writes it. */
  prefixes: { prefix: string; position: SourcePosition }[];
  position: SourcePosition;
}

export interface ImagesConfig {
  /** Path of the file as given, for messages. */
  file: string;
  stateRepo?: StateRepo;
  images: ImageEnrollment[];
  baseImages: BaseImageSettings[];
  /** Absent: one release for the whole estate. */
  shards?: ShardSetting[];
}
