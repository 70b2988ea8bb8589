// One analysis, shared by the HTTP service and `image-factory analyze`: check the request's
// repository against the allowlist, fetch the one Dockerfile at the commit, analyze it with the
// generator's own code, and render the new state file with the generator's own renderer from the
// enrollment the request carries.
import { formatProblem, isUserError } from './errors';
import { analyzeDockerfile } from './dockerfile-file';
import { imageStatePath } from './names';
import { analysisRecordOf, imageStateOf, renderImageState } from './state';
import type { AnalysisWarning, BaseImage, CopiedImage, DockerfileAnalysis, ImageEnrollment } from './types';
import { GitFetchError, type FetchedFile, type FetchFileOptions, type GitCredentials } from './git';
import { AnalysisRefusal } from './analysis-refusal';
import { sourceOfEnrollment, triggerOfEnrollment, type AnalyzeRequest } from './analysis-request';

export interface AnalyzeResponse {
  image: string;
  commit: string;
  analyzedAt: string;
  dockerfile: string;
  baseImages: BaseImage[];
  copies: CopiedImage[];
  warnings: AnalysisWarning[];
  /** Where the state file goes in the state repo (`images/<name>.yaml`). */
  stateFilePath: string;
  /** The complete new state file, byte-identical to `generate --fetch-external` at this commit. */
  stateFile: string;
}

export interface AnalysisDeps {
  fetch: (opts: FetchFileOptions) => Promise<FetchedFile>;
  fetchTimeoutMs: number;
  credentials?: GitCredentials;
  allowInsecureURLs: boolean;
  allowedHosts: readonly string[];
  tmpDir?: string;
  signal?: AbortSignal;
  /** Told the pack bytes of every successful fetch (metrics). */
  onFetched?: (bytes: number) => void;
  /** Runs the analysis (the service: in a worker thread); in-line by default. Throws UserError for a bad Dockerfile. */
  analyze?: (content: Uint8Array, file: string, buildArgs: Record<string, string>) => Promise<DockerfileAnalysis>;
  /** Analyses already made, by analysisCacheKey: a request found here runs no git and no analysis. */
  cache?: AnalysisCache;
}

/** What git and the analysis give for one (repository, commit, path, build args): all a commit fixes. */
export interface CachedAnalysis {
  commit: string;
  committedAt: string;
  result: DockerfileAnalysis;
}

export interface AnalysisCache {
  get(key: string): CachedAnalysis | undefined;
  set(key: string, value: CachedAnalysis): void;
}

/** A full commit id (SHA-1 or SHA-256): what a request must name for its answer to be kept. */
const FULL_COMMIT = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/;

/**
 * The cache key of a request, or undefined when its answer may change: a ref (or a short commit id)
 * can point elsewhere tomorrow, while a full commit id fixes the file for good. The enrollment and
 * lastRebuild are not in it: they only shape the state file, which is rendered for every request.
 */
export function analysisCacheKey(req: AnalyzeRequest): string | undefined {
  if (req.commit === undefined || !FULL_COMMIT.test(req.commit)) return undefined;
  const buildArgs = Object.keys(req.buildArgs)
    .sort()
    .map((k) => [k, req.buildArgs[k]]);
  return JSON.stringify([req.repoURL, req.commit, req.dockerfile, buildArgs]);
}

/** The commit's file fetched and analyzed: from the cache when the request fixes both, else by git and the analysis (kept when it may be). */
async function analyzedAtCommit(req: AnalyzeRequest, deps: AnalysisDeps): Promise<CachedAnalysis> {
  const key = deps.cache ? analysisCacheKey(req) : undefined;
  const cached = key === undefined ? undefined : deps.cache!.get(key);
  if (cached) return cached;
  let fetched: FetchedFile;
  try {
    fetched = await deps.fetch({
      repoURL: req.repoURL,
      commit: req.commit,
      ref: req.commit === undefined ? req.ref : undefined,
      path: req.dockerfile,
      credentials: deps.credentials,
      timeoutMs: deps.fetchTimeoutMs,
      signal: deps.signal,
      allowInsecureURLs: deps.allowInsecureURLs,
      allowedHosts: deps.allowedHosts,
      tmpDir: deps.tmpDir,
    });
  } catch (e) {
    if (e instanceof GitFetchError) throw refusalOfFetch(e);
    throw e;
  }
  deps.onFetched?.(fetched.bytesFetched);
  let result: DockerfileAnalysis;
  try {
    result = deps.analyze ? await deps.analyze(fetched.content, req.dockerfile, req.buildArgs) : analyzeDockerfile(fetched.content, req.dockerfile, req.buildArgs);
  } catch (e) {
    if (isUserError(e)) throw new AnalysisRefusal('invalid-dockerfile', e.problems.map(formatProblem).join('\n'));
    throw e;
  }
  const made = { commit: fetched.commit, committedAt: fetched.committedAt, result };
  if (key !== undefined) deps.cache!.set(key, made);
  return made;
}

