// Reading state files back: strict YAML, the state schema, and every problem reported with the
// file, line and column, so a hand edit or a bad merge in the state repo is easy to find and fix.
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError, type Problem } from './errors';
import { STATE_HEADER, type BaseImageState, type ImageState } from './state';
import { packageRoot } from './package-root';
import { describeBytes, firstInvalidUtf8, MAX_YAML_DEPTH, readYamlSource } from './yaml-source';
import { sameJson } from './same-json';
import { nestingDepth, readCanonicalYaml, readExactCanonicalYaml, renderYamlWithin } from './canonical-yaml';

/** The largest state file read back. Every state file written is checked against it first. */
export const MAX_STATE_BYTES = 1024 * 1024;
const READ_RULE = { maxBytes: MAX_STATE_BYTES, fixHint: 'regenerate it with image-factory generate' };
/** For a state file over the size: generate cannot rewrite a file it cannot read, so it must go first. */
export const STATE_SIZE_RULE = { maxBytes: MAX_STATE_BYTES, what: 'a state file', fixHint: 'restore it from git, or delete it and run image-factory generate to write it again' };

/**
 * A state file's text, or why the next run would refuse it: over the size it reads, or nested
 * deeper than it reads. `generate` writes nothing it has not checked here, so that what one run
 * writes, the next run reads. A value that would render huge is found before it is rendered whole.
 */
export function writableState(value: ImageState | BaseImageState): { text: string } | { problem: string } {
  const depth = nestingDepth(value);
  if (depth > MAX_YAML_DEPTH) return { problem: `would be nested ${depth} levels deep, over the ${MAX_YAML_DEPTH} a state file may be` };
  const text = renderYamlWithin(value, MAX_STATE_BYTES, STATE_HEADER);
  if (text === undefined) return { problem: `would be over ${describeBytes(MAX_STATE_BYTES)} written out, the most a state file may be` };
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_STATE_BYTES) return { problem: `would be ${describeBytes(bytes)} written out, over the ${describeBytes(MAX_STATE_BYTES)} a state file may be` };
  return { text };
}

type StateDefinition = 'imageState' | 'baseImageState';
let stateValidators: Record<StateDefinition, ValidateFunction> | undefined;

/** One definition of state.schema.json, compiled on first use (not when a command is only loaded). */
function stateValidator(definition: StateDefinition): ValidateFunction {
  if (!stateValidators) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    ajv.addSchema(JSON.parse(fs.readFileSync(path.join(packageRoot, 'generator/schema/state.schema.json'), 'utf8')) as object, 'state');
    stateValidators = { imageState: ajv.getSchema('state#/definitions/imageState')!, baseImageState: ajv.getSchema('state#/definitions/baseImageState')! };
  }
  return stateValidators[definition];
}

function describe(e: ErrorObject): { segments: string[]; key?: string; message: string } {
  const segments = e.instancePath.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const where = segments.length ? segments.join('.') : 'the top level';
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

/** A state file read back. */
export interface StateRead<T> {
  state: T;
  /** The file's text, when it is exactly what writableState writes for `state`: a run that writes the same state can keep it. */
  asWritten?: string;
}

const isMapping = (v: unknown): v is object => v !== null && typeof v === 'object' && !Array.isArray(v);

/** A file exactly as image-factory wrote it, and valid, needs no positions; undefined for any other. */
function readAsWritten<T>(bytes: Buffer, validate: ValidateFunction): StateRead<T> | undefined {
  if (bytes.length > MAX_STATE_BYTES || firstInvalidUtf8(bytes) >= 0) return undefined;
  const text = bytes.toString('utf8');
  const exact = readExactCanonicalYaml(text, STATE_HEADER);
  if (exact !== undefined) return isMapping(exact) && validate(exact) ? { state: exact as T, asWritten: text } : undefined;
  // Canonical data under another header (or quoted for YAML 1.1): read alike, but not kept as text.
  const value = readCanonicalYaml(text);
  return isMapping(value) && validate(value) ? { state: value as T } : undefined;
}

function checked<T>(bytes: Buffer, file: string, validate: ValidateFunction, what: string): StateRead<T> {
  const fast = readAsWritten<T>(bytes, validate);
  if (fast) return fast;
  const doc = readYamlSource(bytes, file, { ...READ_RULE, what });
  if (doc.value === null || typeof doc.value !== 'object' || Array.isArray(doc.value)) {
    throw new UserError({ subject: file, line: 1, col: 1, message: `is not a ${what} (expected a YAML mapping); regenerate it with image-factory generate` });
  }
  if (!validate(doc.value)) {
    const seen = new Set<string>();
    const problems: Problem[] = [];
    for (const e of validate.errors ?? []) {
      const d = describe(e);
      const keyNode = d.key === undefined ? undefined : doc.keyNodeAt(d.segments, d.key);
      const pos = keyNode?.range ? doc.positionAt(keyNode.range[0]) : doc.positionOf(d.segments);
      const text = `${pos.line}:${pos.col}:${d.message}`;
      if (seen.has(text)) continue;
      seen.add(text);
      problems.push({ subject: file, ...pos, message: d.message });
    }
    throw new UserError(problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0)));
  }
  return { state: doc.value as T };
}

export function readImageStateFile(bytes: Buffer, file: string): StateRead<ImageState> {
  const read = checked<ImageState>(bytes, file, stateValidator('imageState'), 'image state file');
  const expected = `images/${read.state.name}.yaml`;
  if (file.endsWith('.yaml') && path.posix.basename(file) !== path.posix.basename(expected)) {
    throw new UserError({ subject: file, line: 1, col: 1, message: `holds the state of image "${read.state.name}", so it must be named ${path.posix.basename(expected)}; regenerate the state files` });
  }
  return read;
}

export function parseImageStateFile(bytes: Buffer, file: string): ImageState {
  return readImageStateFile(bytes, file).state;
}

export function readBaseStateFile(bytes: Buffer, file: string): StateRead<BaseImageState> {
  return checked<BaseImageState>(bytes, file, stateValidator('baseImageState'), 'base image state file');
}

export function parseBaseStateFile(bytes: Buffer, file: string): BaseImageState {
  return readBaseStateFile(bytes, file).state;
}

/**
 * writableState's answer for `state`, from the text read back when the state is the same one (the
 * usual case of a run where little changed): rendering 10,000 unchanged states again cost most of it.
 */
export function writableStateAgain(state: ImageState | BaseImageState, before: StateRead<unknown> | undefined): ReturnType<typeof writableState> {
  if (before?.asWritten !== undefined && sameJson(before.state, state)) return { text: before.asWritten };
  return writableState(state);
}
