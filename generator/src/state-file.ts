// Reading state files back: strict YAML, the state schema, and every problem reported with the
// file, line and column, so a hand edit or a bad merge in the state repo is easy to find and fix.
import Ajv, { type ErrorObject } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node as YamlNode } from 'yaml';
import { UserError, type Problem } from './errors';
import type { BaseImageState, ImageState } from './state';
import { packageRoot } from './package-root';

const MAX_STATE_BYTES = 1024 * 1024;

const stateSchema: object = JSON.parse(fs.readFileSync(path.join(packageRoot, 'generator/schema/state.schema.json'), 'utf8'));
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(stateSchema, 'state');
const validateImageState = ajv.getSchema('state#/definitions/imageState')!;
const validateBaseState = ajv.getSchema('state#/definitions/baseImageState')!;

interface Located {
  value: unknown;
  /** Line and column of the node an instance path names (the key, for a missing or unknown key). */
  positionOf(pathSegments: string[], key?: string): { line: number; col: number };
}

function parseStrictYaml(bytes: Buffer, file: string): Located {
  if (bytes.length > MAX_STATE_BYTES) throw new UserError({ file, message: `is ${bytes.length} bytes, over the ${MAX_STATE_BYTES}-byte limit for a state file; regenerate it with image-factory generate` });
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new UserError({ file, message: 'is not UTF-8 text; restore it from git or regenerate it with image-factory generate' });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const at = (offset: number) => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, col: p.col };
  };
  const problems: Problem[] = doc.errors.map((e) => ({ file, ...at(e.pos[0]), message: `${e.message.split('\n')[0]}; fix the YAML or regenerate the file` }));
  if (problems.length) throw new UserError(problems);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 0 });
  } catch {
    throw new UserError({ file, message: 'uses YAML aliases, which state files never contain; regenerate it with image-factory generate' });
  }
  return {
    value,
    positionOf(segments, key) {
      const pairIn = (map: unknown, name: string) =>
        isMap(map) ? map.items.find((p) => (p.key as { value?: unknown } | null)?.value === name) : undefined;
      let node: unknown = doc.contents;
      let offset = (node as YamlNode | null)?.range?.[0] ?? 0;
      for (const segment of segments) {
        const next = isMap(node) ? pairIn(node, segment)?.value : isSeq(node) ? node.items[Number(segment)] : undefined;
        if (!next) break;
        node = next;
        offset = (next as YamlNode).range?.[0] ?? offset;
      }
      const keyNode = key === undefined ? undefined : (pairIn(node, key)?.key as YamlNode | undefined);
      return at(keyNode?.range?.[0] ?? offset);
    },
  };
}

function describe(e: ErrorObject): { segments: string[]; key?: string; message: string } {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = segments.length ? segments.join('.') : 'the file';
  switch (e.keyword) {
    case 'additionalProperties': {
      const key = String((e.params as { additionalProperty: string }).additionalProperty);
      return { segments, key, message: `unknown key "${key}" in ${where}; state files are written by image-factory: remove it, or regenerate the file` };
    }
    case 'required':
      return { segments, message: `${where} lacks "${(e.params as { missingProperty: string }).missingProperty}"; regenerate the file with image-factory generate` };
    case 'const':
    case 'enum':
      return { segments, message: `${where} must be ${JSON.stringify((e.params as { allowedValue?: unknown; allowedValues?: unknown }).allowedValue ?? (e.params as { allowedValues?: unknown }).allowedValues)}` };
    default:
      return { segments, message: `${where} ${e.message ?? 'is invalid'}` };
  }
}

function checked<T>(bytes: Buffer, file: string, validate: typeof validateImageState, what: string): T {
  const doc = parseStrictYaml(bytes, file);
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    throw new UserError({ file, line: 1, col: 1, message: `is not a ${what} (expected a YAML mapping); regenerate it with image-factory generate` });
  }
  if (!validate(doc.value)) {
    const seen = new Set<string>();
    const problems: Problem[] = [];
    for (const e of validate.errors ?? []) {
      const d = describe(e);
      const pos = doc.positionOf(d.segments, d.key);
      const text = `${pos.line}:${pos.col}:${d.message}`;
      if (seen.has(text)) continue;
      seen.add(text);
      problems.push({ file, ...pos, message: d.message });
    }
    throw new UserError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)));
  }
  return doc.value as T;
}

export function parseImageStateFile(bytes: Buffer, file: string): ImageState {
  const state = checked<ImageState>(bytes, file, validateImageState, 'image state file');
  const expected = `images/${state.name}.yaml`;
  if (file.endsWith('.yaml') && path.posix.basename(file) !== path.posix.basename(expected)) {
    throw new UserError({ file, line: 1, col: 1, message: `holds the state of image "${state.name}", so it must be named ${path.posix.basename(expected)}; regenerate the state files` });
  }
  return state;
}

export function parseBaseStateFile(bytes: Buffer, file: string): BaseImageState {
  return checked<BaseImageState>(bytes, file, validateBaseState, 'base image state file');
}
