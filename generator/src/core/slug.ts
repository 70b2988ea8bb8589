// Readable, collision-free names for base images, used for Warehouse/Stage names and state files.
// The rules (docs/design.md, "Slugs") make the map injective by construction: a plain slug never
// contains `--`, a hashed one always does, and hashed slugs are checked for truncation collisions.
import { createHash } from 'node:crypto';
import type { ImageRef } from './types';
import { UserError } from './errors';

/** Longest slug, so that `base-<slug>` is a valid Kubernetes label value (63). */
export const MAX_SLUG_LENGTH = 56;
const HASH_LENGTH = 10;
const PLAIN_NAME = /^[a-z0-9]+$/;
const PLAIN_TAG = /^[a-z0-9]+([.-][a-z0-9]+)*$/;

function plainSlug(ref: ImageRef): string | undefined {
  if (ref.registry !== 'docker.io' || ref.digest !== undefined || ref.tag === undefined) return undefined;
  const match = /^library\/(.+)$/.exec(ref.repository);
  if (!match || !PLAIN_NAME.test(match[1]) || !PLAIN_TAG.test(ref.tag)) return undefined;
  const slug = `${match[1]}-${ref.tag}`;
  return slug.length <= MAX_SLUG_LENGTH ? slug : undefined;
}

function readablePart(ref: ImageRef): string {
  const registry = ref.registry === 'docker.io' ? '' : `${ref.registry}/`;
  const repository = ref.registry === 'docker.io' ? ref.repository.replace(/^library\//, '') : ref.repository;
  const text = `${registry}${repository}${ref.tag === undefined ? '' : `-${ref.tag}`}`.toLowerCase();
  const room = MAX_SLUG_LENGTH - HASH_LENGTH - 2;
  return text
    .replace(/[^a-z0-9.]+/g, '-')
    .replace(/[.-]{2,}/g, '-')
    .slice(0, room)
    .replace(/^[.-]+|[.-]+$/g, '');
}

/** The slug of a canonical image reference: `node-22-bookworm-slim`, `ghcr.io-acme-base-3.12--1a2b3c4d5e`. */
export function slugOf(ref: ImageRef): string {
  let slug = slugs.get(ref);
  if (slug === undefined) {
    slug = slugAnew(ref);
    // Only a frozen ref cannot change under its remembered slug.
    if (Object.isFrozen(ref)) slugs.set(ref, slug);
  }
  return slug;
}

/** Slugs of refs parseImageRef made (it shares one frozen object per reference), kept while the ref is. */
const slugs = new WeakMap<ImageRef, string>();

function slugAnew(ref: ImageRef): string {
  const plain = plainSlug(ref);
  if (plain !== undefined) return plain;
  const hash = createHash('sha256').update(ref.ref).digest('hex').slice(0, HASH_LENGTH);
  const readable = readablePart(ref);
  return readable === '' ? `x--${hash}` : `${readable}--${hash}`;
}

/** Throws when two different refs got one slug (only possible by a truncated-hash collision). */
export function assertSlugsDistinct(refs: ImageRef[], file: string): Map<string, string> {
  const bySlug = new Map<string, string>();
  for (const ref of refs) {
    const slug = slugOf(ref);
    const other = bySlug.get(slug);
    if (other !== undefined && other !== ref.ref) {
      throw new UserError({
        subject: file,
        message: `base images ${other} and ${ref.ref} share the slug ${slug}; report this, and pin one of them by digest meanwhile`,
      });
    }
    bySlug.set(slug, ref.ref);
  }
  return bySlug;
}
