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
// full, positioned parser (yaml-source.ts); values that survive it are checked by the round trip.
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

/** The generator's YAML text for `value`. */
export function renderYaml(value: unknown, headerComment?: string, options: RenderOptions = {}): string {
  return renderYamlWithin(value, Infinity, headerComment, options)!;
}

/** renderYaml's text when it is at most `maxChars` characters long; undefined (found early) when longer. */
export function renderYamlWithin(value: unknown, maxChars: number, headerComment?: string, options: RenderOptions = {}): string | undefined {
  const header = headerLines(headerComment);
  const w = new Writer(maxChars - header.length, options.forYaml11 ? scalarForYaml11 : scalar);
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
// else, and its answer is kept only when writing it again gives the very same text, so a file
// that is not exactly canonical always goes through the full parser, with its positioned errors.

interface Line {
  indent: number;
  text: string;
}

const NUMBER = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

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

/** Splits `key: rest` / `key:`; undefined when the text is a lone scalar. */
function splitKey(text: string): { key: string; keyText: string; rest: string | undefined } | undefined {
  let keyEnd: number;
  let key: string;
  if (text.startsWith('"')) {
    const m = /^"(?:[^"\\]|\\.)*"/.exec(text);
    if (!m) throw new SyntaxError('unterminated string');
    keyEnd = m[0].length;
    if (text[keyEnd] !== ':') return undefined;
    key = JSON.parse(m[0]) as string;
  } else {
    const sep = text.indexOf(': ');
    keyEnd = sep >= 0 ? sep : text.endsWith(':') ? text.length - 1 : -1;
    if (keyEnd < 0) return undefined;
    key = text.slice(0, keyEnd);
  }
  const keyText = text.slice(0, keyEnd);
  const after = text.slice(keyEnd + 1);
  if (after === '') return { key, keyText, rest: undefined };
  if (!after.startsWith(' ')) throw new SyntaxError('expected a space after the key');
  return { key, keyText, rest: after.slice(1) };
}

/** An array index as a key: a JavaScript object keeps these first, in ascending order, whatever order they were set in. */
const indexKey = (key: string): boolean => /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;

class CanonicalReader {
  private i = 0;
  private depth = 0;
  constructor(
    private readonly lines: Line[],
    /** Deeper files go to the full parser, which refuses them with a position. */
    private readonly maxDepth: number,
    /**
     * Refuse, token by token, anything renderYaml would have written otherwise (a scalar quoted
     * or spelled differently, a sequence indented under its key, a key twice or one an object
     * reorders): what this reads is then exactly renderYaml's text, without rendering it again.
     */
    private readonly exact: boolean,
  ) {}

  private scalarOf(text: string): unknown {
    const value = atomOf(text);
    if (this.exact && atom(value, scalar) !== text) throw new SyntaxError('not written this way');
    return value;
  }

  block(indent: number): unknown {
    const first = this.lines[this.i];
    if (!first || first.indent !== indent) throw new SyntaxError('bad indent');
    if (++this.depth > this.maxDepth) throw new SyntaxError('too deep');
    const value = first.text.startsWith('- ') ? this.sequence(indent) : this.mapping(indent);
    this.depth--;
    return value;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    // For `exact`: the keys must come in the order the object will list them.
    let lastIndex = -1;
    let named = false;
    while (this.i < this.lines.length && this.lines[this.i].indent === indent && !this.lines[this.i].text.startsWith('- ')) {
      const parts = splitKey(this.lines[this.i].text);
      if (!parts) throw new SyntaxError('expected a key');
      if (this.exact) {
        if (scalar(parts.key) !== parts.keyText || parts.key === '__proto__' || Object.hasOwn(out, parts.key)) throw new SyntaxError('not written this way');
        if (!indexKey(parts.key)) named = true;
        else if (named || Number(parts.key) <= lastIndex) throw new SyntaxError('not in the order an object keeps');
        else lastIndex = Number(parts.key);
      }
      this.i++;
      if (parts.rest !== undefined) out[parts.key] = this.scalarOf(parts.rest);
      else {
        const next = this.lines[this.i];
        if (!next) throw new SyntaxError('missing block');
        const nested = next.indent === indent && next.text.startsWith('- ');
        const value = nested ? this.nestedSequence(indent) : this.block(indent + 2);
        if (this.exact && !nested && Array.isArray(value)) throw new SyntaxError('not written this way');
        out[parts.key] = value;
      }
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
    while (this.i < this.lines.length && this.lines[this.i].indent === indent && this.lines[this.i].text.startsWith('- ')) {
      const rest = this.lines[this.i].text.slice(2);
      if (rest.startsWith('- ') || splitKey(rest) !== undefined) {
        // A block item starts on the dash line: read it as if the dash were indentation.
        this.lines[this.i] = { indent: indent + 2, text: rest };
        out.push(this.block(indent + 2));
      } else {
        out.push(this.scalarOf(rest));
        this.i++;
      }
    }
    return out;
  }

  get done(): boolean {
    return this.i === this.lines.length;
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
    const lines = body
      .slice(0, -1)
      .split('\n')
      .map((l) => {
        let indent = 0;
        while (l.charCodeAt(indent) === 32) indent++;
        return { indent, text: l.slice(indent) };
      });
    if (lines.some((l) => l.text === '')) return undefined;
    const reader = new CanonicalReader(lines, maxDepth, exact);
    const value = reader.block(0);
    return reader.done ? { value } : undefined;
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
