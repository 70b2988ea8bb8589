// A GitHub Actions workflow_dispatch client: one POST to
// /repos/{owner}/{repo}/actions/workflows/{workflow}/dispatches, success only on 204 No Content.
// Failures GitHub will repeat (401, 403 without a rate limit, 404, 422) fail at once with GitHub's own
// message and a hint; rate limits (429, 403 with a rate limit) and server errors (5xx) are retried,
// waiting as long as GitHub asks (Retry-After, x-ratelimit-reset), within a bound.
//
// Every string is validated before the URL is built, path segments are encoded, and the token is
// never written anywhere: not in logs, errors or dry-run output. What the server sends back (body,
// reason phrase, Location) is read only up to a cap, and is printed only after the token is hidden
// in every form it could be echoed in, control characters are made visible, and it is shortened.
import { refNameProblem } from '../rules';
import { retryAfterSeconds, sendTrigger, serverText, TriggerError, type FetchLike as SharedFetchLike, type HeadersLike, type SendOptions, type TriggerProtocol } from './http-trigger';

export const DEFAULT_API_URL = 'https://api.github.com';
export const GITHUB_API_VERSION = '2022-11-28';
export { DEFAULT_MAX_ATTEMPTS, DEFAULT_MAX_WAIT_SECONDS } from './http-trigger';

/** A dispatch that did not happen; the message says why and what to check. */
export class GitHubError extends TriggerError {
  protected override readonly subject = 'GitHub';
}

export interface DispatchTarget {
  /** `https://api.github.com`, or `https://HOST/api/v3` for GitHub Enterprise Server. */
  apiURL: string;
  owner: string;
  repo: string;
  /** The workflow file name (`build.yml`) or its numeric id. */
  workflow: string;
  /** The branch or tag whose workflow file runs. */
  ref: string;
  /** workflow_dispatch inputs; omitted from the body when empty. */
  inputs: Record<string, string>;
}

export type FetchLike = SharedFetchLike;

/** The target, the token and how the run is bounded (attempts, waits; http-trigger.ts SendOptions). */
export interface DispatchOptions extends DispatchTarget, SendOptions {
  token: string;
  userAgent: string;
}

export interface DispatchResult {
  attempts: number;
  url: string;
}

const OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const REPO = /^[A-Za-z0-9._-]{1,100}$/;
const WORKFLOW = /^(?:[0-9]{1,20}|[A-Za-z0-9._-]{1,200}\.ya?ml)$/;
/** A workflow as the API names it: its file name in .github/workflows (`build.yml`) or its numeric id. */
export const isWorkflowName = (text: string): boolean => WORKFLOW.test(text);
const INPUT_NAME = /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/;
const TOKEN = /^[\x21-\x7e]{1,1024}$/;

function invalid(what: string, value: string, rule: string): never {
  throw new GitHubError(`${what} ${JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}...` : value)} is not valid: ${rule}`);
}

/** The API base URL without a trailing slash; https, or http only for this machine (tests, proxies). */
export function checkApiURL(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    invalid('API URL', text, 'write an absolute URL such as https://api.github.com or https://github.example.com/api/v3');
  }
  const local = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && local)) {
    invalid('API URL', text, 'it must use https (http is accepted only for 127.0.0.1 and localhost)');
  }
  if (url.username || url.password) invalid('API URL', '(hidden: it holds credentials)', 'remove the user and password; the token comes from GITHUB_TOKEN');
  if (url.search || url.hash) invalid('API URL', text, 'remove the query and fragment');
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

/** The branch or tag a workflow runs on (core/rules.ts refNameProblem; not `HEAD`, which names no branch). */
export function checkRef(ref: string): string {
  const problem = refNameProblem(ref, 'branch');
  if (problem) invalid('ref', ref, problem);
  return ref;
}

/** Checks every part of a dispatch; returns the URL with encoded path segments. */
export function dispatchURL(target: DispatchTarget): string {
  const base = checkApiURL(target.apiURL);
  if (!OWNER.test(target.owner)) invalid('owner', target.owner, 'GitHub owners are letters, digits and single hyphens, at most 39 characters');
  if (!REPO.test(target.repo) || target.repo === '.' || target.repo === '..') invalid('repository', target.repo, 'GitHub repository names are letters, digits, ".", "_" and "-"');
  if (!WORKFLOW.test(target.workflow)) invalid('workflow', target.workflow, 'name the workflow file (build.yml) in .github/workflows, or its numeric id');
  checkRef(target.ref);
  for (const [name, value] of Object.entries(target.inputs)) {
    if (!INPUT_NAME.test(name)) invalid('input name', name, 'workflow input names are letters, digits, "_" and "-", starting with a letter or "_"');
    if (typeof value !== 'string' || value.length > 65535) invalid(`input ${name}`, String(value), 'must be a string of at most 65535 characters');
  }
  const seg = encodeURIComponent;
  return `${base}/repos/${seg(target.owner)}/${seg(target.repo)}/actions/workflows/${seg(target.workflow)}/dispatches`;
}

/** The JSON body: ref, and inputs only when there are some (sorted, so the bytes are stable). */
export function dispatchBody(target: Pick<DispatchTarget, 'ref' | 'inputs'>): string {
  const names = Object.keys(target.inputs).sort();
  const body: { ref: string; inputs?: Record<string, string> } = { ref: target.ref };
  if (names.length > 0) body.inputs = Object.fromEntries(names.map((n) => [n, target.inputs[n]]));
  return JSON.stringify(body);
}

export function dispatchHeaders(token: string, userAgent: string): Record<string, string> {
  return {
    Accept: 'application/vnd.github+json',
    Authorization: `Bearer ${token}`,
    'Content-Type': 'application/json',
    'User-Agent': userAgent,
    'X-GitHub-Api-Version': GITHUB_API_VERSION,
  };
}

/** The request as text, with the token hidden: what `rebuild --dry-run` prints. */
export function describeDispatch(target: DispatchTarget, userAgent: string): string {
  const url = dispatchURL(target);
  const headers = dispatchHeaders('***', userAgent);
  const lines = [`POST ${url}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), '', dispatchBody(target)];
  return `${lines.join('\n')}\n`;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const MAX_REASON_CHARS = 100;

