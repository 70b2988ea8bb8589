// Durations as users write them in images.yaml (`7d`, `12h`, `1d12h`, `0`) and as Kargo needs them.
// Kargo's duration fields (requiredSoakTime, Warehouse interval) follow Go's time.ParseDuration with
// only s/m/h units, so days and weeks are folded into hours when handing a value to Kargo.

const UNIT_SECONDS: Readonly<Record<string, number>> = { w: 604800, d: 86400, h: 3600, m: 60, s: 1 };
const UNIT_ORDER = ['w', 'd', 'h', 'm', 's'];

/** Go's time.Duration is int64 nanoseconds; anything longer cannot reach Kargo. */
export const MAX_DURATION_SECONDS = Math.floor(9223372036854775807 / 1e9);

export const DURATION_EXAMPLES = 'use e.g. 7d, 12h, 30m';

/**
 * Seconds in a duration such as `7d`, `12h`, `30m`, `1d12h` or `0` (units w, d, h, m, s; each at most
 * once, largest first). Throws a RangeError whose message says what is wrong.
 */
export function parseDuration(text: string): number {
  if (typeof text !== 'string') throw new RangeError('is not a duration: expected a string');
  if (text === '0') return 0;
  if (text === '') throw new RangeError(`is empty; ${DURATION_EXAMPLES}, or 0`);
  if (!/^([0-9]+[a-zA-Z]*)+$/.test(text)) throw new RangeError(`is not a duration; ${DURATION_EXAMPLES}`);
  const part = /([0-9]+)([a-zA-Z]*)/y;
  let at = 0;
  let total = 0;
  let lastUnit = -1;
  while (at < text.length) {
    part.lastIndex = at;
    const m = part.exec(text);
    if (!m) throw new RangeError(`is not a duration; ${DURATION_EXAMPLES}`);
    const [, digits, unit] = m;
    if (unit === '') throw new RangeError(`has a number without a unit ("${digits}"); add one of w, d, h, m, s`);
    const order = UNIT_ORDER.indexOf(unit);
    if (order < 0) throw new RangeError(`has unknown unit "${unit}"; use w, d, h, m or s (e.g. 7d, 12h, 30m)`);
    if (order <= lastUnit) {
      throw new RangeError(order === lastUnit ? `repeats unit "${unit}"; write each unit once, e.g. 1d12h` : `lists units out of order; write the largest first, e.g. 1d12h`);
    }
    lastUnit = order;
    total += Number(digits) * UNIT_SECONDS[unit];
    if (!Number.isSafeInteger(total) || total > MAX_DURATION_SECONDS) {
      throw new RangeError('is longer than Kargo can represent (about 292 years)');
    }
    at = part.lastIndex;
  }
  return total;
}

export function isDuration(text: unknown): text is string {
  if (typeof text !== 'string') return false;
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}

/** Seconds as a Kargo/Go duration with only h, m and s (`168h`, `1h30m`, `45s`); `''` for zero. */
export function formatKargoDuration(seconds: number): string {
  if (!Number.isSafeInteger(seconds) || seconds < 0) throw new RangeError(`cannot express ${seconds} seconds as a duration`);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}

/** A user duration rewritten for Kargo: `7d` → `168h`, `90m` → `1h30m`, `0` → `''`. */
export function kargoDuration(text: string): string {
  return formatKargoDuration(parseDuration(text));
}
