// ajv's findings on images.yaml, rephrased for the person who wrote the file: one handler per ajv
// keyword, each naming the node at fault and what to write instead.
import type { ErrorObject } from 'ajv';
import { isScalar, type Node as YamlNode } from 'yaml';
import { kindOf } from './schema-problem';
import { MAX_QUOTED_CHARS, quoted, shortened } from './errors';
import { nearestKey, redactURL } from './rules';
import { pointerSegments, sourceTextOf, type PathSegment, type YamlSource } from './yaml-source';
import { FORMAT_RULES, resolveRef, type SchemaNode } from './config-schema';
import type { Checker } from './config-checker';

/** One ajv error, with what every handler needs worked out once. */
interface ErrorContext {
  checker: Checker<YamlSource>;
  e: ErrorObject;
  path: PathSegment[];
  /** The path as a message names it. */
  label: string;
  data: unknown;
  /** The value as a message quotes it. */
  shown: string;
  /** The schema node that failed, its $ref followed. */
  parent: SchemaNode | undefined;
}

type Handler = (c: ErrorContext) => void;

const params = <T>(c: ErrorContext): T => c.e.params as T;

function quoteHint(source: YamlSource, path: PathSegment[], node: YamlNode | undefined): string {
  const key = path[path.length - 1];
  const written = shortened(sourceTextOf(source, node) ?? '', MAX_QUOTED_CHARS);
  return typeof key === 'string' && !/^\d+$/.test(key) ? `${key}: "${written}"` : `"${written}"`;
}

/** `1.0` where a string belongs: YAML read it as a number (or boolean, or null), so say how to quote it. */
function unquotedScalarMessage({ checker, path, label, data }: ErrorContext): string | undefined {
  const source = checker.source;
  const node = source.nodeAt(path);
  const readAsOther = typeof data === 'number' || typeof data === 'boolean' || (data === null && node && isScalar(node) && sourceTextOf(source, node) !== '');
  if (!readAsOther) return undefined;
  return `${label} must be a string, but YAML reads ${sourceTextOf(source, node)} as ${typeof data === 'boolean' ? 'a boolean' : data === null ? 'null' : 'a number'}; quote it: ${quoteHint(source, path, node)}`;
}

function typeMessage(c: ErrorContext): string {
  const expected = ([] as string[]).concat(params<{ type: string | string[] }>(c).type);
  const { label, data } = c;
  if (expected.includes('string')) {
    const unquoted = unquotedScalarMessage(c);
    if (unquoted) return unquoted;
  }
  if (expected.includes('boolean')) return `${label} must be true or false, not ${kindOf(data)}`;
  if (expected.includes('integer')) return `${label} must be a whole number, not ${kindOf(data)}`;
  if (expected.includes('object')) return `${label} must be a mapping (key: value lines), not ${kindOf(data)}`;
  if (expected.includes('array')) return `${label} must be a list (lines starting with "- "), not ${kindOf(data)}`;
  return `${label} must be ${expected.includes('string') ? 'a string' : expected.join(' or ')}, not ${kindOf(data)}`;
}

