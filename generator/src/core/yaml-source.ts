// Reading a YAML file a person (or a bad merge) may have got wrong: bytes in, one document with
// positions out, or a UserError naming file:line:col. Shared by every reader of YAML input
// (images.yaml, state files), so the limits and the wording are the same everywhere.
//
// Guards, in the order they run: a size cap (checked before anything is decoded or parsed), strict
// UTF-8, a cap on nesting (a linear scan of the tokens, before the parser builds anything: `[[[...`
// of a few MiB made it use gigabytes), the parser's own errors, one document only, no duplicate keys
// (both places named), and a cap on aliases, since a few lines of nested aliases can expand to
// gigabytes ("billion laughs").
import { CST, isMap, isScalar, isSeq, Lexer, LineCounter, parseAllDocuments, parseDocument, visit, type Document, type Node as YamlNode } from 'yaml';
import { UserError, type Problem } from './errors';
import type { SourcePosition } from './types';

export type PathSegment = string | number;

export interface YamlSourceOptions {
  /** Largest accepted input in bytes; default 10 MiB. */
  maxBytes?: number;
  /** How many alias nodes (`*name`) the file may contain; default 0 (none). */
  maxAliases?: number;
  /** What the file is, for messages: "images.yaml", "a state file". */
  what?: string;
  /** Appended to problems the user fixes by editing the file, e.g. "regenerate it with image-factory generate". */
  fixHint?: string;
  /** Deepest nesting of collections accepted; default MAX_YAML_DEPTH. */
  maxDepth?: number;
}

export interface YamlSource {
  file: string;
  /** The decoded text, without a byte-order mark. */
  text: string;
  document: Document.Parsed;
  /** The document as plain data; null when the file holds no document (empty or comments only). */
  value: unknown;
  isEmpty: boolean;
  positionAt(offset: number): SourcePosition;
  /** The node a path names, or undefined when some step of it does not exist. */
  nodeAt(path: readonly PathSegment[]): YamlNode | undefined;
  /**
   * Where a path is: its value, or (part 'key') the key that introduces it. A path that does not fully
   * exist resolves to the deepest node that does, so a missing key is reported at its parent.
   */
  positionOf(path: readonly PathSegment[], part?: 'key' | 'value'): SourcePosition;
  /** The key node of `key` in the mapping at `path`, if both exist. */
  keyNodeAt(path: readonly PathSegment[], key: string): YamlNode | undefined;
}

export const DEFAULT_MAX_YAML_BYTES = 10 * 1024 * 1024;
/**
 * Collections nested deeper than this are refused. Every file image-factory reads is a handful of
 * levels deep; 64 leaves room for any hand-written lastRebuild, and keeps what the writers produce
 * (block style, two spaces a level) small.
 */
export const MAX_YAML_DEPTH = 64;

const TOO_DEEP = 'is nested too deeply to be a YAML file anyone edits; check that this is the right file';
const tooDeepHere = (max: number) => `is nested too deeply to be a YAML file anyone edits (more than ${max} levels here); check that this is the right file`;

