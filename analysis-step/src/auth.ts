// The bearer-token check: both sides hashed to equal-length digests, compared in constant time, so
// neither the token's length nor its prefix leaks through timing.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** True when `Authorization: Bearer <token>` carries exactly the expected token. */
export function bearerMatches(header: string | undefined, expected: string): boolean {
  if (!expected) return false;
  const m = /^Bearer[ ]+(\S+)[ ]*$/i.exec(header ?? '');
  const given = m ? m[1] : '';
  // Always compare, even for a missing header, so the answer takes the same time.
  const same = timingSafeEqual(digest(given), digest(expected));
  return same && m !== null;
}
