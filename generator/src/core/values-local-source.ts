// A local image's Dockerfile and workflow live in the state repository, so its source repo and url
// are the state repository's: the values file leaves them out when they are (most images of an
// estate are local), and they are read back from `stateRepo`. The templates read a local image's
// repo through image-factory.stateRepoPath and never its url. Each left-out pair is two values
// nodes fewer per image for helm to parse and round-trip (docs/design.md "Render time").
import type { ChartValues } from './values-types';
import { githubSlugOfURL } from './rules';

/** `owner/name` of a GitHub state repository URL: the repository running local images' workflows. */
export function stateRepoPathOf(url: string | undefined): string | undefined {
  return url ? githubSlugOfURL(url) : undefined;
}

type Doc = Record<string, unknown>;

/** The repo and url a local image has when they are the state repository's ('' when unknown). */
function stateRepoSourceOf(doc: Doc): { repo: string; url: string } {
  const url = (doc.stateRepo as ChartValues['stateRepo'])?.url;
  return { repo: stateRepoPathOf(url) ?? '', url: url ?? '' };
}

const sourceOf = (image: unknown): Doc => (image as { source: Doc }).source;

/** The values with each local image's repo and url left out where they are the state repository's. */
export function withoutStateRepoSources(doc: Doc): Doc {
  const own = stateRepoSourceOf(doc);
  const images = (doc.images as unknown[]).map((image) => {
    const { repo, url, ...rest } = sourceOf(image);
    if (rest.local !== true || repo !== own.repo || url !== own.url) return image;
    return { ...(image as Doc), source: rest };
  });
  return { ...doc, images };
}

/** Values read from a file (every property at its default filled in), each local image's missing repo and url the state repository's. */
export function withStateRepoSources<T extends object>(values: T): T {
  const doc = values as Doc;
  const own = stateRepoSourceOf(doc);
  const images = (doc.images as unknown[]).map((image) => {
    const source = sourceOf(image);
    if (source.local !== true || ('repo' in source && 'url' in source)) return image;
    return { ...(image as Doc), source: { repo: own.repo, url: own.url, ...source } };
  });
  return { ...doc, images } as T;
}
