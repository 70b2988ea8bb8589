// Why a fetch of one file from a git remote failed: a reason the callers map to their own answers
// (the service to HTTP statuses, the CLI to messages) and a message already safe to show.
import { ReasonedError } from './errors';

export type GitFetchReason =
  | 'invalid-input'
  | 'repo-not-found'
  | 'commit-not-found'
  | 'file-not-found'
  | 'not-a-file'
  | 'too-large'
  | 'auth'
  | 'redirect'
  | 'unreachable'
  | 'timeout'
  | 'aborted'
  | 'git-failed';

/** Why a fetch failed, with a message safe to show (no credentials). `field` names the bad input. */
export class GitFetchError extends ReasonedError<GitFetchReason> {
  protected readonly subject = 'git';
}