/** GitHub's `message` from a JSON error body, or the start of whatever else came. */
function messageOf(body: string): string {
  try {
    const doc = JSON.parse(body) as unknown;
    if (typeof doc === 'object' && doc !== null && typeof (doc as { message?: unknown }).message === 'string') {
      const { message, errors } = doc as { message: string; errors?: unknown };
      const details = Array.isArray(errors)
        ? errors.map((e) => (typeof e === 'string' ? e : typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string' ? (e as { message: string }).message : '')).filter(Boolean)
        : [];
      return [message.trim(), ...details].join('; ');
    }
  } catch {
    // not JSON
  }
  // Shortened only once the token is hidden (serverText): a cut could leave part of it.
  return body.replace(/\s+/g, ' ').trim();
}

const HINTS: Readonly<Record<number, string>> = {
  401: 'check GITHUB_TOKEN (or GH_TOKEN): it is missing, expired or revoked',
  403: 'the token is not allowed to run this workflow: it needs the "actions: write" permission (fine-grained) or the repo scope (classic) on this repository',
  404: 'check the repository (owner/name) and the workflow file name, and that the token can see the repository (a token without access gets 404, not 403)',
  422: 'check that the workflow has an `on: workflow_dispatch` trigger on that ref, that the ref exists, and that every input sent is declared (and every required one sent)',
};

/** Seconds to wait, from Retry-After (seconds or an HTTP date) or an exhausted rate limit; undefined when GitHub named none. */
function askedWaitSeconds(headers: HeadersLike, nowMs: number): number | undefined {
  const asked = retryAfterSeconds(headers, nowMs);
  if (asked !== undefined) return asked;
  if (headers.get('x-ratelimit-remaining') === '0') {
    const reset = headers.get('x-ratelimit-reset');
    if (reset !== null && /^[0-9]{1,12}$/.test(reset.trim())) {
      // One second past the reset, so the first request after it lands in the new window.
      return Math.max(0, Math.ceil((Number(reset) * 1000 - nowMs) / 1000)) + 1;
    }
  }
  return undefined;
}

function isRateLimited(status: number, headers: HeadersLike, message: string): boolean {
  if (status === 429) return true;
  if (status !== 403) return false;
  return headers.get('x-ratelimit-remaining') === '0' || headers.get('retry-after') !== null || /rate limit/i.test(message);
}

/** What GitHub means by its answers, for the shared retry loop (http-trigger.ts sendTrigger). */
function dispatchProtocol(where: string): TriggerProtocol {
  return {
    service: 'GitHub',
    where,
    hints: HINTS,
    refused: 'GitHub refused the request',
    retryable: [],
    messageOf,
    confirmedBy: { status: 204, unconfirmed: "a dispatch is confirmed only by 204 No Content, so it may or may not have started: check the repository's Actions tab" },
    statusLine: (status, statusText, secrets) => `${status} ${STATUS_TEXT[status] ?? serverText(statusText, secrets, MAX_REASON_CHARS)}`.trim(),
    moved: { what: 'the API moved', hint: 'the repository may have been renamed or the API URL is wrong' },
    rateLimited: isRateLimited,
    rateLimitWaitSeconds: 60, // GitHub: wait at least a minute for secondary limits
    askedWaitSeconds,
    errorOf: (message, status) => new GitHubError(message, status),
  };
}

/**
 * Triggers a workflow_dispatch event. Resolves when GitHub answers 204; otherwise throws a GitHubError
 * whose message carries GitHub's own message and what to check.
 */
export async function dispatchWorkflow(opts: DispatchOptions): Promise<DispatchResult> {
  const url = dispatchURL(opts);
  if (!TOKEN.test(opts.token)) throw new GitHubError('the GitHub token is empty or holds spaces or control characters; check GITHUB_TOKEN (or GH_TOKEN)');
  const request = { url, headers: dispatchHeaders(opts.token, opts.userAgent), body: dispatchBody(opts), secrets: [opts.token] };
  const { attempts } = await sendTrigger(request, dispatchProtocol(`${opts.owner}/${opts.repo} workflow ${opts.workflow} on ${opts.ref}`), opts);
  return { attempts, url };
}
