// A layered drawing of a directed acyclic graph, left to right (Sugiyama's scheme, kept small):
// 1. each node's layer is the length of the longest path reaching it, so every edge points right;
// 2. an edge spanning several layers gets a bend point in each layer it crosses, so it can be
//    routed between the boxes there instead of through them;
// 3. the order inside each layer is improved by barycentre sweeps, keeping the order with the
//    fewest crossings seen;
// 4. layers become columns as wide as their widest box; each column is centred vertically.
// Pure and deterministic: ties are broken by the order the nodes come in, never by chance.

export interface LayoutInput {
  /** In the order ties are broken by (callers pass them sorted). */
  nodes: { id: string; width: number; height: number }[];
  edges: { from: string; to: string }[];
}

export interface PlacedNode {
  id: string;
  layer: number;
  /** Top-left corner. */
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface RoutedEdge {
  from: string;
  to: string;
  /** From the source box's right side through each bend to the target box's left side. */
  points: { x: number; y: number }[];
  /** An SVG path through the points: a horizontal-tangent cubic curve per stretch. */
  path: string;
}

export interface Layout {
  width: number;
  height: number;
  nodes: PlacedNode[];
  /** One per input edge, in the input's order. */
  edges: RoutedEdge[];
}

export interface LayoutSpacing {
  /** Between columns, where the edges run. */
  columnGap: number;
  /** Between boxes in a column. */
  rowGap: number;
  /** The height a bend point takes in its column. */
  bendHeight: number;
  margin: number;
  /** Barycentre sweeps (each one down and one up). */
  sweeps: number;
}

export const DEFAULT_SPACING: LayoutSpacing = { columnGap: 72, rowGap: 14, bendHeight: 8, margin: 16, sweeps: 8 };

// Inside, nodes and bends are numbered slots and every lookup indexes an array: at 10,000 images
// (12,000 nodes, 21,000 edges) the sweeps below look slots up millions of times, and string-keyed
// maps made most of the layout's cost.

/** A node's box, or the bend of an edge passing through a layer. Node i is slot i; bends follow. */
interface Slot {
  node?: LayoutInput['nodes'][number];
  height: number;
}

/** Each edge's ends as node numbers (places in input.nodes); throws on an edge naming an unknown node. */
function edgeEnds(input: LayoutInput): { from: Int32Array; to: Int32Array } {
  const numberOf = new Map<string, number>();
  input.nodes.forEach((n, i) => numberOf.set(n.id, i));
  const from = new Int32Array(input.edges.length);
  const to = new Int32Array(input.edges.length);
  input.edges.forEach((e, i) => {
    const a = numberOf.get(e.from);
    const b = numberOf.get(e.to);
    if (a === undefined || b === undefined) throw new Error(`layout: edge ${e.from} -> ${e.to} names an unknown node`);
    from[i] = a;
    to[i] = b;
  });
  return { from, to };
}

/** Each node's layer: the length of the longest path reaching it. Throws on a cycle (a caller's bug). */
function longestPathLayers(count: number, ends: { from: Int32Array; to: Int32Array }): Int32Array {
  const waiting = new Int32Array(count);
  const outgoing: number[][] = Array.from({ length: count }, () => []);
  for (let i = 0; i < ends.from.length; i++) {
    outgoing[ends.from[i]].push(ends.to[i]);
    waiting[ends.to[i]]++;
  }
  const layer = new Int32Array(count);
  const queue: number[] = [];
  for (let i = 0; i < count; i++) if (waiting[i] === 0) queue.push(i);
  for (let at = 0; at < queue.length; at++) {
    const node = queue[at];
    for (const next of outgoing[node]) {
      if (layer[node] + 1 > layer[next]) layer[next] = layer[node] + 1;
      if (--waiting[next] === 0) queue.push(next);
    }
  }
  if (queue.length !== count) throw new Error('layout: the graph has a cycle');
  return layer;
}

/** Layers by longest path; throws on an edge naming an unknown node or on a cycle (a caller's bug). */
export function layersOf(input: LayoutInput): Map<string, number> {
  const layer = longestPathLayers(input.nodes.length, edgeEnds(input));
  return new Map(input.nodes.map((n, i) => [n.id, layer[i]]));
}

/**
 * Crossings between two adjacent columns, for the links between them (as slot indexes): pairs whose
 * order on one side is the reverse of the other, counted as inversions with a Fenwick tree, so a
 * layer pair with 20,000 edges costs milliseconds, not the 2 * 10^8 pair checks of the plain way.
 */
export function crossingsBetween(links: [number, number][]): number {
  const sorted = [...links].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return inversions(sorted.map((l) => l[1]));
}

/**
 * Pairs i < j with targets[i] > targets[j]: the crossings of links listed by source, and by target
 * within a source (two links from one slot never cross). Targets are slot indexes (≥ 0).
 */
function inversions(targets: ArrayLike<number>): number {
  let largest = 0;
  for (let i = 0; i < targets.length; i++) if (targets[i] > largest) largest = targets[i];
  const size = largest + 2;
  const tree = new Int32Array(size + 1);
  let count = 0;
  for (let seen = 0; seen < targets.length; seen++) {
    const b = targets[seen];
    // Links seen so far whose target is at or above this one's (index ≤ b) do not cross it; the others do.
    let notAbove = 0;
    for (let i = b + 1; i > 0; i -= i & -i) notAbove += tree[i];
    count += seen - notAbove;
    for (let i = b + 1; i <= size; i += i & -i) tree[i]++;
  }
  return count;
}

const round = (n: number): number => Math.round(n * 10) / 10;

interface Columns {
  slots: Slot[];
  /** Slot numbers per layer, in drawing order (top to bottom). */
  columns: number[][];
  /** Per edge, its slots: the source, a bend per layer it crosses, the target. */
  chains: number[][];
}

/** A column per layer holding its nodes (in input order), then the bends of the edges crossing it (in edge order). */
function columnsAndChains(input: LayoutInput, ends: { from: Int32Array; to: Int32Array }, layer: Int32Array, spacing: LayoutSpacing): Columns {
  const slots: Slot[] = input.nodes.map((node) => ({ node, height: node.height }));
  let depth = 0;
  for (const l of layer) if (l + 1 > depth) depth = l + 1;
  const columns: number[][] = Array.from({ length: depth }, () => []);
  for (let i = 0; i < input.nodes.length; i++) columns[layer[i]].push(i);
  const chains = input.edges.map((_, i) => {
    const chain = [ends.from[i]];
    for (let l = layer[ends.from[i]] + 1; l < layer[ends.to[i]]; l++) {
      columns[l].push(slots.length);
      chain.push(slots.length);
      slots.push({ height: spacing.bendHeight });
    }
    chain.push(ends.to[i]);
    return chain;
  });
  return { slots, columns, chains };
}

/** Reorders each column in place by barycentre sweeps, keeping the order with the fewest crossings seen. */
function orderColumns(slotCount: number, columns: number[][], chains: readonly number[][], sweeps: number): void {
  // Links between slots of adjacent layers.
  const up: number[][] = Array.from({ length: slotCount }, () => []);
  const down: number[][] = Array.from({ length: slotCount }, () => []);
  for (const chain of chains) {
    for (let i = 0; i + 1 < chain.length; i++) {
      down[chain[i]].push(chain[i + 1]);
      up[chain[i + 1]].push(chain[i]);
    }
  }
  const indexOf = new Int32Array(slotCount);
  const placeAll = (l: number) => columns[l].forEach((slot, i) => (indexOf[slot] = i));
  columns.forEach((_, l) => placeAll(l));
  const totalCrossings = () => {
    let sum = 0;
    for (let l = 0; l + 1 < columns.length; l++) {
      const targets: number[] = [];
      for (const slot of columns[l]) {
        const from = targets.length;
        for (const next of down[slot]) targets.push(indexOf[next]);
        if (targets.length - from > 1) sortRange(targets, from);
      }
      sum += inversions(targets);
    }
    return sum;
  };
  const reorder = (l: number, neighbours: number[][]) => {
    const keyed = columns[l].map((slot, i) => {
      const around = neighbours[slot];
      let key = i;
      if (around.length > 0) {
        let sum = 0;
        for (const n of around) sum += indexOf[n];
        key = sum / around.length;
      }
      return { slot, key, i };
    });
    keyed.sort((a, b) => a.key - b.key || a.i - b.i);
    columns[l] = keyed.map((k) => k.slot);
    placeAll(l);
  };
  let best = columns.map((c) => [...c]);
  let fewest = totalCrossings();
  for (let sweep = 0; sweep < sweeps && fewest > 0; sweep++) {
    const before = columns.map((c) => [...c]);
    for (let l = 1; l < columns.length; l++) reorder(l, up);
    for (let l = columns.length - 2; l >= 0; l--) reorder(l, down);
    // A sweep that ends where it started would be repeated exactly by every later one, and this
    // order's crossings are counted already: it is settled (at 10,000 synthetic images the third
    // sweep finds the order the second left, and the last five are skipped).
    if (columns.every((c, l) => c.every((slot, i) => slot === before[l][i]))) break;
    const crossings = totalCrossings();
    if (crossings < fewest) {
      fewest = crossings;
      best = columns.map((c) => [...c]);
    }
  }
  best.forEach((c, l) => (columns[l] = c));
}

/** Sorts numbers[from..] ascending in place (a slot's few targets). */
function sortRange(numbers: number[], from: number): void {
  const part = numbers.slice(from).sort((a, b) => a - b);
  for (let k = 0; k < part.length; k++) numbers[from + k] = part[k];
}

/** Each slot's centre, and where edges leave it (right) and enter it (left), by slot number. */
interface SlotPlaces {
  x: Float64Array;
  y: Float64Array;
  left: Float64Array;
  right: Float64Array;
}

/** Coordinates: a column per layer, boxes stacked and centred in the tallest column's height. */
function placeColumns({ slots, columns }: Columns, spacing: LayoutSpacing): { width: number; height: number; nodes: PlacedNode[]; places: SlotPlaces } {
  // Reduced, not spread into Math.max: 150,000 arguments overflow the call stack (node 20).
  const columnWidth = columns.map((column) => column.reduce((w, s) => Math.max(w, slots[s].node?.width ?? 0), 0));
  const columnHeight = columns.map((column) => column.reduce((h, s, i) => h + slots[s].height + (i > 0 ? spacing.rowGap : 0), 0));
  const innerHeight = columnHeight.reduce((a, b) => Math.max(a, b), 0);
  const places: SlotPlaces = { x: new Float64Array(slots.length), y: new Float64Array(slots.length), left: new Float64Array(slots.length), right: new Float64Array(slots.length) };
  const nodes: PlacedNode[] = [];
  let x = spacing.margin;
  columns.forEach((column, l) => {
    let y = spacing.margin + (innerHeight - columnHeight[l]) / 2;
    for (const s of column) {
      const slot = slots[s];
      const width = slot.node?.width ?? 0;
      // Boxes are left-aligned in their column; a bend sits in the column's middle.
      const left = slot.node ? x : x + columnWidth[l] / 2;
      places.x[s] = left + width / 2;
      places.y[s] = y + slot.height / 2;
      places.left[s] = left;
      places.right[s] = slot.node ? x + width : left;
      if (slot.node) nodes.push({ id: slot.node.id, layer: l, x: round(left), y: round(y), width: slot.node.width, height: slot.node.height });
      y += slot.height + spacing.rowGap;
    }
    x += columnWidth[l] + spacing.columnGap;
  });
  nodes.sort((a, b) => a.layer - b.layer || a.y - b.y);
  return { width: round(Math.max(x - spacing.columnGap + spacing.margin, 2 * spacing.margin)), height: round(innerHeight + 2 * spacing.margin), nodes, places };
}

/** An edge through its chain's places: out of the source's right side, through each bend, into the target's left side. */
function routeEdge(edge: LayoutInput['edges'][number], chain: readonly number[], places: SlotPlaces): RoutedEdge {
  const last = chain.length - 1;
  const points = chain.map((s, k) => ({ x: round(k === 0 ? places.right[s] : k === last ? places.left[s] : places.x[s]), y: round(places.y[s]) }));
  let path = `M${points[0].x},${points[0].y}`;
  for (let k = 1; k < points.length; k++) {
    const a = points[k - 1];
    const b = points[k];
    const mid = round((a.x + b.x) / 2);
    path += ` C${mid},${a.y} ${mid},${b.y} ${b.x},${b.y}`;
  }
  return { from: edge.from, to: edge.to, points, path };
}

export function layoutGraph(input: LayoutInput, spacing: LayoutSpacing = DEFAULT_SPACING): Layout {
  const ends = edgeEnds(input);
  const laid = columnsAndChains(input, ends, longestPathLayers(input.nodes.length, ends), spacing);
  orderColumns(laid.slots.length, laid.columns, laid.chains, spacing.sweeps);
  const { width, height, nodes, places } = placeColumns(laid, spacing);
  return { width, height, nodes, edges: laid.chains.map((chain, i) => routeEdge(input.edges[i], chain, places)) };
}

/** How many pairs of edges cross in a layout (for tests and for judging the ordering). */
export function countCrossings(layout: Layout): number {
  const byLayer = new Map(layout.nodes.map((n) => [n.id, n.layer]));
  let count = 0;
  // Two edges cross between columns when their stretches there swap vertical order.
  const stretches = layout.edges.flatMap((e) =>
    e.points.slice(1).map((p, k) => ({ col: byLayer.get(e.from)! + k, a: e.points[k].y, b: p.y })),
  );
  for (let i = 0; i < stretches.length; i++) {
    for (let j = i + 1; j < stretches.length; j++) {
      const s = stretches[i];
      const t = stretches[j];
      if (s.col === t.col && (s.a - t.a) * (s.b - t.b) < 0) count++;
    }
  }
  return count;
}