export function describeBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / (1024 * 1024)).toFixed(1).replace(/\.0$/, '')} MiB` : n >= 1024 ? `${Math.round(n / 1024)} KiB` : `${n} bytes`;
}

/** The error for a file of `byteLength` bytes, over the cap in `options`. */
export function yamlTooLarge(byteLength: number, file: string, options: YamlSourceOptions = {}): UserError {
  const max = options.maxBytes ?? DEFAULT_MAX_YAML_BYTES;
  const what = options.what ?? 'a YAML file';
  return new UserError({
    subject: file,
    message: `is ${describeBytes(byteLength)} (${byteLength} bytes), over the ${describeBytes(max)} limit for ${what}; check that this is the right file${options.fixHint ? `, or ${options.fixHint}` : ''}`,
  });
}

/** Throws when `byteLength` is over the cap. */
export function assertYamlSize(byteLength: number, file: string, options: YamlSourceOptions = {}): void {
  if (byteLength > (options.maxBytes ?? DEFAULT_MAX_YAML_BYTES)) throw yamlTooLarge(byteLength, file, options);
}

// The lexer's own markers (document, flow error, scalar): they stand for no character of the text.
const LEXER_MARKERS = new Set(['\u0002', '\u0018', '\u001f']);

/**
 * The offset where nesting first goes deeper than `max`, or -1. One pass over the lexer's tokens,
 * which the parser would produce anyway, in constant memory: flow collections (`[`, `{`) are counted
 * exactly; block collections by their indentation (a stack of the columns where nodes start on a
 * line, and each `- ` or `? ` on it), which never counts more levels than there are, so any
 * well-formed file within the bound is read.
 */
export function tooDeepAt(text: string, max: number): number {
  let offset = 0;
  let lineStart = 0;
  let firstOnLine = true;
  let flow = 0;
  const columns: number[] = [];
  for (const token of new Lexer().lex(text)) {
    if (LEXER_MARKERS.has(token)) continue;
    const start = offset;
    offset += token.length;
    const type = CST.tokenType(token);
    if (type === 'newline') {
      lineStart = offset;
      firstOnLine = true;
      continue;
    }
    if (type === 'space' || type === 'comment' || type === 'byte-order-mark') {
      const nl = token.lastIndexOf('\n');
      if (nl >= 0) {
        lineStart = start + nl + 1;
        firstOnLine = true;
      }
      continue;
    }
    if (type === 'doc-start' || type === 'doc-end') {
      columns.length = 0;
      flow = 0;
    } else if (type === 'flow-seq-start' || type === 'flow-map-start') {
      flow += 1;
      if (columns.length + flow > max) return start;
    } else if (type === 'flow-seq-end' || type === 'flow-map-end') {
      if (flow > 0) flow -= 1;
    } else if (flow === 0 && (firstOnLine || type === 'seq-item-ind' || type === 'explicit-key-ind')) {
      const col = start - lineStart;
      while (columns.length > 0 && columns[columns.length - 1] >= col) columns.pop();
      columns.push(col);
      if (columns.length > max) return start;
    }
    firstOnLine = false;
    // A multi-line scalar moves the start of the line.
    const nl = token.lastIndexOf('\n');
    if (nl >= 0) lineStart = start + nl + 1;
  }
  return -1;
}

/** Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    if (b < 0x80) {
      i += 1;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const c = bytes[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

function positionInText(text: string, offset: number): SourcePosition {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line += 1;
      lineStart = i + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

function decode(input: string | Buffer, file: string, options: YamlSourceOptions): string {
  if (typeof input === 'string') {
    // A string's UTF-8 size is at least its length, so an over-long one is refused without encoding it.
    assertYamlSize(input.length > (options.maxBytes ?? DEFAULT_MAX_YAML_BYTES) ? input.length : Buffer.byteLength(input, 'utf8'), file, options);
    return input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  }
  assertYamlSize(input.length, file, options);
  const save = 'save it as UTF-8 (without a byte-order mark or with the UTF-8 one)';
  if ((input[0] === 0xff && input[1] === 0xfe) || (input[0] === 0xfe && input[1] === 0xff)) {
    throw new UserError({ subject: file, line: 1, col: 1, message: `is UTF-16 text, not UTF-8; ${save}` });
  }
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(input);
  } catch {
    const bad = firstInvalidUtf8(input);
    const start = input[0] === 0xef && input[1] === 0xbb && input[2] === 0xbf ? 3 : 0;
    const before = input.subarray(start, Math.max(start, bad)).toString('utf8');
    const at = positionInText(before, before.length);
    const byte = bad >= 0 ? ` (byte 0x${input[bad].toString(16).padStart(2, '0')})` : '';
    throw new UserError({ subject: file, ...at, message: `is not valid UTF-8${byte}; ${save}` });
  }
}

function keyText(node: unknown): string | undefined {
  if (isScalar(node)) return String(node.value);
  return undefined;
}

/** The text of YAML bytes (size cap, strict UTF-8, no byte-order mark), or the UserError readYamlSource would throw. */
export function decodeYamlText(input: string | Buffer, file: string, options: YamlSourceOptions = {}): string {
  return decode(input, file, options);
}

/** Parses YAML text or bytes into one document with positions; throws UserError listing every problem. */
export function readYamlSource(input: string | Buffer, file: string, options: YamlSourceOptions = {}): YamlSource {
  const text = decode(input, file, options);
  const maxDepth = options.maxDepth ?? MAX_YAML_DEPTH;
  const deep = tooDeepAt(text, maxDepth);
  if (deep >= 0) throw new UserError({ subject: file, ...positionInText(text, deep), message: tooDeepHere(maxDepth) });
  const lineCounter = new LineCounter();
  const positionAt = (offset: number): SourcePosition => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const document = singleDocument(parseDocuments(text, file, lineCounter, options), text, file, positionAt, options);
  if (!document || document.contents === null) {
    // An empty stream has no Document at all; make one so callers always get a document.
    return makeSource(file, text, document ?? (parseDocument('') as Document.Parsed), null, true, positionAt);
  }
  const problems = [...aliasProblems(document, file, positionAt, options), ...duplicateKeyProblems(document, file, positionAt)];
  if (problems.length) throw new UserError(problems.sort(byPosition));
  const value = plainValueOf(document, file, options.maxAliases ?? 0);
  return makeSource(file, text, document, value ?? null, value === null || value === undefined, positionAt);
}

/** Every document in the text; the parser's syntax errors, all of them, as one UserError. */
function parseDocuments(text: string, file: string, lineCounter: LineCounter, options: YamlSourceOptions): Document.Parsed[] {
  let documents: Document.Parsed[];
  try {
    documents = parseAllDocuments(text, { lineCounter, uniqueKeys: false, prettyErrors: false, merge: false, strict: true }) as Document.Parsed[];
  } catch (e) {
    // The parser recurses per nesting level; a pathological file can exhaust the stack.
    if (e instanceof RangeError) throw new UserError({ subject: file, message: TOO_DEEP });
    throw e;
  }
  // The parser turns its own stack overflow into one error per level; one message says it all.
  if (documents.some((doc) => doc.errors.some((e) => /call stack/i.test(e.message)))) throw new UserError({ subject: file, message: TOO_DEEP });
  const hint = options.fixHint ? `; ${options.fixHint}` : '';
  const problems: Problem[] = [];
  for (const doc of documents) {
    for (const e of doc.errors) {
      const first = e.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
      const p = lineCounter.linePos(e.pos[0]);
      problems.push({ subject: file, line: p.line, col: p.col, message: `YAML syntax error: ${first}${hint}` });
    }
  }
  if (problems.length) throw new UserError(problems);
  return documents;
}

/** The one document of the file (undefined for an empty stream); more than one is refused at the second. */
function singleDocument(
  documents: Document.Parsed[],
  text: string,
  file: string,
  positionAt: (offset: number) => SourcePosition,
  options: YamlSourceOptions,
): Document.Parsed | undefined {
  if (documents.length > 1) {
    const second = documents[1];
    const offset = second.range?.[0] ?? text.length;
    // Point at the `---` that starts the second document when there is one.
    const marker = text.lastIndexOf('---', offset);
    const at = positionAt(marker >= 0 && marker >= (documents[0].range?.[1] ?? 0) - 3 ? marker : offset);
    const what = options.what ?? 'this file';
    throw new UserError({ subject: file, ...at, message: `holds ${documents.length} YAML documents; ${what} must be a single document: remove the extra \`---\` and what follows, or merge it into the first` });
  }
  return documents[0] as Document.Parsed | undefined;
}

