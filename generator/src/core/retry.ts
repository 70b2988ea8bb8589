// The one retry loop of every client that asks a server again (the providers' rebuild triggers,
// GitHub's workflow_dispatch among them, and the registry client): an attempt either ends it or
// says what went wrong and how long the server asked to wait. Without a wait named, the loop backs
// off 1, 2, 4 ... 30 s; a wait longer than allowed, or the last attempt, ends it with an error
// naming the last problem. Every retry is logged first, so a slow run says why.

/** An attempt worth another, after `waitSeconds` (undefined: back off); `status` when an answer came. */
export interface Retry {
  problem: string;
  status?: number;
  waitSeconds?: number;
}

export interface RetryBounds {
  /** At least 1: the first try counts. */
  maxAttempts: number;
  /** The longest single wait a server may ask for before the loop gives up instead. */
  maxWaitSeconds: number;
  sleep: (ms: number) => Promise<void>;
  /** Progress lines (retries); never given a secret. */
  log?: (line: string) => void;
}

export interface RetryWording {
  /** Said after the problem in a final error: ` (acme/app workflow build.yml on main)`, or ''. */
  after: string;
  /** Who asks to wait: `GitHub`, `it`. */
  who: string;
  fail(message: string, status?: number): Error;
}

/** A wait as messages show it: `45s`, `2m`, `5m30s`. */
export function formatSeconds(s: number): string {
  if (s < 120) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
}

/** Runs `attempt` until it gives a result (with the attempts it took), or throws `wording.fail(...)`. */
export async function withRetries<T>(attempt: () => Promise<{ result: T } | Retry>, bounds: RetryBounds, wording: RetryWording): Promise<{ result: T; attempts: number }> {
  for (let n = 1; ; n++) {
    const outcome = await attempt();
    if ('result' in outcome) return { result: outcome.result, attempts: n };
    if (n >= bounds.maxAttempts) throw wording.fail(`${outcome.problem}${wording.after}; gave up after ${n} attempt(s)`, outcome.status);
    const wait = outcome.waitSeconds ?? Math.min(2 ** (n - 1), 30);
    if (wait > bounds.maxWaitSeconds) {
      throw wording.fail(
        `${outcome.problem}${wording.after}; ${wording.who} asks to wait ${formatSeconds(wait)}, longer than the ${formatSeconds(bounds.maxWaitSeconds)} allowed (--max-wait); try again later`,
        outcome.status,
      );
    }
    bounds.log?.(`${outcome.problem}; retrying in ${formatSeconds(wait)} (attempt ${n + 1} of ${bounds.maxAttempts})`);
    await bounds.sleep(wait * 1000);
  }
}
