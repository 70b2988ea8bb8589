// How `generate --fetch-external` reads an external image's Dockerfile: the same git fetch the
// analysis service uses (git.ts), at the head of the image's branch, with credentials from the
// environment only (GIT_USERNAME / GIT_PASSWORD for any host, GIT_USERNAME_<HOST> / GIT_PASSWORD_<HOST>
// for one, e.g. GIT_PASSWORD_GITLAB_EXAMPLE_COM), never from images.yaml.
import type { ExternalFetcher } from './generate';
import { fetchFileAtCommit, GitFetchError } from '../core/git';
import { UserError } from '../core/errors';
import { credentialsFor, credentialsFromEnv, hostOfRepoURL } from '../core/providers/credentials';
import { fetchTimeoutMs } from '../core/fetch-timeout';

/** `timeoutFlag`: generate's --fetch-timeout (seconds); else IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS, else 60. */
export function externalFetcher(env: NodeJS.ProcessEnv = process.env, timeoutFlag?: string): ExternalFetcher {
  // Read once, before any fetch: a bad value fails the run at once, naming the flag or variable.
  const timeout = fetchTimeoutMs(timeoutFlag, env);
  return async (image, repoURL) => {
    const host = hostOfRepoURL(repoURL);
    const credentials = credentialsFor(credentialsFromEnv(env, host ? [host] : []), repoURL);
    if (!repoURL) {
      throw new UserError({
        subject: 'images.yaml',
        line: image.position.line,
        col: image.position.col,
        message: `image "${image.name}" has no source repository to fetch; set source.repo`,
      });
    }
    try {
      const fetched = await fetchFileAtCommit({
        repoURL,
        ref: image.source.branch,
        path: image.source.dockerfile,
        credentials,
        timeoutMs: timeout,
      });
      return { commit: fetched.commit, committedAt: fetched.committedAt, content: fetched.content };
    } catch (e) {
      // A repository that cannot be read is the user's to fix (network, credentials, branch, path).
      if (e instanceof GitFetchError) {
        throw new UserError({
          subject: 'images.yaml',
          line: image.position.line,
          col: image.position.col,
          message: `image "${image.name}": ${e.message}; check source.repo (or source.url), source.branch and source.dockerfile, and GIT_USERNAME/GIT_PASSWORD (or GIT_USERNAME_<HOST>/GIT_PASSWORD_<HOST>) for a private repository`,
        });
      }
      throw e;
    }
  };
}
