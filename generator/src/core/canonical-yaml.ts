// Canonical YAML: the one writer for every file the generator and the analysis service emit, and
// the fast reader for files it wrote. Formatting never differs between the CLI and the service.
//
// What it writes (the subset it guarantees):
// - data: plain objects, arrays, strings, finite numbers, booleans and null; anything else throws;
//   undefined members are left out;
// - block style, two-space indent, sequences at their key's indent, `[]`/`{}` for empty
//   collections, LF line ends, a final newline, optional leading `#` comment lines;
// - strings plain when YAML 1.2 reads them back as the same string, else double-quoted JSON
//   (with `forYaml11`, also every string a YAML 1.1 reader such as Helm's could take for a bool,
//   number or date); no folding, no block scalars, no anchors, no tags.
// Against the yaml library's stringify (indent 2, no line width, no aliases, sequences unindented)
// the bytes are identical except in two places where this writer is stricter: a string holding a
// line break is double-quoted (the library picks a block scalar), and a string starting `---` is
// double-quoted (the library writes it plain; moved to a line's start it would be a document
// marker). Both read back the same.
// test/canonical-yaml.test.ts holds it to that, and to reading back as exactly the data written.
//
// Why not the library: this is `generate`'s hot path (10,000 images write 10,000 files), and a
// writer for this subset is about 10x faster per file. The reader (readCanonicalYaml) takes only
// what the writer writes and answers undefined for anything else, so the caller falls back to the
// full, positioned parser (yaml-source.ts). readCanonicalYaml keeps an answer only when writing it
// again gives the same text; readExactCanonicalYaml checks every token as it reads instead, which
// is the same condition without the second rendering (test/canonical-yaml.test.ts fuzzes both).
import { MAX_YAML_DEPTH } from './yaml-source';

/** Recursively sorts object keys; for data whose key order carries no meaning (maps from outside). */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      out[k] = sortedKeys((value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}

/** A YAML 1.2 core-schema plain scalar that reads as something other than a string (null, a boolean, a number). */
export const NOT_A_STRING =
  /^(?:~|null|Null|NULL|true|True|TRUE|false|False|FALSE|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/;
// Characters that may not start a plain scalar, and sequences that may not appear in one.
const BAD_FIRST = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const BAD_INSIDE = /: |:$| #|[\n\r\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029\ufeff]|\s$/;

function scalar(text: string): string {
  if (text === '') return '""';
  const plain = !BAD_FIRST.test(text) && !BAD_INSIDE.test(text) && !NOT_A_STRING.test(text);
  if (plain) return text;
  // A `-`, `?` or `:` followed by a safe character is a valid plain start too, as the library writes.
  if (/^[-?:][^\s]/.test(text) && !BAD_INSIDE.test(text) && !NOT_A_STRING.test(text) && !/^(?:---|\.\.\.)/.test(text)) return text;
  return JSON.stringify(text);
}

// Helm (and kubectl, Argo CD) read values with a YAML 1.1 resolver, which also reads yes/no/on/off,
// y/n, 0b101, 1_000, 12:30 (base 60) and dates as non-strings. Files Helm reads quote, besides what
// YAML 1.2 needs, every scalar that could be one of those: a superset, since extra quotes cost nothing.
const YAML11_WORD = /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|<<|=)$/;
const YAML11_NUMBERISH =
  /^(?:[-+]?(?:0b[01_]+|0x[0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])*(?:\.[0-9_.]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9_.]+(?:[eE][-+]?[0-9]+)?|\.(?:inf|Inf|INF))|\.(?:nan|NaN|NAN)|\d{4}-\d{1,2}-\d{1,2}(?:[Tt\s].*)?)$/;

function scalarForYaml11(text: string): string {
  return YAML11_WORD.test(text) || YAML11_NUMBERISH.test(text) ? JSON.stringify(text) : scalar(text);
}

// Undefined members are left out, so optional fields are absent rather than `null`.
function isEmptyCollection(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  if (v === null || typeof v !== 'object') return false;
  for (const key of Object.keys(v)) if ((v as Record<string, unknown>)[key] !== undefined) return false;
  return true;
}

const isBlock = (v: unknown): boolean => v !== null && typeof v === 'object' && !isEmptyCollection(v);

