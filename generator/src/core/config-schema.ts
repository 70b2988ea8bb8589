// images.yaml's schema (generator/schema/images.schema.json) compiled once, with the rules it names
// by `format`: the single statement of the file's shape, which editors use directly.
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { schemaProblemOfError } from './schema-problem';
import { parseDuration } from './duration';
import { ImageRefError, parseImageRef } from './image-ref';
import { packageRoot } from './package-root';
import { gitlabProjectPathProblem } from './providers/gitlab';
import { webhookURLProblem } from './providers/webhook';
import { githubSlugOfURL, refNameProblem, repoPathProblem } from './rules';

export const IMAGES_SCHEMA_FILE = 'generator/schema/images.schema.json';

// ---------------------------------------------------------------------------------------------
// Rules the schema names by `format`. Each returns why a value is wrong (phrased to follow
// `<key> "<value>"`), or undefined when it is fine.

/** Why `url` is not an https git URL the state repo can be cloned from without secrets. */
export function stateRepoURLProblem(url: string): string | undefined {
  const fix = 'e.g. https://github.com/acme/images-state.git';
  if (url.startsWith('-')) return `starts with "-"; write the https URL, ${fix}`;
  if (/[\s\x00-\x1f\x7f]/.test(url)) return `contains white space or a control character; write the https URL, ${fix}`;
  if (/^[^/:]+@[^:]+:/.test(url) || url.startsWith('ssh://')) return `is an SSH address; write the https URL instead, ${fix}`;
  if (!/^https:\/\//.test(url)) return `is not an https URL; write the https URL, ${fix}`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `is not a valid URL; ${fix}`;
  }
  if (parsed.username || parsed.password || /^https:\/\/[^/]*@/.test(url)) {
    return 'contains credentials; remove them from the URL and give Kargo a repository credentials Secret instead';
  }
  if (parsed.search || parsed.hash) return `has a query or fragment; write the repository URL only, ${fix}`;
  if (parsed.pathname === '/' || parsed.pathname === '') return `names no repository; ${fix}`;
  if (parsed.hostname === 'github.com' && githubSlugOfURL(url) === undefined) {
    return 'is not a GitHub repository URL; write https://github.com/<owner>/<name>.git';
  }
  return undefined;
}

/**
 * Why `pattern` is not a regular expression Kargo can use. Kargo compiles tag patterns with Go's RE2,
 * which has no look-around and no back-references; the rest is close enough to JavaScript's syntax.
 */
export function goRegexpProblem(pattern: string): string | undefined {
  if (/\(\?<?[=!]/.test(pattern)) return "uses a look-around ((?=, (?!, (?<=, (?<!), which Kargo's Go regular expressions do not support";
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(pattern)) return "uses a back-reference (\\1), which Kargo's Go regular expressions do not support";
  try {
    new RegExp(pattern);
  } catch (e) {
    const reason = e instanceof Error ? e.message.replace(/^Invalid regular expression: \/.*\/[a-z]*: /s, '') : 'invalid';
    return `is not a valid regular expression (${reason.toLowerCase()}); escape special characters such as . ( [ with \\`;
  }
  return undefined;
}

function imageRefProblem(text: string): string | undefined {
  try {
    parseImageRef(text);
    return undefined;
  } catch (e) {
    if (!(e instanceof ImageRefError)) throw e;
    const prefix = `invalid image reference ${JSON.stringify(text)}: `;
    const reason = e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
    return `is not a valid image reference: ${reason}`;
  }
}

function durationProblem(text: string): string | undefined {
  try {
    parseDuration(text);
    return undefined;
  } catch (e) {
    if (e instanceof RangeError) return e.message;
    throw e;
  }
}

function kargoDurationProblem(text: string): string | undefined {
  if (!/^([0-9]+(\.[0-9]+)?(s|m|h))+$/.test(text)) return 'is not a Kargo duration; use s, m or h units, e.g. 30m, 2h, 1h30m';
  if (!/[1-9]/.test(text)) return 'is zero; a poll interval must be longer, e.g. 30m';
  return undefined;
}

