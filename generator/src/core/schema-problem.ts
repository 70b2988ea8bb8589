// One ajv finding as a path and a sentence, for values that arrive as data rather than as a file a
// user wrote (the analysis service's request, the chart values `generate` wrote): callers put the
// path where they report it (a request field, a file position). images.yaml has its own, richer
// messages (config.ts), which quote the YAML as written.
import type { ErrorObject } from 'ajv';
import { quoted, shortened, MAX_QUOTED_CHARS } from './errors';
import { pointerSegments } from './yaml-source';

export interface SchemaNodeShape {
  properties?: Record<string, unknown>;
  patternErrorMessage?: string;
}

export interface SchemaProblem {
  /** Where, from the validated value: object keys and list indexes. */
  path: (string | number)[];
  message: string;
}

export interface SchemaProblemOptions {
  /** The schema node an error's parentSchema stands for (after following a $ref); default itself. */
  resolve?: (node: SchemaNodeShape | undefined) => SchemaNodeShape | undefined;
  /** Why a value breaks a named `format`. */
  formats?: Readonly<Record<string, (text: string) => string | undefined>>;
}

/** What a value is, for "must be X, not …". */
export function kindOf(value: unknown): string {
  if (value === null || value === undefined) return 'empty';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `the string ${quoted(value)}`;
  if (typeof value === 'number') return `the number ${value}`;
  return `${typeof value} ${String(value)}`;
}

const shownValue = (data: unknown): string => shortened(JSON.stringify(data) ?? String(data), MAX_QUOTED_CHARS);

/** The problem one ajv error (from a validator compiled with `verbose: true`) describes. */
export function schemaProblemOfError(e: ErrorObject, options: SchemaProblemOptions = {}): SchemaProblem {
  const segments = pointerSegments(e.instancePath);
  const path = segments.map((s) => (/^\d+$/.test(s) ? Number(s) : s));
  const parent = (options.resolve ?? ((n) => n))(e.parentSchema as SchemaNodeShape | undefined);
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'type':
      return { path, message: `must be ${([] as string[]).concat(params.type as string).join(' or ')}, not ${kindOf(e.data)}` };
    case 'required':
      return { path: [...path, String(params.missingProperty)], message: 'is required' };
    case 'additionalProperties': {
      const known = Object.keys(parent?.properties ?? {}).sort().join(', ');
      return { path: [...path, String(params.additionalProperty)], message: `is not a known field (known: ${known})` };
    }
    case 'pattern':
      return { path, message: `${shownValue(e.data)} ${parent?.patternErrorMessage ?? `does not match ${String(params.pattern)}`}` };
    case 'format': {
      const rule = options.formats?.[String(params.format)];
      return { path, message: `${shownValue(e.data)} ${(typeof e.data === 'string' && rule?.(e.data)) || 'is not valid'}` };
    }
    case 'enum':
      return { path, message: `${shownValue(e.data)} is not one of ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    default:
      return { path, message: `${shownValue(e.data)} ${e.message ?? 'is not valid'}` };
  }
}

/** `images[2].upstreams[0].kind`: a path as it reads in a message. */
export function describePath(path: readonly (string | number)[]): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
