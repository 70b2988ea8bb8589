// A fast reader for the plain block YAML people write by hand (images.yaml at 10,000 images is
// about 70,000 lines, and the yaml library's positioned parse of it took 2-3 s). It reads the value
// and where each node starts, and nothing else: it never reports an error. Anything outside the
// small subset below makes it answer undefined, and the caller falls back to the full, positioned
// parser (yaml-source.ts), which reads the file as before and reports every problem in its words.
//
// The subset, where this reader and the yaml library (YAML 1.2, core schema) agree by construction:
// - LF line ends, spaces only (no tab anywhere), no directives, no `---`/`...` markers;
// - block mappings and block sequences; a sequence item is a scalar or a compact mapping (`- a: b`);
// - keys plain, made of letters, digits and `_.-/`, never a word the core schema reads as a
//   non-string (`true`, `1.0`, `null`), never `__proto__`; each key once per mapping;
// - values on their key's line: single-quoted, double-quoted with only the `\"` `\\` `\n` `\t`
//   escapes, or plain; a plain value resolves only when it is plainly a string, `true`, `false`,
//   `null`, `~` or a decimal integer, else (`1.0`, `0x1f`, `.inf`, `True`) the reader refuses;
// - `#` comments on their own line or after a value; no anchors, aliases, tags, flow collections,
//   block scalars or values that continue on the next line.
// test/block-yaml.test.ts holds it to the yaml library over every example and fixture.
import { NOT_A_STRING } from './canonical-yaml';
import type { SourcePosition } from './types';
import type { PathSegment } from './yaml-source';

interface Line {
  /** 1-based line number. */
  number: number;
  indent: number;
  /** The line after its indent; never empty, never a comment. */
  text: string;
}

/**
 * Where the children of a collection are, in their order, four numbers each: the line and column of
 * the key (0, 0 in a sequence) and of the value. Packed, since a 10,000-image file has 80,000 of them.
 */
type ChildPositions = number[];

export interface BlockYaml {
  value: unknown;
  /** As YamlSource.positionOf: the deepest existing node of `path`; an empty value points at its key. */
  positionOf(path: readonly PathSegment[], part?: 'key' | 'value'): SourcePosition;
}

/** Thrown inside the reader for anything outside the subset; the caller answers undefined. */
class OutsideSubset extends Error {}

const outside = (): never => {
  throw new OutsideSubset();
};

const KEY_LINE = /^([A-Za-z0-9_][A-Za-z0-9_./-]*):(?: +|$)/;
// Characters that may not start a plain scalar here (YAML indicators), and characters refused anywhere.
const INDICATOR_FIRST = /^[-?:,[\]{}#&*!|>'"%@`]/;
const UNPRINTABLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff\ud800-\udfff]/;
const SAFE_ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', n: '\n', t: '\t' };

/** The text after a closed quoted scalar may only be spaces and a comment. */
function assertOnlyCommentAfter(rest: string): void {
  if (rest !== '' && !/^ +(#.*)?$/.test(rest)) outside();
}

function doubleQuoted(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      assertOnlyCommentAfter(text.slice(i + 1));
      return out;
    }
    if (c === '\\') {
      const escaped = SAFE_ESCAPES[text[i + 1]];
      if (escaped === undefined) outside();
      out += escaped;
      i++;
    } else out += c;
  }
  return outside();
}

function singleQuoted(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== "'") out += text[i];
    else if (text[i + 1] === "'") {
      out += "'";
      i++;
    } else {
      assertOnlyCommentAfter(text.slice(i + 1));
      return out;
    }
  }
  return outside();
}

// Spaces only: JavaScript's trim also drops characters YAML keeps (a no-break space, U+00A0).
const withoutTrailingSpaces = (text: string): string => text.replace(/ +$/, '');

function plain(text: string): unknown {
  if (INDICATOR_FIRST.test(text)) outside();
  const comment = text.indexOf(' #');
  const scalar = withoutTrailingSpaces(comment >= 0 ? text.slice(0, comment) : text);
  if (scalar.includes(': ') || scalar.endsWith(':')) outside();
  if (!NOT_A_STRING.test(scalar)) return scalar;
  if (scalar === 'true' || scalar === 'false') return scalar === 'true';
  if (scalar === 'null' || scalar === '~') return null;
  if (/^(?:0|[1-9][0-9]{0,14})$/.test(scalar)) return Number(scalar);
  return outside();
}

/** The scalar a value's text holds (to the end of its line), or OutsideSubset. */
function scalarOf(text: string): unknown {
  if (text.startsWith('"')) return doubleQuoted(text);
  if (text.startsWith("'")) return singleQuoted(text);
  return plain(text);
}

class BlockReader {
  private i = 0;
  private depth = 0;
  /** Positions of each collection's children, and of the root. */
  readonly children = new Map<object, ChildPositions>();
  rootPosition: SourcePosition = { line: 1, col: 1 };

  constructor(
    private readonly lines: Line[],
    private readonly maxDepth: number,
  ) {}

