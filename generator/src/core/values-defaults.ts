// The values file leaves out every generated property that has its schema default (a `default` in
// generator/schema/values.schema.json): most images build from `main`, trigger GitHub, pass the
// default dispatch inputs, and so on. Helm parses and, with a schema, round-trips every values node
// before rendering, and that cost grows with the number of nodes, not with their size (docs/design.md
// "Render time"), so a default written 10,000 times is paid for 10,000 times. The templates read such
// a property with its default (`dig`); the commands read the file through withDefaults, so in memory
// every property is there (written-values.ts puts the two steps of the file's form together).
import { valuesSchema, type SchemaNode } from './values-schema';
import type { ChartValues } from './values-types';

/** Equal as data, key order aside (unlike same-json.ts, which compares texts): defaults are small literals (strings, booleans, flat objects, empty lists). */
function sameIgnoringKeyOrder(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null || Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => k in b && sameIgnoringKeyOrder((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `value` as the schema node describes it, each property dropped (`omit`) or filled in (`fill`) against its default. */
function walk(value: unknown, node: SchemaNode, mode: 'omit' | 'fill'): unknown {
  if (Array.isArray(value)) return node.items ? value.map((item) => walk(item, node.items!, mode)) : value;
  const properties = node.properties;
  if (!isRecord(value) || properties === undefined) return value;
  const out: Record<string, unknown> = {};
  // Keys the schema does not name are kept as they are (the schema check reports them).
  for (const key of Object.keys(value)) {
    const child = value[key];
    const property = properties[key];
    if (property === undefined) out[key] = child;
    else if (!(mode === 'omit' && 'default' in property && sameIgnoringKeyOrder(child, property.default))) out[key] = walk(child, property, mode);
  }
  if (mode === 'fill') {
    for (const [key, property] of Object.entries(properties)) if (!(key in value) && 'default' in property) out[key] = structuredClone(property.default);
  }
  return out;
}

/** The values with every generated property that has its default left out. */
export function withoutDefaults(values: object): Record<string, unknown> {
  return walk(values, valuesSchema(), 'omit') as Record<string, unknown>;
}

/** Values read from a file, with every left-out property back at its default. */
export function withDefaults(doc: Record<string, unknown>): ChartValues {
  return walk(doc, valuesSchema(), 'fill') as ChartValues;
}
