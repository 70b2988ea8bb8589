// Where the rebuild-chain commands (graph, impact, rebuild) get the chart values from. One function,
// so the source can change in one place: today the values file `generate` writes.
import * as path from 'node:path';
import { UserError, type Problem } from '../core/errors';
import { isDuration } from '../core/duration';
import { readRegularFile } from './read-file';
import { locateInside } from './repo-paths';
import { DEFAULT_MAX_YAML_BYTES, firstInvalidUtf8, readYamlSource, yamlTooLarge, type PathSegment } from '../core/yaml-source';
import { readCanonicalYaml } from '../core/canonical-yaml';
import { describePath } from '../core/schema-problem';
import { generatedListProblems } from '../core/values-schema';
import type { SourcePosition } from '../core/types';
import type { BaseValues, ChartValues, ImageValues } from '../core/values-types';
import { valuesOfWritten } from '../core/written-values';

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
      if (problems.length === 0) return valuesOfWritten(canonical as Record<string, unknown>);
      // Positions are only needed to report problems; the full parser gives them when it can take the file.
      if (bytes.length > DEFAULT_MAX_YAML_BYTES) throw new UserError(problems);
    }
  }
  const source = readYamlSource(bytes, shown, { ...RULE, maxBytes: DEFAULT_MAX_YAML_BYTES });
  const problems = checkValues(source.value, shown, (p) => source.positionOf(p));
  if (problems.length) throw new UserError(problems);
  return valuesOfWritten(source.value as Record<string, unknown>);
}

/**
 * What is wrong with the parts of the values the rebuild chain reads (everything else is the
 * chart's business), at the positions `positionOf` gives (none for a file read without them): the
 * generated lists against generator/schema/values.schema.json, then what a schema cannot say.
 */
export function checkValues(doc: unknown, file: string, positionOf: (p: PathSegment[]) => SourcePosition | Record<string, never> = () => ({})): Problem[] {
  const problems: Problem[] = [];
  const at = (p: PathSegment[], message: string) => {
    problems.push({ subject: file, ...positionOf(p), message: `${describePath(p)} ${message}; ${FIX}` });
  };
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return [{ subject: file, line: 1, col: 1, message: `is not chart values (a mapping with images and bases); ${FIX}` }];
  for (const found of generatedListProblems(doc)) at(found.path, found.message);
  if (problems.length) return problems;

  // As the file holds them: upstreams are slugs of bases (core/values-upstreams.ts).
  const values = doc as { images: Array<Omit<ImageValues, 'upstreams'> & { upstreams: string[] }>; bases: BaseValues[] };
  values.images.forEach((image, i) => {
    // Left out at its default (7d).
    if (image.rebuildDelay !== undefined && !isDuration(image.rebuildDelay)) at(['images', i, 'rebuildDelay'], 'must be a duration such as 7d, 12h or 0');
  });
  // Cross references: names are unique, every upstream is a base, and every chain link names an enrolled image (the edges follow from the links).
  const names = new Map<string, number>();
  values.images.forEach((image, i) => {
    if (names.has(image.name)) at(['images', i, 'name'], `"${image.name}" is enrolled twice`);
    names.set(image.name, i);
  });
  const slugs = new Set(values.bases.map((base) => base.slug));
  values.images.forEach((image, i) =>
    image.upstreams.forEach((slug, j) => {
      if (!slugs.has(slug)) at(['images', i, 'upstreams', j], `"${slug}" is not the slug of an entry of bases`);
    }),
  );
  values.bases.forEach((base, k) => {
    if (base.image !== undefined && !names.has(base.image)) at(['bases', k, 'image'], `"${base.image}" is not an enrolled image`);
  });
  return problems;
}