export const FORMAT_RULES: Readonly<Record<string, (text: string) => string | undefined>> = {
  duration: durationProblem,
  'kargo-duration': kargoDurationProblem,
  'git-branch': (name: string) => refNameProblem(name, 'branch'),
  'repo-path': repoPathProblem,
  'https-git-url': stateRepoURLProblem,
  'go-regexp': goRegexpProblem,
  'image-ref': imageRefProblem,
  'gitlab-project-path': gitlabProjectPathProblem,
  'webhook-url': webhookURLProblem,
};

// ---------------------------------------------------------------------------------------------
// The schema and its validators.

export interface SchemaNode {
  $ref?: string;
  type?: string | string[];
  title?: string;
  description?: string;
  examples?: unknown[];
  properties?: Record<string, SchemaNode>;
  propertyNames?: SchemaNode;
  enum?: unknown[];
  patternErrorMessage?: string;
  definitions?: Record<string, SchemaNode>;
}

let compiled: { ajv: Ajv; schema: SchemaNode } | undefined;

/**
 * images.yaml's schema, compiled on first use: loading a command (for `--help`) must not pay the
 * ~250 ms of compiling it.
 */
function imagesSchema(): { ajv: Ajv; schema: SchemaNode } {
  if (compiled) return compiled;
  const schema = JSON.parse(fs.readFileSync(path.join(packageRoot, IMAGES_SCHEMA_FILE), 'utf8')) as SchemaNode;
  const ajv = new Ajv({ allErrors: true, verbose: true, strict: true, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv);
  // Shown by editors (VS Code, yaml-language-server) and reused here for the same message.
  ajv.addKeyword({ keyword: 'patternErrorMessage', schemaType: 'string' });
  for (const [name, problemOf] of Object.entries(FORMAT_RULES)) {
    ajv.addFormat(name, { type: 'string', validate: (text: string) => problemOf(text) === undefined });
  }
  ajv.addSchema(schema as object, 'images');
  compiled = { ajv, schema };
  return compiled;
}

/** The validator of one definition of images.schema.json (`imageList`, `config`, …). */
export function validatorOf(definition: string): ValidateFunction {
  const validate = imagesSchema().ajv.getSchema(`images#/definitions/${definition}`);
  if (!validate) throw new Error(`images.schema.json has no definition ${definition}`);
  return validate;
}

/**
 * What is wrong with a value against one definition of images.schema.json (a JSON pointer below
 * `#/definitions/`, e.g. `subscription` or `image/properties/registry`), or undefined when it
 * conforms: for enrollment fields that arrive as JSON rather than in images.yaml (the analysis
 * service's request), so that both accept exactly the same values. `path` is dotted, inside the value.
 */
export function schemaProblemOf(definition: string, value: unknown): { path: string; message: string } | undefined {
  const validate = validatorOf(definition);
  if (validate(value)) return undefined;
  const e = (validate.errors ?? []).find((x) => x.keyword !== 'if');
  if (!e) return { path: '', message: 'is not valid' };
  const found = schemaProblemOfError(e, { resolve: (node) => resolveRef(node as SchemaNode | undefined), formats: FORMAT_RULES });
  return { path: found.path.map(String).join('.'), message: found.message };
}

export function resolveRef(node: SchemaNode | undefined): SchemaNode | undefined {
  let current = node;
  for (let hops = 0; current?.$ref && hops < 8; hops++) {
    const name = /^#\/definitions\/(.+)$/.exec(current.$ref)?.[1];
    const target = name ? imagesSchema().schema.definitions?.[name] : undefined;
    // Keywords written next to a $ref (title, description) describe this use and win.
    const { $ref: _ref, ...own } = current;
    current = target ? { ...target, ...own } : undefined;
  }
  return current;
}