/**
 * The one check that needs the service's configuration: the repository is an external image's
 * source (`repo-not-allowed` otherwise). Local images' Dockerfiles are in the state repository, which is not on the
 * list: `generate` analyzes them.
 */
export function assertAllowed(req: AnalyzeRequest, allowedRepositories: ReadonlySet<string>): void {
  if (!allowedRepositories.has(req.repoURL)) {
    throw new AnalysisRefusal('repo-not-allowed', `repoURL: ${req.repoURL} is not the source repository of any external image (the allowed repositories)`, 'repoURL');
  }
}

/** The enrollment the state file records, from the request alone. */
export function enrollmentOfRequest(req: AnalyzeRequest): ImageEnrollment {
  const e = req.enrollment;
  return {
    name: req.image,
    registry: e.registry,
    repository: e.repository,
    source: { ...sourceOfEnrollment(e), branch: e.branch, dockerfile: req.dockerfile, workflow: e.workflow, buildArgs: { ...req.buildArgs } },
    ...(triggerOfEnrollment(e) ? { trigger: triggerOfEnrollment(e) } : {}),
    rebuildDelay: e.rebuildDelay,
    autoRebuild: e.autoRebuild,
    subscription: e.subscription,
    dispatchInputs: e.dispatchInputs,
    local: false,
    position: { line: 1, col: 1 },
  };
}

/** Why a fetch failure refuses the analysis. Auth failures at the git host are `git-auth`, not the caller's fault: the service's credentials are. */
export function refusalOfFetch(e: GitFetchError): AnalysisRefusal {
  switch (e.reason) {
    case 'invalid-input':
      return new AnalysisRefusal('bad-request', e.message, e.field);
    case 'repo-not-found':
    case 'commit-not-found':
    case 'file-not-found':
      return new AnalysisRefusal(e.reason, e.message);
    case 'not-a-file':
    case 'too-large':
      return new AnalysisRefusal(e.reason, e.message);
    case 'auth':
      return new AnalysisRefusal('git-auth', e.message);
    case 'redirect':
      return new AnalysisRefusal('git-redirect', e.message);
    case 'unreachable':
      return new AnalysisRefusal('git-unreachable', e.message);
    case 'timeout':
      return new AnalysisRefusal('git-timeout', e.message);
    case 'aborted':
      return new AnalysisRefusal('aborted', e.message);
    default:
      return new AnalysisRefusal('git-failed', e.message);
  }
}

const byLineThenRef = <T extends { line: number; ref: string }>(a: T, b: T) => a.line - b.line || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);

/** Fetches, analyses, renders. Throws AnalysisRefusal. */
export async function runAnalysis(req: AnalyzeRequest, deps: AnalysisDeps): Promise<AnalyzeResponse> {
  return answerOf(req, await analyzedAtCommit(req, deps));
}

/**
 * The answer from the cache alone, or undefined when the request needs git: what a service can give
 * without a slot, so that Kargo's retries of an analysis already made never wait behind new ones.
 */
export function cachedAnswer(req: AnalyzeRequest, cache: AnalysisCache): AnalyzeResponse | undefined {
  const key = analysisCacheKey(req);
  const made = key === undefined ? undefined : cache.get(key);
  return made && answerOf(req, made);
}

/** The answer to a request from its analysis: the state file rendered from the request's enrollment and lastRebuild. */
function answerOf(req: AnalyzeRequest, { commit, committedAt, result }: CachedAnalysis): AnalyzeResponse {
  const enrollment = enrollmentOfRequest(req);
  const record = analysisRecordOf(result, { commit, analyzedAt: committedAt });
  const stateFile = renderImageState(imageStateOf(enrollment, record, req.lastRebuild));
  return {
    image: req.image,
    commit,
    analyzedAt: committedAt,
    dockerfile: req.dockerfile,
    baseImages: [...result.bases].sort(byLineThenRef),
    copies: [...result.copies].sort(byLineThenRef),
    warnings: [...result.warnings].sort((a, b) => a.line - b.line || a.col - b.col),
    stateFilePath: imageStatePath(req.image),
    stateFile,
  };
}
