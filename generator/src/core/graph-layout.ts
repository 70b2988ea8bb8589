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

interface Slot {
  id: string;
  /** A real node, or the bend of an edge passing through this layer. */
  node?: LayoutInput['nodes'][number];
  height: number;
}

/** Layers by longest path; throws on an edge naming an unknown node or on a cycle (a caller's bug). */
export function layersOf(input: LayoutInput): Map<string, number> {
  // Nodes by their place in the input, so the walk below indexes arrays instead of maps.
  const indexOf = new Map<string, number>();
  input.nodes.forEach((n, i) => indexOf.set(n.id, i));
  const count = input.nodes.length;
  const waiting = new Int32Array(count);
  const outgoing: number[][] = input.nodes.map(() => []);
  for (const e of input.edges) {
    const from = indexOf.get(e.from);
    const to = indexOf.get(e.to);
    if (from === undefined || to === undefined) throw new Error(`layout: edge ${e.from} -> ${e.to} names an unknown node`);
    outgoing[from].push(to);
    waiting[to]++;
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
    // Links seen so far whose target is below this one's do not cross it; the others do.
    let notAbove = 0;
    for (let i = b + 1; i > 0; i -= i & -i) notAbove += tree[i];
    count += seen - notAbove;
    for (let i = b + 1; i <= size; i += i & -i) tree[i]++;
  }
  return count;
}

const round = (n: number): number => Math.round(n * 10) / 10;

/** A column per layer holding its nodes, and each edge as a chain of slot ids, one per layer it spans (bends between). */
function columnsAndChains(input: LayoutInput, layer: ReadonlyMap<string, number>, spacing: LayoutSpacing): { columns: Slot[][]; chains: string[][] } {
  let depth = 0;
  for (const l of layer.values()) if (l + 1 > depth) depth = l + 1;
  const columns: Slot[][] = Array.from({ length: depth }, () => []);
  for (const node of input.nodes) columns[layer.get(node.id)!].push({ id: node.id, node, height: node.height });
  const chains = input.edges.map((e, i) => {
    const chain = [e.from];
    for (let l = layer.get(e.from)! + 1; l < layer.get(e.to)!; l++) {
      const id = `\u0000bend${i}@${l}`;
      columns[l].push({ id, height: spacing.bendHeight });
      chain.push(id);
    }
    chain.push(e.to);
    return chain;
  });
  return { columns, chains };
}

/** The links between slots of adjacent layers, by slot number (a slot's place in `slots`). */
interface SlotLinks {
  slots: Slot[];
  /** Slot numbers per column, in the column's order. */
  columns: number[][];
  up: number[][];
  down: number[][];
}

function slotLinks(columns: readonly Slot[][], chains: readonly string[][]): SlotLinks {
  const slots: Slot[] = [];
  const numberOf = new Map<string, number>();
  const numbered = columns.map((column) =>
    column.map((slot) => {
      numberOf.set(slot.id, slots.length);
      slots.push(slot);
      return slots.length - 1;
    }),
  );
  const up = slots.map((): number[] => []);
  const down = slots.map((): number[] => []);
  for (const chain of chains) {
    for (let i = 0; i + 1 < chain.length; i++) {
      const a = numberOf.get(chain[i])!;
      const b = numberOf.get(chain[i + 1])!;
      down[a].push(b);
      up[b].push(a);
    }
  }
  return { slots, columns: numbered, up, down };
}

/**
 * Reorders each column in place by barycentre sweeps, keeping the order with the fewest crossings
 * seen. Slots are numbered and their places kept in a typed array: the sweeps look them up
 * 8 × 2 × (slots + links) times, which string-keyed maps made most of the layout's cost.
 */
