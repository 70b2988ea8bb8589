// One request that starts a rebuild (a GitLab pipeline trigger, a signed webhook), sent the way the
// GitHub client sends a workflow_dispatch: one request per attempt; answers the other side will
// repeat fail at once with its own message and a hint; rate limits (429) and server errors (5xx) are
// retried, waiting as long as asked (Retry-After) within a bound.
//
// Secrets (tokens, the webhook secret) are never written anywhere: what the server sends back is read
// only up to a cap, and printed only once every secret is hidden in any form it could be echoed in,
// control characters are made visible, and it is shortened.
import type { Problem } from '../errors';
import { textFromServer } from '../server-text';
import { retryAfterSeconds as retryAfterOf } from '../retry-after';
import { withRetries, type Retry } from '../retry';

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_MAX_WAIT_SECONDS = 300;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_SERVER_TEXT_CHARS = 500;

/** A rebuild request that did not start a build; the message says why and what to check. */
export class TriggerError extends Error {
  /** The HTTP status of the last answer; undefined when no answer came. */
  readonly status?: number;
  /** Who the problem is reported as coming from. */
  protected readonly subject: string = 'rebuild';
  constructor(message: string, status?: number) {
    super(message);
    this.name = new.target.name;
    this.status = status;
  }

  toProblem(): Problem {
    return { subject: this.subject, message: this.message };
  }
}

export interface HeadersLike {
  get(name: string): string | null;
}

export type FetchLike = (url: string, init: { method: string; headers: Record<string, string>; body: string; redirect: 'manual'; signal: AbortSignal }) => Promise<{
  status: number;
  statusText: string;
  headers: HeadersLike;
  /** The body as a stream (fetch's Response has one): read only up to the cap, then cancelled. */
  body?: ReadableStream<Uint8Array> | null;
  text(): Promise<string>;
}>;

/** How the caller's run is bounded and observed; the same for every provider. */
export interface SendOptions {
  /** At least 1: the first try counts. */
  maxAttempts: number;
  /** The longest single wait the server may ask for before we give up instead. */
  maxWaitSeconds?: number;
  /** Progress lines (retries); never given a secret. */
  log: (line: string) => void;
  fetchImpl?: FetchLike;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  timeoutMs?: number;
}

/** What one provider's API means by its answers. */
export interface TriggerProtocol {
  /** `GitLab`, `the webhook`: who answered, in messages. */
  service: string;
  /** What was asked for, in messages: `acme/app pipeline on main`. */
  where: string;
  /** Hints per status of a refusal; a default one otherwise. */
  hints: Readonly<Record<number, string>>;
  /** Said when a refusal has no hint of its own. */
  refused: string;
  /** Statuses below 500 that are worth another attempt (429, 408). */
  retryable: readonly number[];
  /** The error text a body carries (`message`, `error`), or the start of the body. */
  messageOf?: (body: string) => string;
  /** The one status that confirms the request (GitHub: 204); another 2xx then fails with `unconfirmed`. Default: any 2xx. */
  confirmedBy?: { status: number; unconfirmed: string };
  /** The status as messages show it (GitHub: with its reason phrase); default the number alone. */
  statusLine?: (status: number, statusText: string, secrets: readonly string[]) => string;
  /** What a redirect means; default `it moved` and `the URL is wrong or the project was renamed`. */
  moved?: { what: string; hint: string };
  /** Whether a refusal below 500 is a rate limit, so worth another attempt (GitHub's 403 with its limit spent). */
  rateLimited?: (status: number, headers: HeadersLike, message: string) => boolean;
  /** The wait for a rate limit whose answer names none (GitHub: a minute for its secondary limits). */
  rateLimitWaitSeconds?: number;
  /** The wait the server asks for; default its Retry-After. */
  askedWaitSeconds?: (headers: HeadersLike, nowMs: number) => number | undefined;
  /** The error a failure throws (GitHubError for GitHub); default TriggerError. */
  errorOf?: (message: string, status?: number) => Error;
}

export interface TriggerRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  /** Every secret the request holds (in headers or body); hidden from every message. */
  secrets: readonly string[];
}

export interface TriggerResult {
  attempts: number;
  status: number;
}

/** Text a server sent, fit to print (server-text.ts, shared with the registry client). */
export function serverText(text: string, secrets: readonly string[], max = MAX_SERVER_TEXT_CHARS): string {
  return textFromServer(text, secrets, max);
}

/** A JSON body's `message` (a string, or GitLab's `{field: [problems]}`) or `error`, else the body itself. */
export function jsonMessageOf(body: string): string {
  try {
    const doc = JSON.parse(body) as unknown;
    if (typeof doc === 'object' && doc !== null) {
      const { message, error } = doc as { message?: unknown; error?: unknown };
      const said = message ?? error;
      if (typeof said === 'string') return said.trim();
      if (typeof said === 'object' && said !== null) {
        return Object.entries(said as Record<string, unknown>)
          .map(([k, v]) => `${k}: ${Array.isArray(v) ? v.map(String).join(', ') : String(v)}`)
          .join('; ');
      }
    }
  } catch {
    // not JSON
  }
  // Shortened only once secrets are hidden (serverText): a cut could leave part of one.
  return body.replace(/\s+/g, ' ').trim();
}

/** Seconds to wait from Retry-After (seconds or an HTTP date); undefined when the server named none. */
export function retryAfterSeconds(headers: HeadersLike, nowMs: number): number | undefined {
  return retryAfterOf(headers.get('retry-after'), nowMs);
}

