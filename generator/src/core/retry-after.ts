// Retry-After (RFC 9110 §10.2.3), as GitHub and registries send it with 429 and 503 answers.

/** Seconds to wait from a Retry-After value (seconds or an HTTP date); undefined when there is none or it cannot be read. */
export function retryAfterSeconds(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^[0-9]{1,10}$/.test(text)) return Number(text);
  if (text === '') return undefined;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}
