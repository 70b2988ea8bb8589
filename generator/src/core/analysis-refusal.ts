// Why an analysis was refused, in the core's terms: a stable reason (the service's metrics label
// and error `reason`), a message safe to show (never a credential) and the request field at fault.
// The front ends decide what it means to them: the service maps each reason to an HTTP status
// (analysis-step/src/errors.ts), `image-factory analyze` prints the message and exits 1.
import { ReasonedError } from './errors';

export type RefusalReason =
  | 'bad-request'
  | 'repo-not-allowed'
  | 'local-image'
  | 'repo-not-found'
  | 'commit-not-found'
  | 'file-not-found'
  | 'not-a-file'
  | 'too-large'
  | 'invalid-dockerfile'
  | 'git-auth'
  | 'git-redirect'
  | 'git-unreachable'
  | 'git-timeout'
  | 'aborted'
  | 'git-failed';

export class AnalysisRefusal extends ReasonedError<RefusalReason> {
  protected readonly subject = 'analysis';
}
