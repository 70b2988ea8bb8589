// Reading a JSON file another program wrote (or a person edited) with positions: strict JSON
// (RFC 8259) in, the value and where each part of it starts out, or a UserError naming
// file:line:col. JSON.parse says where it failed only for some errors, and never where a valid
// value sits that the reader then refuses; this parser says both.
import { UserError } from './errors';
import type { SourcePosition } from './types';
import type { PathSegment } from './yaml-source';

export interface JsonSource {
  value: unknown;
  /** Where the value at a path starts; the deepest existing part of the path when it does not fully exist. */
  positionOf(path: readonly PathSegment[]): SourcePosition;
}

export interface JsonSourceOptions {
  /** Deepest nesting of arrays and objects accepted. */
  maxDepth?: number;
  /** Appended to syntax errors: how to get a good file. */
  fixHint?: string;
}

class JsonSyntaxError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(message);
  }
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?/y;

/** The offset where each value starts, keyed by its path (JSON of the segments). */
type Offsets = Map<string, number>;

const LITERALS = [
  ['true', true],
  ['false', false],
  ['null', null],
] as const;

/** A recursive-descent reader over one text: one method per JSON production, `at` the offset reached. */
class JsonReader {
  private at = 0;
  readonly offsets: Offsets = new Map();

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  /** The whole text as one JSON value. */
  document(): unknown {
    const result = this.value([], 0);
    this.skip();
    if (this.at < this.text.length) this.fail('the end of the file after the JSON value');
    return result;
  }

  private skip(): void {
    while (this.at < this.text.length && WHITESPACE.has(this.text[this.at])) this.at++;
  }

  private fail(expected: string): never {
    const found = this.at >= this.text.length ? 'the end of the file' : `${JSON.stringify(this.text[this.at])}`;
    throw new JsonSyntaxError(this.at, `expected ${expected}, found ${found}`);
  }

  /** Consumes `c` when it is next (after white space). */
  private take(c: string): boolean {
    this.skip();
    if (this.text[this.at] !== c) return false;
    this.at++;
    return true;
  }

  // Recursive per container; maxDepth bounds the recursion long before the call stack.
  private value(path: PathSegment[], depth: number): unknown {
    this.skip();
    this.offsets.set(JSON.stringify(path), this.at);
    const c = this.text[this.at];
    if (c === '"') return this.string();
    if (c === '{' || c === '[') {
      if (depth >= this.maxDepth) throw new JsonSyntaxError(this.at, `nested more than ${this.maxDepth} levels deep; check that this is the right file`);
      this.at++;
      return c === '[' ? this.array(path, depth) : this.object(path, depth);
    }
    return this.scalar();
  }

  private array(path: PathSegment[], depth: number): unknown[] {
    const list: unknown[] = [];
    if (this.take(']')) return list;
    while (true) {
      list.push(this.value([...path, list.length], depth + 1));
      if (this.take(',')) continue;
      if (this.take(']')) return list;
      this.fail('"," or "]"');
    }
  }

  private object(path: PathSegment[], depth: number): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    const seen = new Set<string>();
    if (this.take('}')) return object;
    while (true) {
      this.skip();
      if (this.text[this.at] !== '"') this.fail('a "quoted" key');
      const keyAt = this.at;
      const key = this.string();
      if (seen.has(key)) throw new JsonSyntaxError(keyAt, `the key ${JSON.stringify(key)} appears twice in one object; keep one`);
      seen.add(key);
      if (!this.take(':')) this.fail('":" after the key');
      // defineProperty: a key "__proto__" is data, not the object's prototype.
      Object.defineProperty(object, key, { value: this.value([...path, key], depth + 1), enumerable: true, writable: true, configurable: true });
      if (this.take(',')) continue;
      if (this.take('}')) return object;
      this.fail('"," or "}"');
    }
  }

  private string(): string {
    const text = this.text;
    const start = this.at;
    this.at++; // the opening quote
    let out = '';
    while (true) {
      if (this.at >= text.length) throw new JsonSyntaxError(start, 'a string is not closed; add the closing "');
      const c = text[this.at];
      if (c === '"') {
        this.at++;
        return out;
      }
      if (c < ' ') throw new JsonSyntaxError(this.at, 'a control character (such as a line break) inside a string; write it as an escape (\\n)');
      if (c === '\\') out += this.escape();
      else {
        out += c;
        this.at++;
      }
    }
  }

  /** The character a backslash escape at `at` stands for; `at` moves past it. */
  private escape(): string {
    const e = this.text[this.at + 1];
    if (e === 'u') {
      const hex = this.text.slice(this.at + 2, this.at + 6);
      if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError(this.at, 'a \\u escape needs four hexadecimal digits');
      this.at += 6;
      return String.fromCharCode(parseInt(hex, 16));
    }
    if (e !== undefined && e in ESCAPES) {
      this.at += 2;
      return ESCAPES[e];
    }
    throw new JsonSyntaxError(this.at, `\\${e ?? ''} is not a JSON escape`);
  }

  /** true, false, null or a number. */
  private scalar(): unknown {
    for (const [word, result] of LITERALS) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return result;
      }
    }
    NUMBER.lastIndex = this.at;
    const number = NUMBER.exec(this.text);
    if (number) {
      this.at += number[0].length;
      return Number(number[0]);
    }
    return this.fail('a JSON value (string, number, object, array, true, false or null)');
  }
}

function parse(text: string, maxDepth: number): { value: unknown; offsets: Offsets } {
  const reader = new JsonReader(text, maxDepth);
  const value = reader.document();
  return { value, offsets: reader.offsets };
}

function positionIn(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text[i] === '\n') {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

/** Parses JSON text with positions; a syntax error is a UserError at its line and column. */
export function readJsonSource(text: string, file: string, options: JsonSourceOptions = {}): JsonSource {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const hint = options.fixHint ? `; ${options.fixHint}` : '';
  let parsed: { value: unknown; offsets: Offsets };
  try {
    parsed = parse(body, options.maxDepth ?? 64);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw new UserError({ subject: file, ...positionIn(body, e.offset), message: `not valid JSON: ${e.message}${hint}` });
    throw e;
  }
  return {
    value: parsed.value,
    positionOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const offset = parsed.offsets.get(JSON.stringify(path.slice(0, n)));
        if (offset !== undefined) return positionIn(body, offset);
      }
      return { line: 1, col: 1 };
    },
  };
}
