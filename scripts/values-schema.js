#!/usr/bin/env node
// The chart values' one statement of shape is generator/schema/values.schema.json. From it this
// script writes the two files that must agree with it:
// - values.schema.json at the chart root, which helm checks values against (see chartSchemaOf);
// - generator/src/core/values-types.ts, the TypeScript types of what `generate` writes.
// `--check` changes nothing and exits 1 when either is out of date (a test runs it).
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const SOURCE = 'generator/schema/values.schema.json';
const CHART_SCHEMA = 'values.schema.json';
const TYPES = 'generator/src/core/values-types.ts';

/**
 * The chart's schema is the source itself: helm checks every value, the generated lists included,
 * so a hand-edited values file cannot slip a Kargo expression into a rendered field. Letting the
 * lists through unchecked was measured to save nothing: helm's cost is turning all values into YAML
 * and back before validating, whatever the schema says (docs/design.md "Render time").
 */
function chartSchemaOf(source) {
  return source;
}

/** Each generated interface and the schema node it is the type of. */
const INTERFACES = [
  ['TriggerValues', '/properties/images/items/properties/trigger'],
  ['ImageValues', '/properties/images/items'],
  ['BaseValues', '/properties/bases/items'],
];

/**
 * Nodes typed by a name from another module: images.yaml's own types (core/types.ts), which the
 * values carry as images.yaml resolved them, and an upstream, which the file writes as the slug of
 * a base and the commands hold in full (core/values-upstreams.ts).
 */
const IMPORTED = [
  ['ImageSubscription', '/properties/images/items/properties/subscription', './types'],
  ['DispatchInputs', '/properties/images/items/properties/dispatchInputs', './types'],
  ['UpstreamValues', '/properties/images/items/properties/upstreams/items', './values-upstreams'],
];

/** The top level of a values file `generate` writes: these keys of the chart values. */
const CHART_VALUES_KEYS = { stateRepo: false, externalRepositories: true, rebuildTasks: true, images: true, bases: true };

function nodeAt(schema, pointer) {
  return pointer
    .split('/')
    .slice(1)
    .reduce((node, key) => node[key], schema);
}

function typeOf(node, named, indent) {
  for (const [name, pointer] of named) if (node === named.nodes.get(pointer)) return name;
  if (node.enum) return node.enum.map((v) => (typeof v === 'string' ? `'${v}'` : JSON.stringify(v))).join(' | ');
  switch (node.type) {
    case 'string':
      return 'string';
    case 'boolean':
      return 'boolean';
    case 'integer':
    case 'number':
      return 'number';
    case 'array':
      return `${wrap(typeOf(node.items ?? {}, named, indent))}[]`;
    case 'object':
      if (node.properties) return objectOf(node, named, indent, Object.keys(node.properties));
      if (typeof node.additionalProperties === 'object') return `Record<string, ${typeOf(node.additionalProperties, named, indent)}>`;
      return 'Record<string, unknown>';
    default:
      return 'unknown';
  }
}

const wrap = (type) => (type.includes(' | ') ? `(${type})` : type);

// A property required only under a condition (`then`: an external image's repo and url) is
// present in memory too: where the file leaves it out, the reader fills it in (core/values-local-source.ts).
function objectOf(node, named, indent, keys, required = new Set([...(node.required ?? []), ...(node.then?.required ?? [])])) {
  const inner = `${indent}  `;
  const lines = keys.map((key) => {
    const property = node.properties[key];
    const doc = property.description ? `${inner}/** ${property.description.replace(/\*\//g, '* /')} */\n` : '';
    // A property with a default is left out of the file when it has that value, and always present
    // once read (values-defaults.ts fills it in), so its type is not optional.
    const present = required.has(key) || 'default' in property;
    return `${doc}${inner}${key}${present ? '' : '?'}: ${typeOf(property, named, inner)};`;
  });
  return `{\n${lines.join('\n')}\n${indent}}`;
}

/** One `import type` line per module, names sorted. */
function importsOf(imported) {
  const byModule = new Map();
  for (const [name, , module] of imported) byModule.set(module, [...(byModule.get(module) ?? []), name]);
  return [...byModule].map(([module, names]) => `import type { ${names.sort().join(', ')} } from '${module}';`);
}

function typesOf(source) {
  const named = [...INTERFACES, ...IMPORTED].map(([name, pointer]) => [name, pointer]);
  named.nodes = new Map([...INTERFACES, ...IMPORTED].map(([, pointer]) => [pointer, nodeAt(source, pointer)]));
  const own = (name) => named.filter(([n]) => n !== name);
  const blocks = INTERFACES.map(([name, pointer]) => {
    const others = own(name);
    others.nodes = named.nodes;
    const node = nodeAt(source, pointer);
    return `export interface ${name} ${objectOf(node, others, '', Object.keys(node.properties))}`;
  });
  const keys = Object.keys(CHART_VALUES_KEYS);
  const top = objectOf(source, named, '', keys, new Set(keys.filter((k) => CHART_VALUES_KEYS[k])));
  return [
    `// Generated by scripts/values-schema.js from ${SOURCE}: edit the schema and run \`node scripts/values-schema.js\`.`,
    '// The shape of the Helm values `generate` writes (dist/values.yaml); docs/design.md explains each field.',
    ...importsOf(IMPORTED),
    '',
    ...blocks.map((b) => `${b}\n`),
    '/** The chart values `generate` writes: the settings it takes from images.yaml and every generated list. */',
    `export interface ChartValues ${top}`,
    '',
  ].join('\n');
}

function outputs() {
  const source = JSON.parse(fs.readFileSync(path.join(root, SOURCE), 'utf8'));
  return new Map([
    [CHART_SCHEMA, `${JSON.stringify(chartSchemaOf(source), null, 2)}\n`],
    [TYPES, typesOf(source)],
  ]);
}

if (process.argv.includes('--check')) {
  const stale = [...outputs()].filter(([file, text]) => !fs.existsSync(path.join(root, file)) || fs.readFileSync(path.join(root, file), 'utf8') !== text).map(([file]) => file);
  if (stale.length) {
    console.error(`${stale.join(', ')}: out of date with ${SOURCE}; run \`node scripts/values-schema.js\``);
    process.exit(1);
  }
} else {
  for (const [file, text] of outputs()) fs.writeFileSync(path.join(root, file), text);
  console.log(`${CHART_SCHEMA} and ${TYPES} written from ${SOURCE}`);
}
