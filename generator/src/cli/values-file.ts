// Where the rebuild-chain commands (graph, impact, rebuild) get the chart values from. One function,
// so the source can change in one place: today the values file `generate` writes.
import * as path from 'node:path';
import { UserError, type Problem } from '../core/errors';
import { isDuration } from '../core/duration';
import { readRegularFile } from './read-file';
import { locateInside } from './repo-paths';
import { DEFAULT_MAX_YAML_BYTES, firstInvalidUtf8, readYamlSource, yamlTooLarge, type PathSegment } from '../core/yaml-source';
import { readCanonicalYaml } from '../core/canonical-yaml';
import type { SourcePosition } from '../core/types';
import type { ChartValues } from '../core/values-types';
import { IMAGE_NAME } from '../core/rules';

export interface ValuesOptions {
  /** The state repo (the folder holding images.yaml); default the current folder. */
  root?: string;
  /** A values file; default `<root>/dist/values.yaml`. */
  values?: string;
}

export const DEFAULT_VALUES_PATH = path.join('dist', 'values.yaml');
/**
 * The largest values file read. `generate` writes about 1.2 KB an image (10,000 images: 11.5 MB) and
 * refuses to write more than this. A file as generate wrote it is read by a lean reader; a
 * hand-edited one goes through the full YAML parser, which keeps positions and takes at most
 * DEFAULT_MAX_YAML_BYTES.
 */
export const MAX_VALUES_BYTES = 64 * 1024 * 1024;

const FIX = 'run `image-factory generate` to write it again';
const RULE = { what: 'a values file', fixHint: FIX };

/** Reads and checks the chart values; a UserError (file:line:col) when they are missing or not in shape. */
export function loadValues(opts: ValuesOptions = {}): ChartValues {
  const root = path.resolve(opts.root ?? '.');
  const file = opts.values !== undefined ? path.resolve(opts.values) : path.join(root, DEFAULT_VALUES_PATH);
  const shown = path.relative(process.cwd(), file) || file;
  if (opts.values === undefined) {
    // The default file is the state repo's: a committed link out of it (to a secret) is not read.
    const found = locateInside(root, DEFAULT_VALUES_PATH);
    if (found.kind === 'outside') throw new UserError({ subject: shown, message: `is a symbolic link to ${found.real}, outside the state repo; run \`image-factory generate\` to write the file itself` });
  }
  const read = readRegularFile(file, shown, { maxBytes: MAX_VALUES_BYTES, fix: 'name the chart values file (dist/values.yaml)' });
  if (read.kind === 'missing') {
    throw new UserError({
      subject: shown,
      message:
        opts.values !== undefined
          ? 'no such file; check the --values path'
          : `no such file; run \`image-factory generate --root ${opts.root ?? '.'}\` first, or name a values file with --values`,
    });
  }
  if (read.kind === 'too-large') throw yamlTooLarge(read.size, shown, { ...RULE, maxBytes: MAX_VALUES_BYTES });
  const bytes = read.bytes;
  if (firstInvalidUtf8(bytes) < 0) {
    const canonical = readCanonicalYaml(bytes.toString('utf8'));
    if (canonical !== undefined) {
      const problems = checkValues(canonical, shown);
      if (problems.length === 0) return canonical as ChartValues;
      // Positions are only needed to report problems; the full parser gives them when it can take the file.
      if (bytes.length > DEFAULT_MAX_YAML_BYTES) throw new UserError(problems);
    }
  }
  const source = readYamlSource(bytes, shown, { ...RULE, maxBytes: DEFAULT_MAX_YAML_BYTES });
  const problems = checkValues(source.value, shown, (p) => source.positionOf(p));
  if (problems.length) throw new UserError(problems);
  return source.value as ChartValues;
}

type Json = unknown;

/**
 * What is wrong with the parts of the values the rebuild chain reads (everything else is the
 * chart's business), at the positions `positionOf` gives (none for a file read without them).
 */
