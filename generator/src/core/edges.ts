// The dependency graph of the chart values: who builds on what. It follows from each image's
// upstreams and pinned bases, so the values do not carry it (helm would parse and validate it for
// nothing: the templates never read it; docs/design.md "Render time"). graph, impact, the report,
// the catalog and the shards derive it here.
import { byString } from './graph';
import type { ChartValues } from './values-types';

export interface Edge {
  /** A base ref (base, pinned) or an enrolled image's name (image). */
  from: string;
  fromKind: 'base' | 'image' | 'pinned';
  /** The image built on it. */
  to: string;
}

/** Every image's edges, sorted by image, then source. Two tags of one enrolled image are one edge. */
export function edgesOf(values: Pick<ChartValues, 'images'>): Edge[] {
  const edges: Edge[] = [];
  for (const image of values.images) {
    const sources = new Set<string>();
    for (const up of image.upstreams) {
      const from = up.kind === 'image' && up.image !== undefined ? up.image : up.ref;
      if (sources.has(from)) continue;
      sources.add(from);
      edges.push({ from, fromKind: up.kind, to: image.name });
    }
    for (const ref of image.pinnedBases) edges.push({ from: ref, fromKind: 'pinned', to: image.name });
  }
  return edges.sort((a, b) => byString(a.to, b.to) || byString(a.from, b.from));
}

/** The images watching each base Warehouse (by the base's ref), each list sorted. */
export function usersOfBases(values: Pick<ChartValues, 'images'>): Map<string, string[]> {
  const users = new Map<string, Set<string>>();
  for (const image of values.images) {
    for (const up of image.upstreams) users.set(up.ref, (users.get(up.ref) ?? new Set<string>()).add(image.name));
  }
  return new Map([...users].map(([ref, names]) => [ref, [...names].sort(byString)]));
}
