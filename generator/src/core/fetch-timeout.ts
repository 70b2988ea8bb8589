// The one unit for how long a git fetch of a Dockerfile may take: whole seconds, everywhere it is set
// (`generate --fetch-external` and `analyze` flags, `serve` and the chart's
// analysisService.timeouts.fetchSeconds, all through IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS or
// --fetch-timeout). Durations with units (`30s`) were accepted by the service only, and plain
// numbers by the CLI only: the same text meant different things, or failed, depending on where.
import { UserError } from './errors';

export const FETCH_TIMEOUT_ENV = 'IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS';
/** The service's variable before the unit was fixed to seconds; read only to refuse it clearly. */
export const RETIRED_FETCH_TIMEOUT_ENV = 'IMAGE_FACTORY_FETCH_TIMEOUT';
export const DEFAULT_FETCH_TIMEOUT_SECONDS = 60;
export const MAX_FETCH_TIMEOUT_SECONDS = 600;

/** A whole number of seconds from 1 to 600, as milliseconds; `name` is the flag or variable it came from. */
export function parseFetchTimeoutSeconds(text: string, name: string): number {
  const trimmed = text.trim();
  if (!/^\d{1,6}$/.test(trimmed)) {
    throw new UserError({ subject: name, message: `${JSON.stringify(text)} is not a whole number of seconds; write e.g. 60 (no unit)` });
  }
  const seconds = Number(trimmed);
  if (seconds < 1 || seconds > MAX_FETCH_TIMEOUT_SECONDS) {
    throw new UserError({ subject: name, message: `${seconds} is out of range; use 1 to ${MAX_FETCH_TIMEOUT_SECONDS} seconds` });
  }
  return seconds * 1000;
}

/** The timeout in milliseconds: the flag's value, else the environment's, else 60 s. */
export function fetchTimeoutMs(flag: string | undefined, env: NodeJS.ProcessEnv): number {
  if (flag !== undefined) return parseFetchTimeoutSeconds(flag, '--fetch-timeout');
  if (env[RETIRED_FETCH_TIMEOUT_ENV] !== undefined && env[FETCH_TIMEOUT_ENV] === undefined) {
    throw new UserError({ subject: RETIRED_FETCH_TIMEOUT_ENV, message: `is no longer read; set ${FETCH_TIMEOUT_ENV} to a whole number of seconds instead (e.g. 60)` });
  }
  const fromEnv = env[FETCH_TIMEOUT_ENV];
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_FETCH_TIMEOUT_SECONDS * 1000 : parseFetchTimeoutSeconds(fromEnv, FETCH_TIMEOUT_ENV);
}
