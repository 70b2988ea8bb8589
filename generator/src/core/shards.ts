// A large estate split over several chart releases, one Kargo Project each (images.yaml `shards`).
// Each image goes to the shard with the longest prefix of its name. A shard's values are the whole
// estate's, partitioned: its images' entries unchanged, the bases they use, their edges, and the
// source repositories of its external images; so the shards' releases together render exactly
// what one release of the whole would (docs/design.md, "Beyond one Kargo Project"). A chain may
// cross shards: a child watches the exact tag of its parent through a base Warehouse of its own
// release, as it does in one release.
import { UserError, type Problem } from './errors';
import type { ImagesConfig, ShardSetting, SourcePosition } from './types';
import { externalRepositoriesOf, rebuildTasksOf } from './values';
import type { ChartValues } from './values-types';
import { usersOfBases } from './edges';

/** A shard's values: the chart values of its images, and its own Kargo Project. */
export type ShardValues = { project: { name: string } } & ChartValues;

export const shardValuesPath = (shard: string): string => `dist/values-${shard}.yaml`;
export const shardProjectName = (shard: string): string => `image-factory-${shard}`;

const at = (file: string, position: SourcePosition, message: string): Problem => ({ subject: file, line: position.line, col: position.col, message });

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
export function shardOfImages(config: ImagesConfig): Map<string, string> {
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
  if (problems.length) throw new UserError(problems);
  return shardOf;
}

/** Every shard's values (shards without images included), in the order images.yaml lists them. */
export function shardValuesOf(config: ImagesConfig, values: ChartValues): Map<string, ShardValues> {
  const shardOf = shardOfImages(config);
  const out = new Map<string, ShardValues>();
  for (const shard of config.shards ?? []) {
    const mine = (name: string) => shardOf.get(name) === shard.name;
    const images = values.images.filter((i) => mine(i.name));
    const used = usersOfBases({ images });
    const bases = values.bases.filter((b) => used.has(b.ref));
    out.set(shard.name, {
      project: { name: shardProjectName(shard.name) },
      ...(values.stateRepo ? { stateRepo: values.stateRepo } : {}),
      externalRepositories: externalRepositoriesOf(images),
      rebuildTasks: rebuildTasksOf(images),
      images,
      bases,
    });
  }
  return out;
}