/** The first alias past the allowed count, as a problem (aliases can expand to gigabytes). */
function aliasProblems(document: Document.Parsed, file: string, positionAt: (offset: number) => SourcePosition, options: YamlSourceOptions): Problem[] {
  const maxAliases = options.maxAliases ?? 0;
  const what = options.what ?? 'this file';
  let aliases = 0;
  let aliasProblem: Problem | undefined;
  visit(document, {
    Alias(_key, node) {
      aliases += 1;
      if (aliases > maxAliases && !aliasProblem) {
        const message =
          maxAliases === 0
            ? `uses the YAML alias *${node.source}; aliases are not allowed in ${what}: write the value out in full`
            : `uses more than ${maxAliases} YAML aliases; write the values out in full`;
        aliasProblem = { subject: file, ...positionAt(node.range?.[0] ?? 0), message };
      }
    },
  });
  return aliasProblem ? [aliasProblem] : [];
}

/** Every key written twice in one mapping, naming both places. */
function duplicateKeyProblems(document: Document.Parsed, file: string, positionAt: (offset: number) => SourcePosition): Problem[] {
  const problems: Problem[] = [];
  visit(document, {
    Map(_key, map) {
      const seen = new Map<string, YamlNode>();
      for (const pair of map.items) {
        const name = keyText(pair.key);
        if (name === undefined) continue;
        const earlier = seen.get(name);
        const keyNode = pair.key as YamlNode;
        if (earlier) {
          const first = positionAt(earlier.range?.[0] ?? 0);
          problems.push({
            subject: file,
            ...positionAt(keyNode.range?.[0] ?? 0),
            message: `duplicate key "${name}" (first at line ${first.line}, column ${first.col}); keep one of the two`,
          });
        } else seen.set(name, keyNode);
      }
    },
  });
  return problems;
}

