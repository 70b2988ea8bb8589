// The image graph behind the rebuild chain, computed from the chart values alone (pure functions):
// which enrolled image builds on which (chain links, `upstreams` of kind `image`), its cycles and
// the order rebuilds happen in. What a change sets off is impact.ts; drawings are graph-render.ts.
//
// Only chain links can form cycles: a base image is never built here, so it has no upstream.
import { UserError } from './errors';
import type { ChartValues, ImageValues } from './values-types';
import { repoURLOf } from './image-ref';
import { MinHeap } from './min-heap';

export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Where graph errors point when there is no better file (the values the graph was built from). */
export const VALUES_LABEL = 'chart values';

export interface ChainGraph {
  /** Image names, sorted. */
  names: string[];
  byName: Map<string, ImageValues>;
  /** parent → children (sorted, distinct). */
  children: Map<string, string[]>;
  /** child → parents (sorted, distinct). */
  parents: Map<string, string[]>;
}

/** The chain links between enrolled images: a child's upstream of kind image names its parent. */
export function chainGraph(values: ChartValues): ChainGraph {
  const byName = new Map<string, ImageValues>();
  for (const image of values.images) byName.set(image.name, image);
  const names = [...byName.keys()].sort(byString);
  const children = new Map<string, string[]>(names.map((n) => [n, []]));
  const parents = new Map<string, string[]>(names.map((n) => [n, []]));
  // Two tags of one parent are one link: each (parent, child) pair is added once.
  const linked = new Set<string>();
  for (const image of values.images) {
    for (const up of image.upstreams) {
      if (up.kind !== 'image') continue;
      const parent = up.image;
      if (parent === undefined || !byName.has(parent)) {
        throw new UserError({
          subject: VALUES_LABEL,
          message: `image "${image.name}" builds on "${up.ref}", which names no enrolled image; run \`image-factory generate\` again`,
        });
      }
      const link = `${parent}\u0000${image.name}`;
      if (linked.has(link)) continue;
      linked.add(link);
      children.get(parent)!.push(image.name);
      parents.get(image.name)!.push(parent);
    }
  }
  for (const list of children.values()) if (list.length > 1) list.sort(byString);
  for (const list of parents.values()) if (list.length > 1) list.sort(byString);
  return { names, byName, children, parents };
}

/**
 * Every cycle of chain links, one per strongly connected component, each as the image names along
 * it starting from the smallest name (the start is not repeated at the end). Sorted by first name.
 */
export function findCycles(values: ChartValues): string[][] {
  const g = chainGraph(values);
  // Tarjan's strongly connected components, iterative so deep chains cannot overflow the stack.
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of g.names) {
    if (index.has(root)) continue;
    const work: { node: string; i: number }[] = [{ node: root, i: 0 }];
    index.set(root, next);
    low.set(root, next);
    next++;
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1];
      const kids = g.children.get(frame.node)!;
      if (frame.i < kids.length) {
        const kid = kids[frame.i++];
        if (!index.has(kid)) {
          index.set(kid, next);
          low.set(kid, next);
          next++;
          stack.push(kid);
          onStack.add(kid);
          work.push({ node: kid, i: 0 });
        } else if (onStack.has(kid)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(kid)!));
        }
        continue;
      }
      work.pop();
      if (work.length > 0) {
        const parent = work[work.length - 1].node;
        low.set(parent, Math.min(low.get(parent)!, low.get(frame.node)!));
      }
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component.sort(byString));
      }
    }
  }
  const cycles: string[][] = [];
  for (const component of components) {
    const start = component[0];
    if (component.length === 1 && !g.children.get(start)!.includes(start)) continue;
    cycles.push(shortestCycleThrough(start, new Set(component), g.children));
  }
  return cycles.sort((a, b) => byString(a[0], b[0]));
}

/** The shortest way from start back to start inside one component (breadth first, sorted neighbours). */
function shortestCycleThrough(start: string, within: Set<string>, children: Map<string, string[]>): string[] {
  const cameFrom = new Map<string, string>();
  const queue = [start];
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at];
    for (const kid of children.get(node)!) {
      if (!within.has(kid)) continue;
      if (kid === start) {
        const path = [node];
        while (path[0] !== start) path.unshift(cameFrom.get(path[0])!);
        return path;
      }
      if (!cameFrom.has(kid)) {
        cameFrom.set(kid, node);
        queue.push(kid);
      }
    }
  }
  return [start]; // unreachable for a non-trivial component
}

/** `a → b → a`: a cycle as users read it. */
export function describeCycle(cycle: string[]): string {
  return [...cycle, cycle[0]].join(' \u2192 ');
}

/** Throws a UserError naming every cycle of chain links (`image cycle: a → b → a`). */
export function assertAcyclic(values: ChartValues, file = VALUES_LABEL): void {
  const cycles = findCycles(values);
  if (cycles.length === 0) return;
  throw new UserError(
    cycles.map((cycle) => ({
      subject: file,
      message:
        `image cycle: ${describeCycle(cycle)}; ` +
        (cycle.length === 1
          ? `"${cycle[0]}" is built FROM its own image; build it from a base image instead`
          : 'each image is built FROM the next one, so none can be rebuilt first; remove one of these FROM lines'),
    })),
  );
}

/** Every enrolled image, parents before children; among images that are free at the same time, by name. */
export function rebuildOrder(values: ChartValues): string[] {
  const g = chainGraph(values);
  const order = topologicalOrder(g);
  // Kahn's algorithm leaves out exactly the images on or after a cycle: only then are the cycles
  // worth finding, to name them.
  if (order.length < g.names.length) assertAcyclic(values);
  return order;
}

/**
 * Kahn's algorithm taking the smallest ready name (by byString) at every step: the order is a
 * contract (`graph`, `rebuild` and the report print it). A heap makes it O((n + e) log n).
 */
export function topologicalOrder(g: ChainGraph): string[] {
  const waiting = new Map(g.names.map((n) => [n, g.parents.get(n)!.length]));
  const ready = new MinHeap(byString, g.names.filter((n) => waiting.get(n) === 0));
  const order: string[] = [];
  for (let node = ready.pop(); node !== undefined; node = ready.pop()) {
    order.push(node);
    for (const kid of g.children.get(node)!) {
      const left = waiting.get(kid)! - 1;
      waiting.set(kid, left);
      if (left === 0) ready.push(kid);
    }
  }
  return order;
}

/** The bases that are no enrolled image's tag (those are watched as bases too, but are chain links). */
export function externalBases(values: ChartValues): ChartValues['bases'] {
  const enrolled = new Set(values.images.map((i) => repoURLOf(i)));
  return values.bases.filter((b) => !enrolled.has(b.repoURL));
}