export function checkValues(doc: Json, file: string, positionOf: (p: PathSegment[]) => SourcePosition | Record<string, never> = () => ({})): Problem[] {
  const problems: Problem[] = [];
  const at = (p: PathSegment[], message: string) => {
    problems.push({ subject: file, ...positionOf(p), message: `${describe(p)} ${message}; ${FIX}` });
  };
  const isObj = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const str = (v: Json, p: PathSegment[], pattern?: RegExp) => {
    if (typeof v !== 'string') at(p, 'must be a string');
    else if (pattern && !pattern.test(v)) at(p, `"${v}" is not valid here`);
  };
  const bool = (v: Json, p: PathSegment[]) => {
    if (typeof v !== 'boolean') at(p, 'must be true or false');
  };
  const list = (v: Json, p: PathSegment[]): Json[] => {
    if (!Array.isArray(v)) {
      at(p, 'must be a list');
      return [];
    }
    return v;
  };
  const K8S = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;

  if (!isObj(doc)) return [{ subject: file, line: 1, col: 1, message: `is not chart values (a mapping with images, bases and edges); ${FIX}` }];
  list(doc.images, ['images']).forEach((image, i) => {
    const p: PathSegment[] = ['images', i];
    if (!isObj(image)) return at(p, 'must be a mapping');
    str(image.name, [...p, 'name'], IMAGE_NAME);
    for (const key of ['registry', 'repository', 'repoURL', 'soakTime', 'stateFile']) str(image[key], [...p, key]);
    for (const key of ['warehouse', 'analysisStage', 'rebuildStage']) str(image[key], [...p, key], K8S);
    if (typeof image.rebuildDelay !== 'string' || !isDuration(image.rebuildDelay)) at([...p, 'rebuildDelay'], 'must be a duration such as 7d, 12h or 0');
    bool(image.autoRebuild, [...p, 'autoRebuild']);
    bool(image.analyzed, [...p, 'analyzed']);
    const src = image.source;
    if (!isObj(src)) at([...p, 'source'], 'must be a mapping');
    else {
      for (const key of ['repo', 'host', 'url', 'tokenKey', 'branch', 'dockerfile', 'workflow']) str(src[key], [...p, 'source', key]);
      if (src.provider !== 'github' && src.provider !== 'gitlab' && src.provider !== 'git') at([...p, 'source', 'provider'], 'must be github, gitlab or git');
      bool(src.local, [...p, 'source', 'local']);
    }
    const trigger = image.trigger;
    if (!isObj(trigger)) at([...p, 'trigger'], 'must be a mapping {kind, url}');
    else {
      if (!['github', 'gitlab', 'webhook', 'none'].includes(String(trigger.kind))) at([...p, 'trigger', 'kind'], 'must be github, gitlab, webhook or none');
      str(trigger.url, [...p, 'trigger', 'url']);
    }
    const inputs = image.dispatchInputs;
    if (!isObj(inputs)) at([...p, 'dispatchInputs'], 'must be a mapping ({} when the workflow takes no inputs)');
    else {
      for (const [key, value] of Object.entries(inputs)) {
        if (key !== 'baseImage' && key !== 'baseDigest') at([...p, 'dispatchInputs', key], 'is not a dispatch input (use baseImage or baseDigest)');
        else str(value, [...p, 'dispatchInputs', key], /^[A-Za-z_][A-Za-z0-9_-]{0,99}$/);
      }
    }
    list(image.upstreams, [...p, 'upstreams']).forEach((up, j) => {
      const q: PathSegment[] = [...p, 'upstreams', j];
      if (!isObj(up)) return at(q, 'must be a mapping');
      if (up.kind !== 'base' && up.kind !== 'image') at([...q, 'kind'], 'must be base or image');
      for (const key of ['ref', 'repoURL']) str(up[key], [...q, key]);
      for (const key of ['warehouse', 'stage']) str(up[key], [...q, key], K8S);
      str(up.key, [...q, 'key'], /^[a-z0-9_-]{1,63}$/);
      if (up.kind === 'image') str(up.image, [...q, 'image'], IMAGE_NAME);
    });
    list(image.pinnedBases, [...p, 'pinnedBases']).forEach((ref, j) => str(ref, [...p, 'pinnedBases', j]));
  });
  list(doc.bases, ['bases']).forEach((base, i) => {
    const p: PathSegment[] = ['bases', i];
    if (!isObj(base)) return at(p, 'must be a mapping');
    for (const key of ['slug', 'ref', 'registry', 'repository', 'repoURL', 'warehouse', 'stage']) str(base[key], [...p, key]);
    str(base.key, [...p, 'key'], /^[a-z0-9_-]{1,63}$/);
    list(base.usedBy, [...p, 'usedBy']).forEach((name, j) => str(name, [...p, 'usedBy', j], IMAGE_NAME));
  });
  list(doc.edges, ['edges']).forEach((edge, i) => {
    const p: PathSegment[] = ['edges', i];
    if (!isObj(edge)) return at(p, 'must be a mapping');
    str(edge.from, [...p, 'from']);
    str(edge.to, [...p, 'to'], IMAGE_NAME);
    if (edge.fromKind !== 'base' && edge.fromKind !== 'image' && edge.fromKind !== 'pinned') at([...p, 'fromKind'], 'must be base, image or pinned');
  });
  if (problems.length) return problems;

  const values = doc as unknown as ChartValues;
  // Cross references: names are unique, and every chain link and edge names an enrolled image.
  const names = new Map<string, number>();
  values.images.forEach((image, i) => {
    if (names.has(image.name)) at(['images', i, 'name'], `"${image.name}" is enrolled twice`);
    names.set(image.name, i);
  });
  values.images.forEach((image, i) =>
    image.upstreams.forEach((up, j) => {
      if (up.kind === 'image' && !names.has(up.image ?? '')) at(['images', i, 'upstreams', j, 'image'], `"${up.image}" is not an enrolled image`);
    }),
  );
  values.edges.forEach((edge, i) => {
    if (!names.has(edge.to)) at(['edges', i, 'to'], `"${edge.to}" is not an enrolled image`);
    if (edge.fromKind === 'image' && !names.has(edge.from)) at(['edges', i, 'from'], `"${edge.from}" is not an enrolled image`);
  });
  return problems;
}

function describe(p: PathSegment[]): string {
  return p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}