/** The document as plain data, refusing aliases that expand too far. */
function plainValueOf(document: Document.Parsed, file: string, maxAliases: number): unknown {
  try {
    return document.toJS({ maxAliasCount: maxAliases === 0 ? 0 : Math.max(maxAliases, 1) * 10 });
  } catch (e) {
    if (e instanceof Error && /alias/i.test(e.message)) {
      throw new UserError({ subject: file, message: `expands its YAML aliases too far; write the values out in full` });
    }
    if (e instanceof RangeError) throw new UserError({ subject: file, message: TOO_DEEP });
    throw e;
  }
}

function byPosition(a: Problem, b: Problem): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0);
}

function childOf(node: unknown, segment: PathSegment): { key?: YamlNode; value: YamlNode | undefined } | undefined {
  if (isMap(node)) {
    const pair = node.items.find((p) => keyText(p.key) === String(segment));
    return pair ? { key: pair.key as YamlNode, value: (pair.value ?? undefined) as YamlNode | undefined } : undefined;
  }
  if (isSeq(node)) {
    const index = typeof segment === 'number' ? segment : /^(0|[1-9][0-9]*)$/.test(segment) ? Number(segment) : -1;
    const item = index >= 0 ? node.items[index] : undefined;
    return item === undefined ? undefined : { value: item as YamlNode };
  }
  return undefined;
}

function makeSource(
  file: string,
  text: string,
  document: Document.Parsed,
  value: unknown,
  isEmpty: boolean,
  positionAt: (offset: number) => SourcePosition,
): YamlSource {
  const contents = document.contents as YamlNode | null;
  const startOf = (node: YamlNode | undefined | null): number | undefined => node?.range?.[0];
  const nodeAt = (path: readonly PathSegment[]): YamlNode | undefined => {
    let node: YamlNode | undefined = contents ?? undefined;
    for (const segment of path) {
      const next = childOf(node, segment);
      if (!next) return undefined;
      node = next.value;
    }
    return node;
  };
  return {
    file,
    text,
    document,
    value,
    isEmpty,
    positionAt,
    nodeAt,
    keyNodeAt(path, key) {
      return childOf(nodeAt(path), key)?.key;
    },
    positionOf(path, part = 'value') {
      let node: YamlNode | undefined = contents ?? undefined;
      let offset = startOf(node) ?? 0;
      for (let i = 0; i < path.length; i++) {
        const next = childOf(node, path[i]);
        if (!next) break;
        const last = i === path.length - 1;
        // A key with no value (`branch:`) has no value node; its key is the place to point at.
        const emptyValue = !next.value || (isScalar(next.value) && next.value.value === null && !next.value.source);
        const target = next.key && ((last && part === 'key') || emptyValue) ? next.key : next.value;
        offset = startOf(target) ?? offset;
        node = next.value;
        if (!node) break;
      }
      return positionAt(offset);
    },
  };
}

/** `/images/0/name` → `['images', '0', 'name']` (RFC 6901 unescaping). */
export function pointerSegments(pointer: string): string[] {
  if (pointer === '') return [];
  return pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The text of a node as written in the file, e.g. `1.0` for a number the user meant as a string. */
export function sourceTextOf(source: YamlSource, node: YamlNode | undefined): string | undefined {
  if (!node || !node.range) return undefined;
  if (isScalar(node) && typeof node.source === 'string') return node.source;
  return source.text.slice(node.range[0], node.range[1]).trim();
}
