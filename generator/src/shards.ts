// A large estate split over several chart releases, one Kargo Project each (images.yaml `shards`).
// Each image goes to the shard with the longest prefix of its name, and each shard's values are
// computed by the same valuesOf from that shard's images alone, so the shards' releases together
// render what one release of the whole would (docs/design.md, "Beyond one Kargo Project"). A chain
// (an image built FROM another enrolled image) must stay within one shard: a Stage cannot request
// Freight from another Project's Warehouse, and treating the parent as a plain base image in the
// child's shard would silently change when the child rebuilds.
import { UserError, type Problem } from './errors';
import { repoURLOf } from './image-ref';
import type { ImageState } from './state';
import type { ImagesConfig, ShardSetting, SourcePosition } from './types';
import { usedRefsOf, valuesOf } from './values';
import type { ChartValues } from './values-types';

/** A shard's values: the chart values of its images, and its own Kargo Project. */
export type ShardValues = { project: { name: string } } & ChartValues;

export const shardValuesPath = (shard: string): string => `dist/values-${shard}.yaml`;
export const shardProjectName = (shard: string): string => `image-factory-${shard}`;

const at = (file: string, position: SourcePosition, message: string): Problem => ({ file, line: position.line, col: position.col, message });

/** Shard names and prefixes are each used once. */
function checkSettings(file: string, shards: readonly ShardSetting[]): Problem[] {
  const problems: Problem[] = [];
  const names = new Map<string, ShardSetting>();
  const prefixes = new Map<string, { shard: string; position: SourcePosition }>();
  for (const shard of shards) {
    const first = names.get(shard.name);
    if (first) problems.push(at(file, shard.position, `shard name "${shard.name}" is used twice (first at line ${first.position.line}, column ${first.position.col}); give each shard its own name`));
    else names.set(shard.name, shard);
    for (const { prefix, position } of shard.prefixes) {
      const taken = prefixes.get(prefix);
      if (taken) {
        problems.push(at(file, position, `prefix "${prefix}" is already taken by shard "${taken.shard}" (line ${taken.position.line}, column ${taken.position.col}); a prefix belongs to one shard`));
      } else prefixes.set(prefix, { shard: shard.name, position });
    }
  }
  return problems;
}

/** Image name → shard name: the shard with the longest prefix of the name. Throws UserError listing every problem. */
export function shardOfImages(config: ImagesConfig, states: ReadonlyMap<string, ImageState>): Map<string, string> {
  const shards = config.shards ?? [];
  const problems = checkSettings(config.file, shards);
  if (problems.length) throw new UserError(problems);
  const byPrefix = shards.flatMap((s) => s.prefixes.map(({ prefix }) => ({ prefix, shard: s.name }))).sort((a, b) => b.prefix.length - a.prefix.length);
  const shardOf = new Map<string, string>();
  for (const image of config.images) {
    const match = byPrefix.find(({ prefix }) => image.name.startsWith(prefix));
    if (match) shardOf.set(image.name, match.shard);
    else {
      problems.push(at(config.file, image.position, `image "${image.name}" matches no shard's prefixes; add a prefix for it to a shard (e.g. "${image.name.split('-')[0]}-"), or give one shard the prefix "" to take every image left over`));
    }
  }
  const enrolledByRepo = new Map(config.images.map((i) => [`${i.registry}/${i.repository}`, i.name]));
  for (const image of config.images) {
    const state = states.get(image.name);
    const shard = shardOf.get(image.name);
    if (!state || shard === undefined) continue;
    for (const ref of usedRefsOf(state)) {
      const parent = ref.digest === undefined ? enrolledByRepo.get(repoURLOf(ref)) : undefined;
      const parentShard = parent === undefined ? undefined : shardOf.get(parent);
      if (parentShard !== undefined && parentShard !== shard) {
        problems.push(at(config.file, image.position, `image "${image.name}" (shard "${shard}") builds on enrolled image "${parent}" (shard "${parentShard}"); a chain must stay in one shard, because a Kargo Stage cannot take Freight from another Project: put both in one shard`));
      }
    }
  }
  if (problems.length) throw new UserError(problems);
  return shardOf;
}

/** Every shard's values (shards without images included), in the order images.yaml lists them. */
export function shardValuesOf(config: ImagesConfig, states: ReadonlyMap<string, ImageState>): Map<string, ShardValues> {
  const shardOf = shardOfImages(config, states);
  const out = new Map<string, ShardValues>();
  for (const shard of config.shards ?? []) {
    const images = config.images.filter((i) => shardOf.get(i.name) === shard.name);
    out.set(shard.name, { project: { name: shardProjectName(shard.name) }, ...valuesOf({ ...config, images }, states) });
  }
  return out;
}
