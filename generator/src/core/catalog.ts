// Backstage catalog entities for the image graph: a Resource (spec.type container-image) per
// enrolled image and per base image, with spec.dependsOn edges from each image to what it is built
// on. Pure: the chart values in, entities (and their YAML) out, sorted, the same bytes every time.
//
// Entity names (Backstage: 1 to 63 characters, runs of [A-Za-z0-9] separated by one of - _ .),
// unique by construction (docs/design.md, "Backstage entity names"):
// - an enrolled image: its name (a DNS label, so already valid) with each run of k >= 2 hyphens
//   written `.k.` (Backstage refuses `--`); image names never hold `.` or `_`, so this is reversible;
// - a base image: `base_` and its slug, with the `--` before a slug's hash written `_`. Image names
//   never hold `_`, so no base name equals an image name; plain slugs hold neither `--` nor `_` and
//   hashed slugs exactly one `--`, so this is reversible too, and slugs are unique (slug.ts).
import { UserError } from './errors';
import { githubSlugOfURL } from './rules';
import { byString } from './graph';
import { githubFileLink, githubWorkflowLink } from './github-links';
import { parseImageRef, repoURLOf } from './image-ref';
import { slugOf } from './slug';
import type { ChartValues } from './values-types';
import { edgesOf } from './edges';
import { renderYaml } from './canonical-yaml';

export const BACKSTAGE_API_VERSION = 'backstage.io/v1alpha1';
export const MAX_ENTITY_NAME = 63;
export const ENTITY_NAME = /^[A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*$/;
const OWNER_REF = /^(?:([A-Za-z][A-Za-z0-9]*):)?(?:([a-z0-9]+(?:-[a-z0-9]+)*)\/)?([A-Za-z0-9]+(?:[-_.][A-Za-z0-9]+)*)$/;
const TAG = 'image-factory';

export interface CatalogEntity {
  apiVersion: typeof BACKSTAGE_API_VERSION;
  kind: 'Resource';
  metadata: {
    name: string;
    title: string;
    description: string;
    annotations?: Record<string, string>;
    tags: string[];
    links?: { url: string; title: string }[];
  };
  spec: {
    type: 'container-image';
    owner: string;
    dependsOn?: string[];
  };
}

export const isEntityName = (name: string): boolean => name.length <= MAX_ENTITY_NAME && ENTITY_NAME.test(name);

function checked(name: string, what: string): string {
  if (!isEntityName(name)) {
    throw new UserError({ subject: 'chart values', message: `${what} gives the Backstage entity name ${JSON.stringify(name)}, which is over ${MAX_ENTITY_NAME} characters or not in Backstage's form; shorten the image name` });
  }
  return name;
}

/** The entity name of an enrolled image. */
export function imageEntityName(image: string): string {
  return checked(image.replace(/-{2,}/g, (run) => `.${run.length}.`), `image ${JSON.stringify(image)}`);
}

/** The entity name of a base image, from its slug. */
export function baseEntityName(slug: string): string {
  return checked(`base_${slug.replace('--', '_')}`, `base image slug ${JSON.stringify(slug)}`);
}

/** Why `owner` is not a Backstage entity reference (`group:platform`, `group:default/platform`, `platform`), or undefined. */
export function ownerProblem(owner: string): string | undefined {
  const m = OWNER_REF.exec(owner);
  if (!m || m[3].length > MAX_ENTITY_NAME || (m[2] ?? '').length > MAX_ENTITY_NAME) {
    return `${JSON.stringify(owner.length > 200 ? `${owner.slice(0, 200)}…` : owner)} is not a Backstage entity reference; write e.g. group:platform-team or user:jdoe`;
  }
  return undefined;
}

export function catalogEntities(values: ChartValues, owner: string): CatalogEntity[] {
  const problem = ownerProblem(owner);
  if (problem !== undefined) throw new UserError({ subject: '--owner', message: problem });
  const enrolledByRepo = new Map(values.images.map((i) => [repoURLOf(i), i.name]));
  const baseName = new Map<string, string>(); // ref -> entity name
  const bases: CatalogEntity[] = [];
  const addBase = (ref: string, slug: string, pinned: boolean) => {
    if (baseName.has(ref)) return;
    const name = baseEntityName(slug);
    baseName.set(ref, name);
    bases.push({
      apiVersion: BACKSTAGE_API_VERSION,
      kind: 'Resource',
      metadata: {
        name,
        title: ref,
        description: pinned
          ? `Base image ${ref}, pinned by digest: image-factory never rebuilds for it.`
          : `Base image ${ref}: image-factory rebuilds the images built on it when its digest changes.`,
        tags: [TAG, pinned ? 'pinned-base-image' : 'base-image'],
      },
      spec: { type: 'container-image', owner },
    });
  };
  for (const b of values.bases) if (!enrolledByRepo.has(b.repoURL)) addBase(b.ref, b.slug, false);
  for (const e of edgesOf(values)) if (e.fromKind === 'pinned') addBase(e.from, slugOf(parseImageRef(e.from)), true);

  const images: CatalogEntity[] = values.images.map((image) => {
    const dependsOn = new Set<string>();
    for (const up of image.upstreams) {
      const name = up.kind === 'image' && up.image !== undefined ? imageEntityName(up.image) : baseName.get(up.ref);
      if (name !== undefined) dependsOn.add(`resource:${name}`);
    }
    for (const ref of image.pinnedBases) {
      const name = baseName.get(ref);
      if (name !== undefined) dependsOn.add(`resource:${name}`);
    }
    const links = [
      { url: githubFileLink(image.source.url, image.source.branch, image.source.dockerfile), title: 'Dockerfile' },
      { url: githubWorkflowLink(image.source.url, image.source.workflow), title: 'Build workflow' },
    ].filter((l): l is { url: string; title: string } => l.url !== undefined);
    const slug = githubSlugOfURL(image.source.url);
    const entity: CatalogEntity = {
      apiVersion: BACKSTAGE_API_VERSION,
      kind: 'Resource',
      metadata: {
        name: imageEntityName(image.name),
        title: image.name,
        description: `Container image ${repoURLOf(image)}, rebuilt by image-factory when a base image changes (${image.autoRebuild ? 'automatically' : 'after a person approves'}, cooldown ${image.rebuildDelay}).`,
        annotations: slug !== undefined ? { 'github.com/project-slug': slug } : undefined,
        tags: [TAG],
        links: links.length ? links : undefined,
      },
      spec: { type: 'container-image', owner, dependsOn: dependsOn.size ? [...dependsOn].sort(byString) : undefined },
    };
    return entity;
  });

  const all = [...images.sort((a, b) => byString(a.metadata.name, b.metadata.name)), ...bases.sort((a, b) => byString(a.metadata.name, b.metadata.name))];
  // Unique by construction; a slug hash collision would be the one way to break it, and is refused.
  const seen = new Map<string, string>();
  for (const e of all) {
    const key = e.metadata.name.toLowerCase();
    const other = seen.get(key);
    if (other !== undefined) throw new UserError({ subject: 'chart values', message: `${other} and ${e.metadata.title} would share the Backstage entity name ${e.metadata.name}; report this` });
    seen.set(key, e.metadata.title);
  }
  return all;
}

/** The entities as one multi-document YAML file (catalog-info.yaml). */
export function renderCatalog(entities: readonly CatalogEntity[]): string {
  const header = 'Generated by `image-factory catalog` from the chart values. Do not edit: run it again.';
  return entities.map((e, i) => (i === 0 ? renderYaml(e, header) : `---\n${renderYaml(e)}`)).join('');
}
