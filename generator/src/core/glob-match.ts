// Shell patterns for `${VAR#pat}`, `${VAR%pat}` (and `##`, `%%`) and `${VAR/pat/repl}` (and `//`),
// matched without a backtracking regex. A pattern is literal text split by `*` into segments, `?`
// matching any one UTF-16 unit; everything else, `[` included, is literal. The shape makes greedy
// placement exact: the segments between the first and the last go leftmost (or rightmost) first,
// and only the end segment's occurrence is searched for.
//
// Literal segments are found with Knuth-Morris-Pratt, in time linear in the text searched; segments
// holding `?` are compared position by position. Every unit of scanning is charged through
// `charge`, so the caller can bound the work of a whole Dockerfile (a value of a megabyte matched
// against a long segment many times is otherwise quadratic).

/** Called with the units of work about to be spent; throws to stop. */
export type Charge = (units: number) => void;

interface Segment {
  text: string;
  /** Holds `?`: compared unit by unit instead of searched with KMP. */
  wild: boolean;
  forward?: Int32Array;
  backward?: Int32Array;
}

function failureTable(p: string): Int32Array {
  const table = new Int32Array(p.length + 1);
  table[0] = -1;
  let k = -1;
  for (let i = 0; i < p.length; i++) {
    while (k >= 0 && p[k] !== p[i]) k = table[k];
    k++;
    table[i + 1] = k;
  }
  return table;
}

const reversed = (s: string): string => {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += s[i];
  return out;
};

function segmentsOf(pattern: string): Segment[] {
  return pattern.split('*').map((text) => ({ text, wild: text.includes('?') }));
}

class Matcher {
  constructor(
    private readonly value: string,
    private readonly charge: Charge,
  ) {}

  /** Whether `segment` matches value[at, at + length). */
  matchesAt(segment: Segment, at: number): boolean {
    const p = segment.text;
    if (at < 0 || at + p.length > this.value.length) return false;
    this.charge(p.length);
    for (let i = 0; i < p.length; i++) if (p[i] !== '?' && p[i] !== this.value[at + i]) return false;
    return true;
  }

  /** The leftmost start s >= from with the segment inside value[from, limit); -1 when none. */
  first(segment: Segment, from: number, limit: number): number {
    const p = segment.text;
    const m = p.length;
    if (from + m > limit) return -1;
    if (m === 0) return from;
    if (segment.wild) {
      for (let s = from; s + m <= limit; s++) if (this.matchesAt(segment, s)) return s;
      return -1;
    }
    const table = (segment.forward ??= failureTable(p));
    this.charge(limit - from + m);
    const v = this.value;
    let k = 0;
    for (let i = from; i < limit; i++) {
      while (k >= 0 && p[k] !== v[i]) k = table[k];
      k++;
      if (k === m) return i - m + 1;
    }
    return -1;
  }

  /** The rightmost start s >= min with the segment inside value[min, limit); -1 when none. */
  last(segment: Segment, min: number, limit: number): number {
    const p = segment.text;
    const m = p.length;
    if (min + m > limit) return -1;
    if (m === 0) return limit;
    if (segment.wild) {
      for (let s = limit - m; s >= min; s--) if (this.matchesAt(segment, s)) return s;
      return -1;
    }
    // KMP over the text read backwards, with the segment reversed.
    const table = (segment.backward ??= failureTable(reversed(p)));
    this.charge(limit - min + m);
    const v = this.value;
    let k = 0;
    for (let i = limit - 1; i >= min; i--) {
      while (k >= 0 && p[m - 1 - k] !== v[i]) k = table[k];
      k++;
      if (k === m) return i;
    }
    return -1;
  }

  /** Places segments[1 .. count-2] leftmost from `at`; the offset after the last placed, or -1. */
  placeMiddleForward(segments: Segment[], at: number): number {
    let pos = at;
    for (let i = 1; i < segments.length - 1; i++) {
      const s = this.first(segments[i], pos, this.value.length);
      if (s < 0) return -1;
      pos = s + segments[i].text.length;
    }
    return pos;
  }

  /** Places segments[count-2 .. 1] rightmost before `end`; the start of the first placed, or -1. */
  placeMiddleBackward(segments: Segment[], end: number): number {
    let limit = end;
    for (let i = segments.length - 2; i >= 1; i--) {
      const s = this.last(segments[i], 0, limit);
      if (s < 0) return -1;
      limit = s;
    }
    return limit;
  }
}

/**
 * `${V#pat}` (shortest) and `${V##pat}` (longest): the value without the prefix that the pattern
 * matches whole; the value unchanged when no prefix matches.
 */
export function trimPrefix(value: string, pattern: string, longest: boolean, charge: Charge): string {
  const segments = segmentsOf(pattern);
  const matcher = new Matcher(value, charge);
  const head = segments[0];
  if (!matcher.matchesAt(head, 0)) return value;
  if (segments.length === 1) return value.slice(head.text.length);
  const pos = matcher.placeMiddleForward(segments, head.text.length);
  if (pos < 0) return value;
  const tail = segments[segments.length - 1];
  const s = longest ? matcher.last(tail, pos, value.length) : matcher.first(tail, pos, value.length);
  return s < 0 ? value : value.slice(s + tail.text.length);
}

/**
 * `${V%pat}` (shortest) and `${V%%pat}` (longest): the value without the suffix that the pattern
 * matches whole; the value unchanged when no suffix matches.
 */
export function trimSuffix(value: string, pattern: string, longest: boolean, charge: Charge): string {
  const segments = segmentsOf(pattern);
  const matcher = new Matcher(value, charge);
  const tail = segments[segments.length - 1];
  const tailStart = value.length - tail.text.length;
  if (!matcher.matchesAt(tail, tailStart)) return value;
  if (segments.length === 1) return value.slice(0, tailStart);
  const end = matcher.placeMiddleBackward(segments, tailStart);
  if (end < 0) return value;
  const head = segments[0];
  const s = longest ? matcher.first(head, 0, end) : matcher.last(head, 0, end);
  return s < 0 ? value : value.slice(0, s);
}

/**
 * `${V/pat/repl}` and `${V//pat/repl}`: the leftmost match, longest at its start, replaced (every
 * such match, left to right, with `all`), as JavaScript's replace would with the pattern as a
 * regex: an empty match, which only an all-`*` pattern has, moves the search on by one unit.
 */
export function replaceMatches(value: string, pattern: string, replacement: string, all: boolean, charge: Charge): string {
  if (pattern === '') return value;
  const segments = segmentsOf(pattern);
  const matcher = new Matcher(value, charge);
  const n = value.length;
  const head = segments[0];
  const tail = segments[segments.length - 1];
  const matchFrom = (from: number): [number, number] | undefined => {
    const start = matcher.first(head, from, n);
    if (start < 0) return undefined;
    if (segments.length === 1) return [start, start + head.text.length];
    const pos = matcher.placeMiddleForward(segments, start + head.text.length);
    if (pos < 0) return undefined;
    const s = matcher.last(tail, pos, n);
    return s < 0 ? undefined : [start, s + tail.text.length];
  };
  const pieces: string[] = [];
  let copied = 0;
  let from = 0;
  while (from <= n) {
    const match = matchFrom(from);
    if (!match) break;
    const [start, end] = match;
    charge(replacement.length + start - copied);
    pieces.push(value.slice(copied, start), replacement);
    copied = end;
    from = end === start ? end + 1 : end;
    if (!all) break;
  }
  pieces.push(value.slice(copied));
  return pieces.join('');
}
