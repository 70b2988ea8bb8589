// What images.yaml says about providers, beyond the shapes the schema checks: which fields each
// provider needs and refuses, which image is local (its Dockerfile in the state repo), and the source
// and trigger every entry resolves to. Pure; config.ts calls it with its finding sink.
import type { ImageSource, RebuildTrigger, SourceProvider, StateRepo } from '../types';
import { GITLAB_COM, gitlabProjectPathProblem, gitlabVariableNameProblem } from './gitlab';

type Segment = string | number;

/** config.ts's Checker, as far as these rules use it. */
export interface FindingSink {
  add(finding: { path: Segment[]; part: 'key' | 'value'; message: string; rank: number }): void;
  flagged(path: Segment[]): boolean;
}

export interface RawSource {
  provider?: SourceProvider;
  repo?: string;
  host?: string;
  url?: string;
  tokenKey?: string;
  branch?: string;
  dockerfile: string;
  workflow?: string;
  buildArgs?: Record<string, string>;
}

export type RawTrigger = 'none' | { webhook: { url: string } };

export interface RawProviderImage {
  name: string;
  source: RawSource;
  trigger?: RawTrigger;
  dispatchInputs?: { baseImage?: string; baseDigest?: string };
}

export interface RawProviders {
  gitlab?: { url: string };
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** The provider a host implies; undefined when the host could be anything (then stateRepo.provider is required). */
export function providerOfHost(host: string): SourceProvider | undefined {
  return host === 'github.com' ? 'github' : host === GITLAB_COM ? 'gitlab' : undefined;
}

/** Host and path of an https git URL, `.git` and trailing `/` dropped; undefined when it is not one. */
export function hostAndPathOf(url: string): { host: string; path: string } | undefined {
  const m = /^https:\/\/([^/@?#]+)\/([^?#]+?)(?:\.git)?\/?$/.exec(url);
  return m ? { host: m[1].toLowerCase(), path: m[2] } : undefined;
}

/** The state repo's provider: as given, else implied by its host. */
export function stateRepoProvider(stateRepo: { url: string; provider?: SourceProvider }): SourceProvider | undefined {
  if (stateRepo.provider) return stateRepo.provider;
  const at = hostAndPathOf(stateRepo.url);
  return at ? providerOfHost(at.host) : undefined;
}

/** The source a local image gets from the state repo: its provider, and its path (github, gitlab) or URL (git). */
export function stateRepoSource(stateRepo: StateRepo): Pick<ImageSource, 'provider' | 'repo' | 'host' | 'url'> {
  const provider = stateRepoProvider(stateRepo) ?? 'github';
  const at = hostAndPathOf(stateRepo.url);
  if (provider === 'git' || at === undefined) return { provider, url: stateRepo.url };
  if (provider === 'gitlab') return { provider, repo: at.path, host: at.host };
  return { provider, repo: at.path };
}

function gitlabDefaultHost(providers: RawProviders | undefined): string {
  const url = providers?.gitlab?.url;
  return url ? url.replace(/^https:\/\//, '').replace(/\/$/, '') : GITLAB_COM;
}

/** Whether an entry's Dockerfile is in the state repo: no repository named, or the state repo named. */
export function isLocalSource(source: RawSource, stateRepo: StateRepo | undefined, providers: RawProviders | undefined): boolean {
  if (source.repo === undefined && source.url === undefined) return true;
  if (!stateRepo) return false;
  const own = stateRepoSource(stateRepo);
  const provider = source.provider ?? 'github';
  if (provider !== own.provider) return false;
  if (provider === 'git') return source.url !== undefined && hostAndPathOf(source.url)?.path === hostAndPathOf(stateRepo.url)?.path && hostAndPathOf(source.url)?.host === hostAndPathOf(stateRepo.url)?.host;
  if (source.repo === undefined || own.repo === undefined || source.repo.toLowerCase() !== own.repo.toLowerCase()) return false;
  return provider === 'github' || (source.host ?? gitlabDefaultHost(providers)) === own.host;
}

/** The resolved source of one entry (branch and build args resolved by the caller). */
export function resolveSource(image: RawProviderImage, local: boolean, stateRepo: StateRepo | undefined, providers: RawProviders | undefined): Omit<ImageSource, 'branch' | 'buildArgs' | 'dockerfile'> {
  const s = image.source;
  if (local && stateRepo) {
    const own = stateRepoSource(stateRepo);
    return { ...own, ...(own.provider === 'gitlab' ? { tokenKey: s.tokenKey ?? image.name } : {}), workflow: s.workflow ?? '' };
  }
  const provider = s.provider ?? 'github';
  switch (provider) {
    case 'gitlab':
      return { provider, ...(s.repo !== undefined ? { repo: s.repo } : {}), host: s.host ?? gitlabDefaultHost(providers), tokenKey: s.tokenKey ?? image.name, workflow: '' };
    case 'git':
      return { provider, ...(s.url !== undefined ? { url: s.url } : {}), workflow: '' };
    default:
      return { provider, ...(s.repo !== undefined ? { repo: s.repo } : {}), workflow: s.workflow ?? '' };
  }
}

export function resolveTrigger(trigger: RawTrigger | undefined): RebuildTrigger | undefined {
  if (trigger === undefined) return undefined;
  if (trigger === 'none') return { kind: 'none' };
  return { kind: 'webhook', url: trigger.webhook.url };
}

/** Keys one provider refuses, with what to write instead. */
const REFUSED: Readonly<Record<SourceProvider, Readonly<Record<string, string>>>> = {
  github: { host: 'host is for provider gitlab; a GitHub source is on github.com', url: 'url is for provider git; write repo: owner/name', tokenKey: 'tokenKey is for provider gitlab' },
  gitlab: { url: 'url is for provider git; write repo: group/name and, off gitlab.com, host', workflow: 'workflow is for provider github; a GitLab rebuild runs the project\'s pipeline for the branch' },
  git: {
    repo: 'repo is for github and gitlab; write url: https://host/path.git',
    host: 'host is for provider gitlab; the host is in url',
    tokenKey: 'tokenKey is for provider gitlab',
    workflow: 'workflow is for provider github; a git source is rebuilt by trigger: {webhook: {url}} or not at all (trigger: none)',
  },
};

/**
 * Every provider rule, each finding at the node at fault with the fix. `entryPath(i)` is where entry
 * i is; entries the schema already found wrong are skipped where that would repeat it.
 */
export function providerChecks(sink: FindingSink, raw: { stateRepo?: unknown; providers?: unknown; images: unknown[] }, entryPath: (i: number) => Segment[]): void {
  let stateRepo: StateRepo | undefined;
  if (isRecord(raw.stateRepo) && typeof raw.stateRepo.url === 'string' && !sink.flagged(['stateRepo'])) {
    stateRepo = { url: raw.stateRepo.url, branch: 'main', ...(typeof raw.stateRepo.provider === 'string' ? { provider: raw.stateRepo.provider as SourceProvider } : {}) };
    if (stateRepoProvider(stateRepo) === undefined) {
      const host = hostAndPathOf(stateRepo.url)?.host ?? stateRepo.url;
      sink.add({ path: ['stateRepo'], part: 'key', message: `stateRepo lacks "provider": the host ${host} could be anything, and local images are rebuilt through it; add provider: gitlab (a self-managed GitLab), github (GitHub Enterprise) or git (any other host)`, rank: 2 });
      stateRepo = undefined;
    } else if (stateRepoProvider(stateRepo) === 'gitlab') {
      // Local images are rebuilt by a pipeline of this project: its path must be one GitLab accepts.
      const problem = gitlabProjectPathProblem(hostAndPathOf(stateRepo.url)?.path ?? '');
      if (problem) sink.add({ path: ['stateRepo', 'url'], part: 'value', message: `stateRepo.url's path ${problem}`, rank: 2 });
    }
  }
  const providers = isRecord(raw.providers) ? (raw.providers as RawProviders) : undefined;

  raw.images.forEach((entry, i) => {
    if (!isRecord(entry) || !isRecord(entry.source)) return;
    const at = entryPath(i);
    const image = entry as unknown as RawProviderImage;
    const source = image.source;
    if (sink.flagged([...at, 'source', 'provider'])) return;
    const local = isLocalSource(source, stateRepo, providers);
    const provider: SourceProvider = local && stateRepo ? (stateRepoSource(stateRepo).provider) : (source.provider ?? 'github');
    const add = (path: Segment[], part: 'key' | 'value', message: string) => sink.add({ path: [...at, ...path], part, message, rank: 2 });

    if (local && stateRepo && source.provider !== undefined && source.provider !== provider) {
      add(['source', 'provider'], 'value', `source.provider is ${source.provider}, but this image is local (no repository named) and the state repo's provider is ${provider}; remove source.provider, or name the ${source.provider} repository the Dockerfile is in`);
      return;
    }
    for (const [key, fix] of Object.entries(REFUSED[provider])) {
      if ((source as unknown as Record<string, unknown>)[key] !== undefined) add(["source", key], "key", `source.${key} is not used with provider ${provider}: ${fix}`);
    }
    // A trigger the schema refused counts as given: its own finding says what to write.
    const trigger = sink.flagged([...at, 'trigger']) ? 'none' : image.trigger;
    if (provider === 'github' && trigger === undefined && source.workflow === undefined) {
      add(['source'], 'key', 'source lacks "workflow" (build workflow); add e.g. workflow: build.yml (or trigger: none to watch the image without rebuilding it)');
    }
    if (!local && source.provider === 'gitlab' && source.repo === undefined) {
      add(['source'], 'key', 'source lacks "repo" (the GitLab project path); add e.g. repo: platform/images/nginx');
    }
    if (source.provider === 'git' && source.url === undefined && !local) {
      add(['source'], 'key', 'source lacks "url"; add e.g. url: https://git.example.com/platform/images.git');
    }
    if (provider === 'git' && trigger === undefined) {
      add([], 'key', `image "${image.name}" is on a plain git host, which has no API to start a build: add trigger: {webhook: {url: https://...}} to have a signed webhook start it, or trigger: none to watch it without rebuilding`);
    }
    if (provider === 'gitlab' && typeof source.repo === 'string' && !local && source.provider === 'gitlab') {
      const problem = gitlabProjectPathProblem(source.repo);
      if (problem && !sink.flagged([...at, 'source', 'repo'])) add(['source', 'repo'], 'value', `source.repo ${JSON.stringify(source.repo)} ${problem}`);
    }
    if (provider === 'gitlab' && trigger === undefined && isRecord(image.dispatchInputs)) {
      for (const key of ['baseImage', 'baseDigest'] as const) {
        const name = image.dispatchInputs[key];
        const problem = typeof name === 'string' ? gitlabVariableNameProblem(name) : undefined;
        if (problem && !sink.flagged([...at, 'dispatchInputs', key])) add(['dispatchInputs', key], 'value', `dispatchInputs.${key} ${JSON.stringify(name)} ${problem}`);
      }
    }
  });
}
