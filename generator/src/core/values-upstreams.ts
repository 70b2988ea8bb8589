// An image's upstreams are written to the values file as slugs of `bases`, and read back in full.
// Everything else an upstream holds (its ref, whether it is a chain link and to which image) is the
// base's: written once per base instead of once per image that uses it. Helm's time at 10,000 images
// follows the values' nodes, and an upstream as an object of ref and slug cost about a third of the
// schema round trip (docs/design.md "Render time").
import type { BaseValues, ChartValues, ImageValues } from './values-types';

/** What an image's rebuild Stage requests Freight from, as the commands hold it (the file holds the slug). */
export interface UpstreamValues {
  /** Base image reference, with its tag (the base's ref) */
  ref: string;
  /** base: a base image; image: a tag of an enrolled image (both watched by a base Warehouse) */
  kind: 'base' | 'image';
  /** Slug of the base: its Warehouse and Stage are base-<slug>; the image's lastRebuild.bases key and digests/<key>.yaml are the slug with . as _ */
  slug: string;
  /** kind image: the enrolled image whose tag this is (the base's image) */
  image?: string;
}

/** The values with each image's upstreams as the slugs of their bases, as the file holds them. */
export function withUpstreamSlugs(values: ChartValues): Omit<ChartValues, 'images'> & { images: Array<Omit<ImageValues, 'upstreams'> & { upstreams: string[] }> } {
  return { ...values, images: values.images.map((image) => ({ ...image, upstreams: image.upstreams.map((up) => up.slug) })) };
}

/** An upstream in full: the base its slug names. */
export function upstreamOf(base: BaseValues): UpstreamValues {
  return base.image === undefined ? { ref: base.ref, kind: 'base', slug: base.slug } : { ref: base.ref, kind: 'image', image: base.image, slug: base.slug };
}

/**
 * Values read from a file, each upstream slug replaced by the upstream its base describes. The file
 * has been checked first (cli/values-file.ts: every slug names a base), so a slug without a base is
 * a bug, not a user's mistake.
 */
export function withUpstreamsOfBases(doc: Record<string, unknown>): Record<string, unknown> {
  const bases = doc.bases as BaseValues[];
  const bySlug = new Map(bases.map((base) => [base.slug, upstreamOf(base)]));
  const images = (doc.images as Array<Record<string, unknown>>).map((image) => ({
    ...image,
    upstreams: (image.upstreams as string[]).map((slug) => {
      const up = bySlug.get(slug);
      if (up === undefined) throw new Error(`image ${String(image.name)}: upstream ${slug} is not in bases`);
      return up;
    }),
  }));
  return { ...doc, images };
}
