// How `generate --fetch-external` reads an external image's Dockerfile: the same git fetch the
// analysis service uses (git.ts), at the head of the image's branch, with credentials from the
// environment only (GIT_USERNAME / GIT_PASSWORD), never from images.yaml.
import type { ExternalFetcher } from './generate';
import { fetchFileAtCommit } from './git';
import { UserError } from './errors';

const DEFAULT_TIMEOUT_MS = 60_000;

export function externalFetcher(env: NodeJS.ProcessEnv = process.env): ExternalFetcher {
  const credentials =
    env.GIT_USERNAME && env.GIT_PASSWORD ? { username: env.GIT_USERNAME, password: env.GIT_PASSWORD } : undefined;
  return async (image, repoURL) => {
    if (!repoURL) {
      throw new UserError({
        file: 'images.yaml',
        line: image.position.line,
        col: image.position.col,
        message: `image "${image.name}" has no source repository to fetch; set source.repo`,
      });
    }
    const fetched = await fetchFileAtCommit({
      repoURL,
      ref: image.source.branch,
      path: image.source.dockerfile,
      credentials,
      timeoutMs: DEFAULT_TIMEOUT_MS,
    });
    return { commit: fetched.commit, committedAt: fetched.committedAt, content: fetched.content };
  };
}