const OVER_BUDGET = new Error('over budget');

/**
 * The text written so far, in pieces; `left` is how many more characters may be, so a value that
 * would render huge stops early.
 */
class Writer {
  readonly parts: string[] = [];

  constructor(
    public left: number,
    readonly quote: (text: string) => string,
  ) {}

  line(text: string): void {
    this.left -= text.length;
    if (this.left < 0) throw OVER_BUDGET;
    this.parts.push(text);
  }
}

function atom(v: unknown, quote: (text: string) => string): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new TypeError(`cannot write ${v} to YAML`);
    return String(v);
  }
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  if (Array.isArray(v)) return '[]';
  if (typeof v === 'object') return '{}';
  throw new TypeError(`cannot write a ${typeof v} to YAML`);
}

/**
 * Writes a block collection whose lines are indented by `indent`, except the first, which starts
 * with `first`: a block item of a list shares its `- ` line (`first` is then the dash, as long as
 * the two spaces it replaces).
 */
function emit(value: object, indent: string, w: Writer, first: string): void {
  let lead = first;
  if (Array.isArray(value)) {
    for (const item of value) {
      if (!isBlock(item)) w.line(`${lead}- ${atom(item, w.quote)}\n`);
      else emit(item as object, `${indent}  `, w, `${lead}- `);
      lead = indent;
    }
    return;
  }
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (v === undefined) continue;
    const k = w.quote(key);
    if (!isBlock(v)) w.line(`${lead}${k}: ${atom(v, w.quote)}\n`);
    else {
      w.line(`${lead}${k}:\n`);
      const inner = Array.isArray(v) ? indent : `${indent}  `;
      emit(v as object, inner, w, inner);
    }
    lead = indent;
  }
}

/**
 * How deeply collections nest in `value` (a scalar or an empty collection is 0, `{a: 1}` is 1),
 * counted without recursion, so any value can be measured before it is written.
 */
export function nestingDepth(value: unknown): number {
  let deepest = 0;
  const stack: Array<{ value: unknown; depth: number }> = [{ value, depth: 0 }];
  while (stack.length > 0) {
    const { value: v, depth } = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const children = Array.isArray(v) ? v : Object.values(v as Record<string, unknown>);
    if (children.length === 0) continue;
    deepest = Math.max(deepest, depth + 1);
    for (const child of children) stack.push({ value: child, depth: depth + 1 });
  }
  return deepest;
}

export interface RenderOptions {
  /** For files Helm reads (dist/values.yaml), so a string such as `no` or `1_000` reaches the chart as the same string. */
  forYaml11?: boolean;
}

/**
 * `quote` answering repeated strings from memory: a values file (the one written for Helm's YAML 1.1)
 * spells the same registries, tags and delays thousands of times, and each answer costs several
 * regular expressions.
 */
function remembered(quote: (text: string) => string): (text: string) => string {
  const known = new Map<string, string>();
  return (text) => {
    let quoted = known.get(text);
    if (quoted === undefined) {
      quoted = quote(text);
      known.set(text, quoted);
    }
    return quoted;
  };
}

/** The generator's YAML text for `value`. */
export function renderYaml(value: unknown, headerComment?: string, options: RenderOptions = {}): string {
  return renderYamlWithin(value, Infinity, headerComment, options)!;
}

/** renderYaml's text when it is at most `maxChars` characters long; undefined (found early) when longer. */
export function renderYamlWithin(value: unknown, maxChars: number, headerComment?: string, options: RenderOptions = {}): string | undefined {
  const header = headerLines(headerComment);
  const w = new Writer(maxChars - header.length, options.forYaml11 ? remembered(scalarForYaml11) : scalar);
  w.parts.push(header);
  try {
    if (!isBlock(value)) w.line(`${atom(value, w.quote)}\n`);
    else emit(value as object, '', w, '');
  } catch (e) {
    if (e === OVER_BUDGET) return undefined;
    throw e;
  }
  return w.parts.join('');
}