  read(): unknown {
    const first = this.lines[0];
    if (!first || first.indent !== 0) outside();
    this.rootPosition = { line: first.number, col: 1 };
    const value = this.block(0);
    if (this.i !== this.lines.length) outside();
    return value;
  }

  private enter(): void {
    if (++this.depth > this.maxDepth) outside();
  }

  private block(indent: number): unknown {
    this.enter();
    const value = this.lines[this.i].text.startsWith('- ') ? this.sequence(indent) : this.mapping(indent);
    this.depth--;
    return value;
  }

  private sequence(indent: number): unknown[] {
    const out: unknown[] = [];
    const positions: ChildPositions = [];
    this.children.set(out, positions);
    // A line at this indent that is no item ends the list: the next key of a mapping whose list
    // sits at the key's indent (`images:` then `- name: ...`); anywhere else the caller refuses it.
    while (this.i < this.lines.length && this.lines[this.i].indent === indent && this.lines[this.i].text.startsWith('- ')) {
      const line = this.lines[this.i];
      const rest = line.text.slice(2).replace(/^ +/, '');
      const col = indent + (line.text.length - rest.length);
      if (rest === '' || rest.startsWith('#') || rest.startsWith('- ')) outside();
      positions.push(0, 0, line.number, col + 1);
      if (KEY_LINE.test(rest)) {
        // A compact mapping: read its first line as if the dash were indentation.
        this.lines[this.i] = { number: line.number, indent: col, text: rest };
        this.enter();
        out.push(this.mapping(col));
        this.depth--;
      } else {
        out.push(scalarOf(rest));
        this.i++;
      }
      if (this.i < this.lines.length && this.lines[this.i].indent > indent) outside();
    }
    return out;
  }

  private mapping(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const positions: ChildPositions = [];
    this.children.set(out, positions);
    while (this.i < this.lines.length && this.lines[this.i].indent === indent) {
      const line = this.lines[this.i];
      const match = KEY_LINE.exec(line.text);
      if (!match) return outside();
      const key = match[1];
      if (NOT_A_STRING.test(key) || key === '__proto__' || key.length > 1024 || Object.hasOwn(out, key)) outside();
      const rest = line.text.slice(match[0].length);
      this.i++;
      if (rest !== '' && !rest.startsWith('#')) {
        out[key] = scalarOf(rest);
        positions.push(line.number, indent + 1, line.number, indent + match[0].length + 1);
      } else {
        const next = this.lines[this.i];
        const nested = next && (next.indent > indent || (next.indent === indent && next.text.startsWith('- ')));
        out[key] = nested ? this.block(next.indent) : null;
        // An empty value has no node of its own: its key is the place, as in YamlSource.
        positions.push(line.number, indent + 1, nested ? next.number : line.number, nested ? next.indent + 1 : indent + 1);
      }
      if (this.i < this.lines.length && this.lines[this.i].indent > indent) outside();
    }
    return out;
  }
}

/** The place of `segment` among a collection's children, or -1. */
function childIndex(node: object, segment: PathSegment): number {
  if (!Array.isArray(node)) return Object.keys(node).indexOf(String(segment));
  const index = typeof segment === 'number' ? segment : /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
  return index < node.length ? index : -1;
}

/** The lines that hold data, each cut once from the text: no blank or comment line, no trailing spaces. */
function linesOf(text: string): Line[] {
  const lines: Line[] = [];
  let number = 0;
  for (let start = 0; start <= text.length; ) {
    number++;
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    let first = start;
    while (text.charCodeAt(first) === 32) first++;
    if (first < end && text.charCodeAt(first) !== 35 /* # */) {
      let last = end;
      while (text.charCodeAt(last - 1) === 32) last--;
      lines.push({ number, indent: first - start, text: text.slice(first, last) });
    }
    start = end + 1;
  }
  return lines;
}

/**
 * The value of `text` and its positions when the text is in the subset above (and nests at most
 * `maxDepth` collections deep); undefined otherwise, and for an empty file or a lone scalar.
 */
export function readBlockYaml(text: string, maxDepth: number): BlockYaml | undefined {
  if (text.includes('\t') || text.includes('\r') || UNPRINTABLE.test(text)) return undefined;
  const reader = new BlockReader(linesOf(text), maxDepth);
  let value: unknown;
  try {
    value = reader.read();
  } catch (e) {
    if (e instanceof OutsideSubset) return undefined;
    throw e;
  }
  return {
    value,
    positionOf(path, part = 'value') {
      let node: unknown = value;
      let at = reader.rootPosition;
      for (let k = 0; k < path.length; k++) {
        const positions = node !== null && typeof node === 'object' ? reader.children.get(node) : undefined;
        const index = positions ? childIndex(node as object, path[k]) : -1;
        if (!positions || index < 0) break;
        const [keyLine, keyCol, line, col] = positions.slice(4 * index, 4 * index + 4);
        at = part === 'key' && k === path.length - 1 && keyLine > 0 ? { line: keyLine, col: keyCol } : { line, col };
        node = (node as Record<string, unknown>)[String(path[k])];
      }
      return at;
    },
  };
}
