// What a change of one base image (or a new build of an enrolled image) sets off: every image it
// would rebuild, in rebuild order, with each image's delay and the shortest total delay along the
// chain. Pure, over the chart values (`image-factory impact`).
import { UserError } from './errors';
import { ImageRefError, parseImageRef, repoURLOf } from './image-ref';
import { parseDuration } from './duration';
import { assertAcyclic, byString, chainGraph, externalBases, topologicalOrder, VALUES_LABEL, type ChainGraph } from './graph';
import type { ChartValues, ImageValues } from './values-types';
import { edgesOf } from './edges';

/** Seconds as users write durations: `7d`, `2d12h`, `1h30m`, `0`. */
export function formatDelay(seconds: number): string {
  if (seconds === 0) return '0';
  const parts: [number, string][] = [
    [Math.floor(seconds / 86400), 'd'],
    [Math.floor((seconds % 86400) / 3600), 'h'],
    [Math.floor((seconds % 3600) / 60), 'm'],
    [seconds % 60, 's'],
  ];
  return parts.filter(([n]) => n > 0).map(([n, u]) => `${n}${u}`).join('');
}

function delaySecondsOf(image: ImageValues): number {
  try {
    return parseDuration(image.rebuildDelay);
  } catch (e) {
    throw new UserError({ subject: VALUES_LABEL, message: `image "${image.name}": rebuildDelay "${image.rebuildDelay}" ${(e as Error).message}` });
  }
}

/** One image a base change would rebuild. */
export interface ImpactEntry {
  name: string;
  /** The image's own delay, as written in images.yaml. */
  rebuildDelay: string;
  delaySeconds: number;
  /** Shortest total delay from the change to this rebuild, summed along the chain. */
  cumulativeSeconds: number;
  cumulativeDelay: string;
  /** What triggers this rebuild on that shortest path: the base ref, or the enrolled image it builds on. */
  trigger: string;
  triggerKind: 'base' | 'image';
  /** Enrolled images rebuilt before this one on that path, first first. */
  via: string[];
  autoRebuild: boolean;
  /** True when some path reaches it with every rebuild on it automatic (autoRebuild: true). */
  automatic: boolean;
}

export interface Impact {
  /** The reference as given. */
  query: string;
  /** Its canonical form. */
  ref: string;
  /** True when the query names no tag or digest: every tag of the repository matches. */
  anyTag: boolean;
  /** The canonical base refs the query matched (every tag of the repository when none was given). */
  matchedBases: string[];
  /** The enrolled image the query names, when it is one (a new build of it is the change). */
  matchedImage?: string;
  /** Images that use the query digest-pinned: they never rebuild for it. */
  pinnedBy: string[];
  /** Every image that would rebuild, in rebuild order. */
  images: ImpactEntry[];
}

/** True when the text names a tag or a digest (`node:22`, `node@sha256:...`), false for `node`. */
function namesTagOrDigest(text: string): boolean {
  if (text.includes('@')) return true;
  return text.indexOf(':', text.lastIndexOf('/') + 1) >= 0;
}

/** What the query matches: every tag of its repository (no tag given) or exactly its ref. */
interface ImpactQuery {
  text: string;
  ref: string;
  tag?: string;
  digest?: string;
  repoURL: string;
  anyTag: boolean;
}

function impactQueryOf(refText: string): ImpactQuery {
  try {
    const parsed = parseImageRef(refText);
    return { text: refText, ref: parsed.ref, tag: parsed.tag, digest: parsed.digest, repoURL: `${parsed.registry}/${parsed.repository}`, anyTag: !namesTagOrDigest(refText) };
  } catch (e) {
    if (e instanceof ImageRefError) throw new UserError({ subject: '<image-ref>', message: e.message });
    throw e;
  }
}

/** Images that use the query digest-pinned (`node:22` matches a pin `node:22@sha256:...`; `node` every pin of node): they never rebuild for it. */
function pinnedByOf(values: ChartValues, query: ImpactQuery): string[] {
  const pinnedMatches = (from: string): boolean => {
    let pin;
    try {
      pin = parseImageRef(from);
    } catch {
      return false;
    }
    if (`${pin.registry}/${pin.repository}` !== query.repoURL) return false;
    if (query.anyTag) return true;
    if (query.digest !== undefined) return pin.digest === query.digest;
    return pin.tag === query.tag;
  };
  return [...new Set(edgesOf(values).filter((e) => e.fromKind === 'pinned' && pinnedMatches(e.from)).map((e) => e.to))].sort(byString);
}

/** How a change reaches one image on its shortest path. */
interface Reach {
  seconds: number;
  trigger: string;
  triggerKind: 'base' | 'image';
  via: string[];
  automatic: boolean;
}

/** Keeps, per image, the shortest way a change reaches it, and whether any way is all automatic. */
class Reaches {
  readonly byImage = new Map<string, Reach>();

  offer(name: string, candidate: Reach): void {
    const known = this.byImage.get(name);
    if (known === undefined) {
      this.byImage.set(name, candidate);
      return;
    }
    const automatic = known.automatic || candidate.automatic;
    if (candidate.seconds < known.seconds) this.byImage.set(name, { ...candidate, automatic });
    else known.automatic = automatic;
  }
}