// Reading back what renderYaml wrote, fast. State files are read on every `generate` run (10,000
// of them in a large state repo), and the yaml library's position-keeping parse dominated that
// run. This reader understands only renderYaml's own layout; it returns undefined for anything
// else, and its answer is kept only when it is exactly what renderYaml writes (checked token by
// token, or by writing it again), so a file that is not exactly canonical always goes through the
// full parser, with its positioned errors.

const NUMBER = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;
/** A double-quoted key at the start of a line's text (never past the line's end). */
const QUOTED_KEY = /"(?:[^"\\\n]|\\.)*"/y;

function atomOf(text: string): unknown {
  if (text.startsWith('"')) return JSON.parse(text);
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text === 'null') return null;
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (NUMBER.test(text)) return Number(text);
  return text;
}

/** An array index as a key: a JavaScript object keeps these first, in ascending order, whatever order they were set in. */
const indexKey = (key: string): boolean => /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;

/**
 * Reads renderYaml's layout line by line with a cursor over the text: no array of lines, no
 * object per line or per key (10,000 state files are read on every run, and those allocations
 * were most of the reading time, in the garbage collector).
 */
class CanonicalReader {
  /** Where the current line's text starts (after its indent); -1 past the last line. */
  private pos = -1;
  /** The current line's indent; two more than its spaces once a sequence item's dash is read as indentation. */
  private indent = 0;
  /** Where the current line ends (its `\n`). */
  private end = 0;
  private depth = 0;
  // The key splitKey found on the current line: its value, where its text ends, where the rest starts (-1: none).
  private key = '';
  private keyEnd = 0;
  private restAt = -1;

  constructor(
    /** LF-terminated lines, no `\r`. */
    private readonly body: string,
    /** Deeper files go to the full parser, which refuses them with a position. */
    private readonly maxDepth: number,
    /**
     * Refuse, token by token, anything renderYaml would have written otherwise (a scalar quoted
     * or spelled differently, a sequence indented under its key, a key twice or one an object
     * reorders): what this reads is then exactly renderYaml's text, without rendering it again.
     */
    private readonly exact: boolean,
  ) {
    this.load(0);
  }

  private load(start: number): void {
    if (start >= this.body.length) {
      this.pos = -1;
      return;
    }
    let at = start;
    while (this.body.charCodeAt(at) === 32) at++;
    this.end = this.body.indexOf('\n', start);
    if (at === this.end) throw new SyntaxError('blank line');
    this.pos = at;
    this.indent = at - start;
  }

  private next(): void {
    this.load(this.end + 1);
  }

  private at(indent: number): boolean {
    return this.pos >= 0 && this.indent === indent;
  }

  private dashAt(pos: number): boolean {
    return this.body.charCodeAt(pos) === 45 && this.body.charCodeAt(pos + 1) === 32;
  }

  /** Finds `key: rest` / `key:` from `pos` to the line's end into key/keyEnd/restAt; false for a lone scalar. */
  private splitKey(pos: number): boolean {
    const { body, end } = this;
    let keyEnd: number;
    if (body.charCodeAt(pos) === 34) {
      QUOTED_KEY.lastIndex = pos;
      const m = QUOTED_KEY.exec(body);
      if (!m) throw new SyntaxError('unterminated string');
      keyEnd = pos + m[0].length;
      if (body.charCodeAt(keyEnd) !== 58 || keyEnd >= end) return false;
      this.key = JSON.parse(m[0]) as string;
    } else {
      const sep = body.indexOf(': ', pos);
      keyEnd = sep >= 0 && sep < end ? sep : body.charCodeAt(end - 1) === 58 ? end - 1 : -1;
      if (keyEnd < 0) return false;
      this.key = body.slice(pos, keyEnd);
    }
    this.keyEnd = keyEnd;
    if (keyEnd + 1 === end) this.restAt = -1;
    else if (body.charCodeAt(keyEnd + 1) !== 32) throw new SyntaxError('expected a space after the key');
    else this.restAt = keyEnd + 2;
    return true;
  }

  private scalarOf(from: number): unknown {
    const text = this.body.slice(from, this.end);
    const value = atomOf(text);
    if (this.exact && atom(value, scalar) !== text) throw new SyntaxError('not written this way');
    return value;
  }

  read(): unknown {
    if (this.pos < 0 || this.indent !== 0) throw new SyntaxError('bad indent');
    const value = this.block(0);
    if (this.pos >= 0) throw new SyntaxError('text after the data');
    return value;
  }

