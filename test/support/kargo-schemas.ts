// Validators for rendered Kargo objects, built from the Kargo v1.11.2 material kept as test data in
// test/kargo/v1.11.2 (origin and licence in its SOURCE.md): each CRD's openAPIV3Schema (made strict: an unknown field is an
// error, where the API server would silently prune it), the promotion step config schemas and the
// Warehouse subscription schemas. A string that is wholly one Kargo expression (`${{ ... }}`)
// matches any field, as Kargo evaluates it before the step reads its config (exprTolerant).
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction, type ErrorObject } from 'ajv';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

export const KARGO_DIR = path.resolve(__dirname, '../kargo/v1.11.2');

type Schema = Record<string, any>;

/** A string that is one Kargo expression and nothing else. */
export const WHOLE_EXPRESSION = '^\\$\\{\\{[\\s\\S]*\\}\\}$';

/** Adds `additionalProperties: false` wherever a CRD schema lists properties and does not keep unknown fields. */
function strict(schema: Schema): Schema {
  if (schema === null || typeof schema !== 'object') return schema;
  if (Array.isArray(schema)) return schema.map(strict);
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'definitions' || k === '$defs' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, strict(s)]));
    } else if (['items', 'additionalProperties', 'not', 'anyOf', 'allOf', 'oneOf'].includes(k)) {
      out[k] = strict(v);
    } else {
      out[k] = v;
    }
  }
  if (out.properties && out.additionalProperties === undefined && !out['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

/**
 * The expression relaxation, written once: every subschema below the root also accepts a string
 * that is wholly an expression. The root (the step config object itself) does not.
 */
export function exprTolerant(schema: Schema, root = true): Schema {
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) return schema;
  const out: Schema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (k === 'properties' || k === 'definitions' || k === '$defs' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as Schema).map(([p, s]) => [p, exprTolerant(s, k === 'definitions' || k === '$defs')]));
    } else if (k === 'items' || k === 'additionalProperties') {
      out[k] = typeof v === 'object' ? exprTolerant(v, false) : v;
    } else if (k === 'anyOf' || k === 'allOf' || k === 'oneOf') {
      out[k] = (v as Schema[]).map((s) => exprTolerant(s, true));
    } else {
      out[k] = v;
    }
  }
  if (root || out.$ref !== undefined || Object.keys(out).length === 0) {
    // A $ref target is relaxed where it is defined (definitions are relaxed as roots of their own,
    // see below), so a reference needs nothing more.
    return out;
  }
  const { description, title, default: _d, ...rest } = out;
  return { anyOf: [rest, { type: 'string', pattern: WHOLE_EXPRESSION }], ...(description ? { description } : {}) };
}

function relaxDefinitions(schema: Schema): Schema {
  // Definitions are referenced from relaxed positions; give each the expression alternative too.
  const defs = schema.definitions as Schema | undefined;
  if (!defs) return schema;
  return {
    ...schema,
    definitions: Object.fromEntries(
      Object.entries(defs).map(([name, def]) => [name, { anyOf: [def, { type: 'string', pattern: WHOLE_EXPRESSION }] }]),
    ),
  };
}

function formatErrors(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`).join('; ');
}

export interface Validator {
  (data: unknown): string | undefined;
}

function wrap(fn: ValidateFunction): Validator {
  return (data) => (fn(data) ? undefined : formatErrors(fn.errors));
}

let crdCache: Map<string, Validator> | undefined;

/** Validators for each Kargo kind (Project, Stage, ...), from the v1alpha1 openAPIV3Schema, made strict. */
export function crdValidators(): Map<string, Validator> {
  if (crdCache) return crdCache;
  const ajv = new Ajv({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  const map = new Map<string, Validator>();
  for (const file of readdirSync(KARGO_DIR).filter((f) => f.endsWith('.yaml'))) {
    const crd = parse(readFileSync(path.join(KARGO_DIR, file), 'utf8'));
    const version = crd.spec.versions.find((v: any) => v.name === 'v1alpha1');
    const schema = strict(version.schema.openAPIV3Schema);
    map.set(crd.spec.names.kind, wrap(ajv.compile(schema)));
  }
  crdCache = map;
  return map;
}

function load2020(dir: string, relax: boolean): Map<string, Validator> {
  const ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  const base = `https://schemas.invalid/${path.basename(dir)}/`;
  for (const file of files) {
    let schema = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    if (relax) schema = relaxDefinitions(exprTolerant(schema));
    // Files declare 2020-12 (a few draft-07); all are read as 2020-12, which accepts both here.
    delete schema.$schema;
    ajv.addSchema({ ...schema, $id: base + file });
  }
  const map = new Map<string, Validator>();
  for (const file of files) {
    const fn = ajv.getSchema(base + file);
    if (!fn) throw new Error(`schema ${file} did not compile`);
    map.set(file.replace(/\.json$/, ''), wrap(fn));
  }
  return map;
}

let stepCache: Map<string, Validator> | undefined;
let subscriptionCache: Map<string, Validator> | undefined;

/** Step config validators by step name (`http`, `git-clone`, ...), expression-tolerant. */
export function stepValidators(): Map<string, Validator> {
  if (!stepCache) {
    const all = load2020(path.join(KARGO_DIR, 'step-schemas'), true);
    stepCache = new Map([...all].filter(([k]) => k.endsWith('-config')).map(([k, v]) => [k.replace(/-config$/, ''), v]));
  }
  return stepCache;
}

/** Subscription validators by type (`image`, `git`, `chart`). No expressions are evaluated in subscriptions. */
export function subscriptionValidators(): Map<string, Validator> {
  if (!subscriptionCache) subscriptionCache = load2020(path.join(KARGO_DIR, 'subscription-schemas'), false);
  return subscriptionCache;
}