const HANDLERS: Readonly<Record<string, Handler>> = {
  type: (c) => c.checker.add({ path: c.path, part: 'value', message: typeMessage(c), rank: 0 }),

  additionalProperties: (c) => {
    const key = params<{ additionalProperty: string }>(c).additionalProperty;
    const known = Object.keys(c.parent?.properties ?? {});
    const near = nearestKey(key, known);
    const where = c.path.length ? ` in ${c.label === 'the file' ? 'the file' : c.checker.labelOfObject(c.path)}` : '';
    const hint = near ? `did you mean \`${near}\`?` : `known keys here: ${[...known].sort().join(', ')}`;
    c.checker.add({ path: [...c.path, key], part: 'key', message: `unknown key ${quoted(key)}${where}; ${hint}`, rank: 1 });
  },

  required: (c) => {
    const key = params<{ missingProperty: string }>(c).missingProperty;
    if (c.e.schemaPath.includes('/then/')) return; // Digest needs a constraint: checked after defaults apply.
    const property = resolveRef(c.parent?.properties?.[key]);
    const title = property?.title?.toLowerCase();
    const what = title && title.replace(/\s/g, '') !== key.toLowerCase() ? ` (${title})` : '';
    const example = property?.examples?.[0];
    const add = example === undefined ? `add ${key}:` : `add e.g. ${key}: ${typeof example === 'string' ? example : JSON.stringify(example)}`;
    c.checker.add({ path: c.path, part: c.path.length ? 'key' : 'value', message: `${c.checker.labelOfObject(c.path)} lacks "${key}"${what}; ${add}`, rank: 1 });
  },

  propertyNames: (c) => {
    const key = params<{ propertyName: string }>(c).propertyName;
    const reason = c.parent?.propertyNames?.patternErrorMessage ?? 'is not allowed here';
    c.checker.add({ path: [...c.path, key], part: 'key', message: `${c.label} key ${quoted(key)} ${reason}`, rank: 2 });
  },

  format: (c) => {
    const format = params<{ format: string }>(c).format;
    const rule = FORMAT_RULES[format];
    const reason = (typeof c.data === 'string' && rule?.(c.data)) || 'is not valid';
    const value = typeof c.data === 'string' && format === 'https-git-url' ? quoted(redactURL(c.data)) : c.shown;
    c.checker.add({ path: c.path, part: 'value', message: `${c.label} ${value} ${reason}`, rank: 2 });
  },

  pattern: (c) => {
    const reason = c.parent?.patternErrorMessage ?? `does not match ${params<{ pattern: string }>(c).pattern}`;
    c.checker.add({ path: c.path, part: 'value', message: `${c.label} ${c.shown} ${reason}`, rank: 3 });
  },

  enum: (c) => {
    const allowed = params<{ allowedValues: unknown[] }>(c).allowedValues.map(String);
    const data = c.data;
    const near = typeof data === 'string' ? allowed.find((a) => a.toLowerCase() === data.toLowerCase()) : undefined;
    const message =
      allowed.length === 1
        ? `${c.label} ${c.shown} is not supported; the only value is ${allowed[0]}`
        : `${c.label} ${c.shown} is not one of ${allowed.join(', ')}${near ? `; did you mean \`${near}\`?` : ''}`;
    c.checker.add({ path: c.path, part: 'value', message, rank: 2 });
  },

  minimum: (c) => outOfRange(c),
  maximum: (c) => outOfRange(c),

  minLength: (c) => c.checker.add({ path: c.path, part: 'value', message: `${c.label} is empty; write a value or remove the key`, rank: 2 }),

  maxLength: (c) =>
    c.checker.add({ path: c.path, part: 'value', message: `${c.label} is ${String(c.data).length} characters long; the limit is ${params<{ limit: number }>(c).limit}`, rank: 2 }),

  // The `then` it guards reports what is wrong.
  if: () => undefined,
};

function outOfRange(c: ErrorContext): void {
  const min = (c.parent as { minimum?: number } | undefined)?.minimum;
  const max = (c.parent as { maximum?: number } | undefined)?.maximum;
  const { comparison, limit } = params<{ comparison: string; limit: number }>(c);
  const range = min !== undefined && max !== undefined ? `use ${min} to ${max}` : `must be ${comparison} ${limit}`;
  c.checker.add({ path: c.path, part: 'value', message: `${c.label} ${c.shown} is out of range; ${range}`, rank: 2 });
}

function otherKeyword(c: ErrorContext): void {
  c.checker.add({ path: c.path, part: 'value', message: `${c.label} ${c.e.message ?? 'is not valid'}`, rank: 4 });
}

/** Adds the finding for one ajv error to `checker`. */
export function describeError(checker: Checker<YamlSource>, e: ErrorObject): void {
  const path: PathSegment[] = pointerSegments(e.instancePath);
  const data: unknown = e.data;
  const context: ErrorContext = {
    checker,
    e,
    path,
    label: checker.label(path),
    data,
    shown: typeof data === 'string' ? quoted(data) : shortened(JSON.stringify(data) ?? String(data), MAX_QUOTED_CHARS),
    parent: resolveRef(e.parentSchema as SchemaNode | undefined),
  };
  (Object.hasOwn(HANDLERS, e.keyword) ? HANDLERS[e.keyword] : otherKeyword)(context);
}