  private block(indent: number): unknown {
    if (!this.at(indent)) throw new SyntaxError('bad indent');
    if (++this.depth > this.maxDepth) throw new SyntaxError('too deep');
    const value = this.dashAt(this.pos) ? this.sequence(indent) : this.mapping(indent);
    this.depth--;
    return value;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // For `exact`: the keys must come in the order the object will list them.
    let lastIndex = -1;
    let named = false;
    while (this.at(indent) && !this.dashAt(this.pos)) {
      if (!this.splitKey(this.pos)) throw new SyntaxError('expected a key');
      const { key, restAt } = this;
      if (this.exact) {
        if (scalar(key) !== this.body.slice(this.pos, this.keyEnd) || key === '__proto__' || Object.hasOwn(out, key)) throw new SyntaxError('not written this way');
        if (!indexKey(key)) named = true;
        else if (named || Number(key) <= lastIndex) throw new SyntaxError('not in the order an object keeps');
        else lastIndex = Number(key);
      }
      if (restAt >= 0) {
        out[key] = this.scalarOf(restAt);
        this.next();
        continue;
      }
      this.next();
      if (this.pos < 0) throw new SyntaxError('missing block');
      const nested = this.indent === indent && this.dashAt(this.pos);
      const value = nested ? this.nestedSequence(indent) : this.block(indent + 2);
      if (this.exact && !nested && Array.isArray(value)) throw new SyntaxError('not written this way');
      out[key] = value;
    }
    return out;
  }

  /** A sequence written at its key's indent is still one level deeper. */
  private nestedSequence(indent: number): unknown[] {
    if (++this.depth > this.maxDepth) throw new SyntaxError('too deep');
    const value = this.sequence(indent);
    this.depth--;
    return value;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    while (this.at(indent) && this.dashAt(this.pos)) {
      const rest = this.pos + 2;
      if (this.dashAt(rest) || this.splitKey(rest)) {
        // A block item starts on the dash line: read it as if the dash were indentation.
        this.pos = rest;
        this.indent = indent + 2;
        out.push(this.block(indent + 2));
      } else {
        out.push(this.scalarOf(rest));
        this.next();
      }
    }
    return out;
  }
}

/** The `#` lines renderYaml puts before the data for `headerComment`. */
function headerLines(headerComment: string | undefined): string {
  return headerComment ? `${headerComment.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n` : '';
}

/** The data `body` (no comment lines) holds in renderYaml's layout, unchecked; undefined when it is not in that layout. */
function readLayout(body: string, maxDepth: number, exact = false): { value: unknown } | undefined {
  if (!body.endsWith('\n') || body.includes('\r')) return undefined;
  try {
    return { value: new CanonicalReader(body, maxDepth, exact).read() };
  } catch {
    return undefined;
  }
}

/**
 * The data of a file renderYaml wrote (leading `#` comment lines allowed), nested at most `maxDepth`
 * levels; undefined otherwise.
 */
export function readCanonicalYaml(text: string, maxDepth = MAX_YAML_DEPTH): unknown {
  let body = text;
  while (body.startsWith('#')) {
    const nl = body.indexOf('\n');
    if (nl < 0) return undefined;
    body = body.slice(nl + 1);
  }
  const read = readLayout(body, maxDepth);
  if (!read) return undefined;
  return renderYaml(read.value) === body || renderYaml(read.value, undefined, { forYaml11: true }) === body ? read.value : undefined;
}

/**
 * The data of `text` when `text` is exactly what renderYaml(data, headerComment) writes, byte for
 * byte; undefined otherwise. A caller about to write the same data again can keep the text it read.
 */
export function readExactCanonicalYaml(text: string, headerComment: string | undefined, maxDepth = MAX_YAML_DEPTH): unknown {
  const header = headerLines(headerComment);
  if (!text.startsWith(header)) return undefined;
  const body = text.slice(header.length);
  if (body.startsWith('#')) return undefined;
  // Read exactly: every token as renderYaml writes it, so the whole text is (test/canonical-yaml.test.ts).
  return readLayout(body, maxDepth, true)?.value;
}
