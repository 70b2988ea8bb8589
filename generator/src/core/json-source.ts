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

function parse(text: string, maxDepth: number): { value: unknown; offsets: Offsets } {
  const offsets: Offsets = new Map();
  let at = 0;
  const skip = () => {
    while (at < text.length && WHITESPACE.has(text[at])) at++;
  };
  const describeHere = () => (at >= text.length ? 'the end of the file' : `${JSON.stringify(text[at])}`);
  const fail = (expected: string): never => {
    throw new JsonSyntaxError(at, `expected ${expected}, found ${describeHere()}`);
  };
  const string = (): string => {
    const start = at;
    at++; // the opening quote
    let out = '';
    while (true) {
      if (at >= text.length) throw new JsonSyntaxError(start, 'a string is not closed; add the closing "');
      const c = text[at];
      if (c === '"') {
        at++;
        return out;
      }
      if (c < ' ') throw new JsonSyntaxError(at, 'a control character (such as a line break) inside a string; write it as an escape (\\n)');
      if (c === '\\') {
        const e = text[at + 1];
        if (e === 'u') {
          const hex = text.slice(at + 2, at + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new JsonSyntaxError(at, 'a \\u escape needs four hexadecimal digits');
          out += String.fromCharCode(parseInt(hex, 16));
          at += 6;
        } else if (e !== undefined && e in ESCAPES) {
          out += ESCAPES[e];
          at += 2;
        } else {
          throw new JsonSyntaxError(at, `\\${e ?? ''} is not a JSON escape`);
        }
        continue;
      }
      out += c;
      at++;
    }
  };
  // Recursive per container; maxDepth bounds the recursion long before the call stack.
  const value = (path: PathSegment[], depth: number): unknown => {
    skip();
    offsets.set(JSON.stringify(path), at);
    const c = text[at];
    if (c === '"') return string();
    if (c === '{' || c === '[') {
      if (depth >= maxDepth) throw new JsonSyntaxError(at, `nested more than ${maxDepth} levels deep; check that this is the right file`);
      at++;
      skip();
      if (c === '[') {
        const list: unknown[] = [];
        if (text[at] === ']') {
          at++;
          return list;
        }
        while (true) {
          list.push(value([...path, list.length], depth + 1));
          skip();
          if (text[at] === ',') {
            at++;
            continue;
          }
          if (text[at] === ']') {
            at++;
            return list;
          }
          fail('"," or "]"');
        }
      }
      const object: Record<string, unknown> = {};
      const seen = new Set<string>();
      if (text[at] === '}') {
        at++;
        return object;
      }
      while (true) {
        skip();
        if (text[at] !== '"') fail('a "quoted" key');
        const keyAt = at;
        const key = string();
        if (seen.has(key)) throw new JsonSyntaxError(keyAt, `the key ${JSON.stringify(key)} appears twice in one object; keep one`);
        seen.add(key);
        skip();
        if (text[at] !== ':') fail('":" after the key');
        at++;
        // defineProperty: a key "__proto__" is data, not the object's prototype.
        Object.defineProperty(object, key, { value: value([...path, key], depth + 1), enumerable: true, writable: true, configurable: true });
        skip();
        if (text[at] === ',') {
          at++;
          continue;
        }
        if (text[at] === '}') {
          at++;
          return object;
        }
        fail('"," or "}"');
      }
    }
    for (const [word, result] of [
      ['true', true],
      ['false', false],
      ['null', null],
    ] as const) {
      if (text.startsWith(word, at)) {
        at += word.length;
        return result;
      }
    }
    NUMBER.lastIndex = at;
    const number = NUMBER.exec(text);
    if (number) {
      at += number[0].length;
      return Number(number[0]);
    }
    return fail('a JSON value (string, number, object, array, true, false or null)');
  };
  const result = value([], 0);
  skip();
  if (at < text.length) fail('the end of the file after the JSON value');
  return { value: result, offsets };
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