function orderColumns(columns: Slot[][], chains: readonly string[][], sweeps: number): void {
  const links = slotLinks(columns, chains);
  const order = links.columns;
  const indexOf = new Int32Array(links.slots.length);
  const placeAll = (l: number) => order[l].forEach((slot, i) => (indexOf[slot] = i));
  order.forEach((_, l) => placeAll(l));
  const totalCrossings = () => {
    let sum = 0;
    for (let l = 0; l + 1 < order.length; l++) {
      const targets: number[] = [];
      for (const slot of order[l]) {
        const from = targets.length;
        for (const next of links.down[slot]) targets.push(indexOf[next]);
        if (targets.length - from > 1) sortRange(targets, from);
      }
      sum += inversions(targets);
    }
    return sum;
  };
  const reorder = (l: number, neighbours: number[][]) => {
    const keyed = order[l].map((slot, i) => {
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
    order[l] = keyed.map((k) => k.slot);
    placeAll(l);
  };
  let best = order.map((c) => [...c]);
  let fewest = totalCrossings();
  for (let sweep = 0; sweep < sweeps && fewest > 0; sweep++) {
    for (let l = 1; l < order.length; l++) reorder(l, links.up);
    for (let l = order.length - 2; l >= 0; l--) reorder(l, links.down);
    const crossings = totalCrossings();
    if (crossings < fewest) {
      fewest = crossings;
      best = order.map((c) => [...c]);
    }
  }
  best.forEach((c, l) => (columns[l] = c.map((slot) => links.slots[slot])));
}

/** Sorts numbers[from..] ascending in place (a slot's few targets). */
function sortRange(numbers: number[], from: number): void {
  const part = numbers.slice(from).sort((a, b) => a - b);
  for (let k = 0; k < part.length; k++) numbers[from + k] = part[k];
}

interface SlotPlace {
  /** The slot's centre. */
  x: number;
  y: number;
  /** Where edges leave (right) and enter (left) it. */
  left: number;
  right: number;
}

/** Coordinates: a column per layer, boxes stacked and centred in the tallest column's height. */
function placeColumns(columns: readonly Slot[][], spacing: LayoutSpacing): { width: number; height: number; nodes: PlacedNode[]; places: Map<string, SlotPlace> } {
  // Reduced, not spread into Math.max: 150,000 arguments overflow the call stack (node 20).
  const columnWidth = columns.map((column) => column.reduce((w, s) => Math.max(w, s.node?.width ?? 0), 0));
  const columnHeight = columns.map((column) => column.reduce((h, s, i) => h + s.height + (i > 0 ? spacing.rowGap : 0), 0));
  const innerHeight = columnHeight.reduce((a, b) => Math.max(a, b), 0);
  const places = new Map<string, SlotPlace>();
  const nodes: PlacedNode[] = [];
  let x = spacing.margin;
  columns.forEach((column, l) => {
    let y = spacing.margin + (innerHeight - columnHeight[l]) / 2;
    for (const slot of column) {
      const width = slot.node?.width ?? 0;
      // Boxes are left-aligned in their column; a bend sits in the column's middle.
      const left = slot.node ? x : x + columnWidth[l] / 2;
      places.set(slot.id, { x: left + width / 2, y: y + slot.height / 2, left, right: slot.node ? x + width : left });
      if (slot.node) nodes.push({ id: slot.id, layer: l, x: round(left), y: round(y), width: slot.node.width, height: slot.node.height });
      y += slot.height + spacing.rowGap;
    }
    x += columnWidth[l] + spacing.columnGap;
  });
  nodes.sort((a, b) => a.layer - b.layer || a.y - b.y);
  return { width: round(Math.max(x - spacing.columnGap + spacing.margin, 2 * spacing.margin)), height: round(innerHeight + 2 * spacing.margin), nodes, places };
}

/** An edge through its chain's places: out of the source's right side, through each bend, into the target's left side. */
function routeEdge(edge: LayoutInput['edges'][number], chain: readonly string[], places: ReadonlyMap<string, SlotPlace>): RoutedEdge {
  const points = chain.map((id, k) => {
    const c = places.get(id)!;
    if (k === 0) return { x: round(c.right), y: round(c.y) };
    if (k === chain.length - 1) return { x: round(c.left), y: round(c.y) };
    return { x: round(c.x), y: round(c.y) };
  });
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
  const { columns, chains } = columnsAndChains(input, layersOf(input), spacing);
  orderColumns(columns, chains, spacing.sweeps);
  const { width, height, nodes, places } = placeColumns(columns, spacing);
  return { width, height, nodes, edges: chains.map((chain, i) => routeEdge(input.edges[i], chain, places)) };
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
