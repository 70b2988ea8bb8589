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

export const DEFAULT_MAX_ATTEMPTS = 5;
export const DEFAULT_MAX_WAIT_SECONDS = 300;
const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_ERROR_BODY_BYTES = 64 * 1024;
const MAX_SERVER_TEXT_CHARS = 500;

/** A rebuild request that did not start a build; the message says why and what to check. */
export class TriggerError extends Error {
  /** The HTTP status of the last answer; undefined when no answer came. */
  readonly status?: number;
  constructor(message: string, status?: number) {
    super(message);
    this.name = 'TriggerError';
    this.status = status;
  }

  toProblem(): Problem {
    return { subject: 'rebuild', message: this.message };
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

export function formatSeconds(s: number): string {
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
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
export function checkAttempts(maxAttempts: number): void {
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1 || maxAttempts > 100) {
    throw new TriggerError(`max attempts must be a whole number from 1 to 100, not ${maxAttempts}`);
  }
}

/**
 * POSTs the request until the server answers 2xx (resolves), refuses (throws at once with its
 * message and a hint), or the attempts or the allowed wait run out (throws).
 */
export async function sendTrigger(request: TriggerRequest, protocol: TriggerProtocol, opts: SendOptions): Promise<TriggerResult> {
  checkAttempts(opts.maxAttempts);
  const maxWait = opts.maxWaitSeconds ?? DEFAULT_MAX_WAIT_SECONDS;
  const doFetch: FetchLike = opts.fetchImpl ?? ((u, init) => fetch(u, init));
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = opts.now ?? Date.now;
  const messageOf = protocol.messageOf ?? jsonMessageOf;
  const host = new URL(request.url).host;
  let lastProblem = '';
  let lastStatus: number | undefined;

  for (let attempt = 1; attempt <= opts.maxAttempts; attempt++) {
    let waitSeconds: number | undefined;
    let response: Awaited<ReturnType<FetchLike>> | undefined;
    try {
      response = await doFetch(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS) });
    } catch (e) {
      const inner = e instanceof Error ? (e as Error & { cause?: { code?: unknown; message?: unknown } }).cause : undefined;
      const cause = typeof inner?.code === 'string' ? inner.code : typeof inner?.message === 'string' && inner.message ? inner.message : e instanceof Error ? e.message : String(e);
      lastProblem = `no answer from ${host} (${serverText(String(cause), request.secrets)})`;
      lastStatus = undefined;
    }
    if (response !== undefined) {
      const status = response.status;
      if (status >= 200 && status < 300) {
        await discard(response);
        return { attempts: attempt, status };
      }
      // The message is decoded from its JSON first, so an escaped secret is found as well.
      const message = serverText(messageOf(await readBounded(response).catch(() => '')), request.secrets);
      const answered = `${protocol.service} answered ${status}${message ? `: ${message}` : ''}`;
      lastStatus = status;
      if (status >= 300 && status < 400) {
        const location = response.headers.get('location');
        throw new TriggerError(`${answered} for ${protocol.where}: it moved${location ? ` to ${serverText(location, request.secrets)}` : ''}; the URL is wrong or the project was renamed`, status);
      }
      if (status < 500 && !protocol.retryable.includes(status)) {
        throw new TriggerError(`${answered} (${protocol.where}); ${protocol.hints[status] ?? protocol.refused}`, status);
      }
      lastProblem = answered;
      waitSeconds = retryAfterSeconds(response.headers, now());
    }
    if (attempt === opts.maxAttempts) break;
    const wait = waitSeconds ?? Math.min(2 ** (attempt - 1), 30);
    if (wait > maxWait) {
      throw new TriggerError(`${lastProblem} (${protocol.where}); ${protocol.service} asks to wait ${formatSeconds(wait)}, longer than the ${formatSeconds(maxWait)} allowed (--max-wait); try again later`, lastStatus);
    }
    opts.log(`${lastProblem}; retrying in ${formatSeconds(wait)} (attempt ${attempt + 1} of ${opts.maxAttempts})`);
    await sleep(wait * 1000);
  }
  throw new TriggerError(`${lastProblem} (${protocol.where}); gave up after ${opts.maxAttempts} attempt(s)`, lastStatus);
}
