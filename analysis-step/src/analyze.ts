// One analysis, shared by the HTTP service and `image-factory analyze`: check the request against
// the image's enrollment, fetch the one Dockerfile at the commit, analyse it with the generator's
// own code, and render the new state file with the generator's own renderer.
import { formatProblem, isUserError } from '../../generator/src/errors';
import { analyseDockerfile } from '../../generator/src/dockerfile-file';
import { analysisRecordOf, enrollmentFromValues, imageStateOf, renderImageState } from '../../generator/src/state';
import type { AnalysisWarning, BaseImage, CopiedImage, DockerfileAnalysis } from '../../generator/src/types';
import type { ImageValues } from '../../generator/src/values-types';
import { GitFetchError, type FetchedFile, type FetchFileOptions, type GitCredentials } from '../../generator/src/git';
import { ServiceError } from './errors';
import type { AnalyzeRequest } from './request';

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

export interface Catalog {
  allowedRepositories: readonly string[];
  images: ReadonlyMap<string, ImageValues>;
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
  analyse?: (content: Uint8Array, file: string, buildArgs: Record<string, string>) => Promise<DockerfileAnalysis>;
}

const sortedJSON = (o: Record<string, string>) => JSON.stringify(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** The enrolled image a request is about, after the checks that need no git: 404, 403, 409. */
export function imageFor(req: AnalyzeRequest, catalog: Catalog): ImageValues {
  const image = catalog.images.get(req.image);
  if (!image) throw new ServiceError(404, 'unknown-image', `image: "${req.image}" is not enrolled in this service's configuration`, 'image');
  if (image.source.local) {
    throw new ServiceError(409, 'local-image', `image: "${req.image}" is local to the state repo; \`image-factory generate\` analyses it`, 'image');
  }
  if (req.repoURL !== image.source.repoURL) {
    throw new ServiceError(403, 'repo-mismatch', `repoURL: ${req.repoURL} is not the source repository of image "${req.image}"`, 'repoURL');
  }
  if (!catalog.allowedRepositories.includes(req.repoURL)) {
    throw new ServiceError(403, 'repo-not-allowed', `repoURL: ${req.repoURL} is not in the allowed repositories`, 'repoURL');
  }
  if (req.dockerfile !== image.source.dockerfile) {
    throw new ServiceError(409, 'stale-request', `dockerfile: "${req.dockerfile}" differs from the enrolled "${image.source.dockerfile}"; the chart and the service configuration are out of step`, 'dockerfile');
  }
  if (sortedJSON(req.buildArgs) !== sortedJSON(image.source.buildArgs)) {
    throw new ServiceError(409, 'stale-request', `buildArgs: differ from the enrolled build arguments of image "${req.image}"; the chart and the service configuration are out of step`, 'buildArgs');
  }
  return image;
}

/** Maps a fetch failure to an HTTP answer. Auth failures at the git host are 502: the service's credentials are at fault, not the caller's. */
export function serviceErrorOfFetch(e: GitFetchError): ServiceError {
  switch (e.reason) {
    case 'invalid-input':
      return new ServiceError(400, 'bad-request', e.message, e.field);
    case 'repo-not-found':
    case 'commit-not-found':
    case 'file-not-found':
      return new ServiceError(404, e.reason, e.message);
    case 'not-a-file':
    case 'too-large':
      return new ServiceError(422, e.reason, e.message);
    case 'auth':
      return new ServiceError(502, 'git-auth', e.message);
    case 'redirect':
      return new ServiceError(502, 'git-redirect', e.message);
    case 'unreachable':
      return new ServiceError(502, 'git-unreachable', e.message);
    case 'timeout':
      return new ServiceError(504, 'git-timeout', e.message);
    case 'aborted':
      return new ServiceError(499, 'aborted', e.message);
    default:
      return new ServiceError(502, 'git-failed', e.message);
  }
}

const byLineThenRef = <T extends { line: number; ref: string }>(a: T, b: T) => a.line - b.line || (a.ref < b.ref ? -1 : a.ref > b.ref ? 1 : 0);

/** Fetches, analyses, renders. Throws ServiceError. */
export async function runAnalysis(req: AnalyzeRequest, image: ImageValues, deps: AnalysisDeps): Promise<AnalyzeResponse> {
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
    if (e instanceof GitFetchError) throw serviceErrorOfFetch(e);
    throw e;
  }
  deps.onFetched?.(fetched.bytesFetched);
  let result: DockerfileAnalysis;
  try {
    result = deps.analyse ? await deps.analyse(fetched.content, req.dockerfile, image.source.buildArgs) : analyseDockerfile(fetched.content, req.dockerfile, image.source.buildArgs);
  } catch (e) {
    if (isUserError(e)) throw new ServiceError(422, 'invalid-dockerfile', e.problems.map(formatProblem).join('\n'));
    throw e;
  }
  const enrollment = enrollmentFromValues(image);
  const record = analysisRecordOf(result, { commit: fetched.commit, analyzedAt: fetched.committedAt });
  const stateFile = renderImageState(imageStateOf(enrollment, record, req.lastRebuild));
  return {
    image: image.name,
    commit: fetched.commit,
    analyzedAt: fetched.committedAt,
    dockerfile: req.dockerfile,
    baseImages: [...result.bases].sort(byLineThenRef),
    copies: [...result.copies].sort(byLineThenRef),
    warnings: [...result.warnings].sort((a, b) => a.line - b.line || a.col - b.col),
    stateFilePath: image.stateFile,
    stateFile,
  };
}
