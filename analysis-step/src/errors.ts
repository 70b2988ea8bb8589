// An answer other than 200: the HTTP status, a stable reason (a metrics label), a message safe to
// return (never a credential), and the request field at fault when there is one. HTTP statuses
// live here only: the core refuses an analysis with a reason (AnalysisRefusal), the service says
// what that reason is in HTTP.
import { AnalysisRefusal, type RefusalReason } from '../../generator/src/core/analysis-refusal';

export class ServiceError extends Error {
  readonly status: number;
  readonly reason: string;
  readonly field?: string;
  constructor(status: number, reason: string, message: string, field?: string) {
    super(message);
    this.name = 'ServiceError';
    this.status = status;
    this.reason = reason;
    this.field = field;
  }
}

/**
 * The status of each refusal. A failed fetch for lack of the service's own credentials, a redirect
 * or an unreachable host is 502 (the git host or the service is at fault, not the caller); a
 * Dockerfile that cannot be analyzed is 422; `aborted` (the caller went away) is nginx's 499.
 */
const STATUS_OF_REFUSAL: Record<RefusalReason, number> = {
  'bad-request': 400,
  'repo-not-allowed': 403,
  'repo-not-found': 404,
  'commit-not-found': 404,
  'file-not-found': 404,
  'local-image': 409,
  'not-a-file': 422,
  'too-large': 422,
  'invalid-dockerfile': 422,
  aborted: 499,
  'git-auth': 502,
  'git-redirect': 502,
  'git-unreachable': 502,
  'git-failed': 502,
  'git-timeout': 504,
};

/** The service's answer for an error thrown while answering: refusals get their status, the rest stay as they are. */
export function asServiceError(e: unknown): unknown {
  return e instanceof AnalysisRefusal ? new ServiceError(STATUS_OF_REFUSAL[e.reason], e.reason, e.message, e.field) : e;
}