/** At most MAX_ERROR_BODY_BYTES of the body: the rest is never downloaded (the stream is cancelled). */
export async function readBounded(response: Pick<Awaited<ReturnType<FetchLike>>, 'body' | 'text'>): Promise<string> {
  const body = response.body;
  if (!body) {
    const text = await response.text();
    return text.length > MAX_ERROR_BODY_BYTES ? text.slice(0, MAX_ERROR_BODY_BYTES) : text;
  }
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    while (total < MAX_ERROR_BODY_BYTES) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return Buffer.concat(chunks).subarray(0, MAX_ERROR_BODY_BYTES).toString('utf8');
}

/** Drops a body that is of no interest without reading it. */
export async function discard(response: Pick<Awaited<ReturnType<FetchLike>>, 'body' | 'text'>): Promise<void> {
  if (response.body) await response.body.cancel().catch(() => undefined);
  else await response.text().catch(() => '');
}

/** A bound given on the command line or by a caller: a whole number in range. */
function attemptsProblem(maxAttempts: number): string | undefined {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) return `max attempts must be a whole number from 1 to 100, not ${maxAttempts}`;
  return undefined;
}

type Answer = Awaited<ReturnType<FetchLike>>;

/** Why a request got no answer at all: the network's code (ECONNREFUSED), else the error's text. */
function noAnswer(e: unknown, host: string, secrets: readonly string[]): Retry {
  const inner = e instanceof Error ? (e as Error & { cause?: { code?: unknown; message?: unknown } }).cause : undefined;
  const cause = typeof inner?.code === 'string' ? inner.code : typeof inner?.message === 'string' && inner.message ? inner.message : e instanceof Error ? e.message : String(e);
  return { problem: `no answer from ${host} (${serverText(String(cause), secrets)})` };
}

/** Reads one answer as the protocol means it: confirmed (its status), a refusal (thrown at once), or a retry. */
async function judgeAnswer(response: Answer, request: TriggerRequest, protocol: TriggerProtocol, nowMs: number): Promise<{ confirmed: number } | Retry> {
  const status = response.status;
  const confirmed = protocol.confirmedBy ? status === protocol.confirmedBy.status : status >= 200 && status < 300;
  if (confirmed) {
    await discard(response);
    return { confirmed: status };
  }
  const fail = protocol.errorOf ?? ((message: string, s?: number) => new TriggerError(message, s));
  // The message is decoded from its JSON first, so an escaped secret is found as well.
  const message = serverText((protocol.messageOf ?? jsonMessageOf)(await readBounded(response).catch(() => '')), request.secrets);
  const shown = protocol.statusLine ? protocol.statusLine(status, response.statusText, request.secrets) : String(status);
  const answered = `${protocol.service} answered ${shown}${message ? `: ${message}` : ''}`;
  if (status >= 200 && status < 300) throw fail(`${answered} for ${protocol.where}; ${protocol.confirmedBy?.unconfirmed}`, status);
  if (status >= 300 && status < 400) {
    const location = response.headers.get('location');
    const moved = protocol.moved ?? { what: 'it moved', hint: 'the URL is wrong or the project was renamed' };
    throw fail(`${answered} for ${protocol.where}: ${moved.what}${location ? ` to ${serverText(location, request.secrets)}` : ''}; ${moved.hint}`, status);
  }
  const rateLimited = protocol.rateLimited?.(status, response.headers, message) ?? false;
  if (status < 500 && !rateLimited && !protocol.retryable.includes(status)) {
    throw fail(`${answered} (${protocol.where}); ${protocol.hints[status] ?? protocol.refused}`, status);
  }
  const asked = (protocol.askedWaitSeconds ?? retryAfterSeconds)(response.headers, nowMs);
  return { problem: answered, status, waitSeconds: asked ?? (rateLimited ? protocol.rateLimitWaitSeconds : undefined) };
}

/**
 * POSTs the request until the server answers 2xx (resolves), refuses (throws at once with its
 * message and a hint), or the attempts or the allowed wait run out (throws): core/retry.ts's loop.
 */
export async function sendTrigger(request: TriggerRequest, protocol: TriggerProtocol, opts: SendOptions): Promise<TriggerResult> {
  const fail = protocol.errorOf ?? ((message: string, status?: number) => new TriggerError(message, status));
  const badAttempts = attemptsProblem(opts.maxAttempts);
  if (badAttempts) throw fail(badAttempts);
  const doFetch: FetchLike = opts.fetchImpl ?? ((u, init) => fetch(u, init));
  const now = opts.now ?? Date.now;
  const host = new URL(request.url).host;
  const attempt = async (): Promise<{ result: number } | Retry> => {
    let response: Answer;
    try {
      response = await doFetch(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    } catch (e) {
      return noAnswer(e, host, request.secrets);
    }
    const outcome = await judgeAnswer(response, request, protocol, now());
    return 'confirmed' in outcome ? { result: outcome.confirmed } : outcome;
  };
  const bounds = {
    maxAttempts: opts.maxAttempts,
    maxWaitSeconds: opts.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS,
    sleep: opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))),
    log: opts.log,
  };
  const { result, attempts } = await withRetries(attempt, bounds, { after: ` (${protocol.where})`, who: protocol.service, fail });
  return { attempts, status: result };
}
