// The chart values' shape: generator/schema/values.schema.json is its one statement. The chart's
// values.schema.json and values-types.ts are written from it (scripts/values-schema.js); here it
// checks what `generate` writes and what the rebuild-chain commands read.
import Ajv from 'ajv';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { packageRoot } from './package-root';
import { schemaProblemOfError, type SchemaProblem } from './schema-problem';

export const VALUES_SCHEMA_FILE = 'generator/schema/values.schema.json';

/** The lists `generate` writes and the commands read; the chart's settings are helm's to check. */
const GENERATED_LISTS = ['images', 'bases'] as const;

let validator: ReturnType<Ajv['compile']> | undefined;
let schemaRead: SchemaNode | undefined;

/** A node of the values schema, as far as the code walking it reads. */
export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  default?: unknown;
}

/** generator/schema/values.schema.json, read once. */
export function valuesSchema(): SchemaNode {
  schemaRead ??= JSON.parse(fs.readFileSync(path.join(packageRoot, VALUES_SCHEMA_FILE), 'utf8')) as SchemaNode;
  return schemaRead;
}

function validatorOfGeneratedLists(): ReturnType<Ajv['compile']> {
  if (validator) return validator;
  const schema = valuesSchema();
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true });
  ajv.addSchema(schema, 'values');
  validator = ajv.compile({
    type: 'object',
    required: [...GENERATED_LISTS],
    properties: Object.fromEntries(GENERATED_LISTS.map((key) => [key, { $ref: `values#/properties/${key}` }])),
  });
  return validator;
}

/** What is wrong with the generated lists of chart values against the schema, in document order. */
export function generatedListProblems(doc: unknown): SchemaProblem[] {
  const validate = validatorOfGeneratedLists();
  if (validate(doc)) return [];
  // An `if` whose `then` fails is reported by the failing keyword inside it (an external image's missing url).
  return (validate.errors ?? []).filter((e) => e.keyword !== 'if').map((e) => schemaProblemOfError(e));
}