/**
 * Shortest reach of every image: first the images whose rebuild Stage watches a matched base, then
 * down the chain links in rebuild order. A new build of `startImage` (the query names an enrolled
 * image) is the start of a chain, not a rebuild of its own.
 */
function reachesOf(values: ChartValues, g: ChainGraph, order: string[], baseSet: Set<string>, startImage: string | undefined): Map<string, Reach> {
  const reaches = new Reaches();
  for (const image of values.images) {
    for (const up of image.upstreams) {
      if (up.kind === 'base' && baseSet.has(up.ref)) {
        reaches.offer(image.name, { seconds: delaySecondsOf(image), trigger: up.ref, triggerKind: 'base', via: [], automatic: image.autoRebuild });
      }
    }
  }
  for (const name of order) {
    const from: Reach | undefined = name === startImage ? { seconds: 0, trigger: '', triggerKind: 'image', via: [], automatic: true } : reaches.byImage.get(name);
    if (from === undefined) continue;
    for (const kid of g.children.get(name)!) {
      if (kid === startImage) continue;
      const image = g.byName.get(kid)!;
      reaches.offer(kid, {
        seconds: from.seconds + delaySecondsOf(image),
        trigger: name,
        triggerKind: 'image',
        via: name === startImage ? [] : [...from.via, name],
        automatic: from.automatic && image.autoRebuild,
      });
    }
  }
  return reaches.byImage;
}

/**
 * Every enrolled image that a change of `refText` would rebuild, transitively through chain links, in
 * rebuild order, each with its own delay and the smallest total delay along the chain. `refText` may be
 * short (`node:22`) or canonical; without a tag it matches every tag of that repository in use.
 */
export function impactOf(values: ChartValues, refText: string): Impact {
  const query = impactQueryOf(refText);
  assertAcyclic(values);
  const g = chainGraph(values);
  const matches = (ref: string, refRepoURL: string) => (query.anyTag ? refRepoURL === query.repoURL : ref === query.ref);
  const matchedBases = externalBases(values).filter((b) => matches(b.ref, b.repoURL)).map((b) => b.ref).sort(byString);
  const matchedImage = values.images.find((i) => repoURLOf(i) === query.repoURL)?.name;
  const order = topologicalOrder(g);
  const reach = reachesOf(values, g, order, new Set(matchedBases), matchedImage);
  const images: ImpactEntry[] = order
    .filter((name) => reach.has(name))
    .map((name) => {
      const r = reach.get(name)!;
      const image = g.byName.get(name)!;
      return {
        name,
        rebuildDelay: image.rebuildDelay,
        delaySeconds: delaySecondsOf(image),
        cumulativeSeconds: r.seconds,
        cumulativeDelay: formatDelay(r.seconds),
        trigger: r.trigger,
        triggerKind: r.triggerKind,
        via: r.via,
        autoRebuild: image.autoRebuild,
        automatic: r.automatic,
      };
    });
  const impact: Impact = { query: refText, ref: query.ref, anyTag: query.anyTag, matchedBases, pinnedBy: pinnedByOf(values, query), images };
  if (matchedImage !== undefined) impact.matchedImage = matchedImage;
  return impact;
}

/** The impact as a table for a terminal. */
export function renderImpact(impact: Impact): string {
  const lines: string[] = [];
  const asked = impact.anyTag ? `${impact.ref.replace(/:latest$/, '')} (any tag)` : impact.ref;
  const what = impact.matchedImage !== undefined ? `a new build of ${impact.matchedImage}` : asked;
  if (impact.matchedBases.length === 0 && impact.matchedImage === undefined) {
    lines.push(`No enrolled image watches ${asked}: nothing rebuilds.`);
  } else if (impact.images.length === 0) {
    lines.push(`${what}: nothing rebuilds.`);
  } else {
    if (impact.matchedBases.length > 0 && (impact.matchedBases.length > 1 || impact.matchedBases[0] !== impact.ref)) {
      lines.push(`matched base images: ${impact.matchedBases.join(', ')}`);
    }
    lines.push(`${what} rebuilds ${impact.images.length} image(s), in this order:`);
    const rows = [
      ['#', 'IMAGE', 'DELAY', 'AFTER', 'TRIGGER', 'MODE'],
      ...impact.images.map((e, i) => [
        String(i + 1),
        e.name,
        e.rebuildDelay,
        e.cumulativeDelay,
        e.triggerKind === 'base' ? e.trigger : `image ${e.trigger}`,
        e.automatic ? 'auto' : 'manual',
      ]),
    ];
    const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
    for (const r of rows) lines.push(r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]))).join('  '));
    lines.push('AFTER: rebuilt this long after the digest appears (cooldown): each image waits its own DELAY after its parent\'s new digest, summed along the shortest chain. MODE manual: an image on the way has autoRebuild: false.');
  }
  if (impact.pinnedBy.length > 0) {
    lines.push(`pinned by digest (never rebuilt for it): ${impact.pinnedBy.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

