// The layered layout the report draws the image graph with: edges always point right, boxes never
// overlap, crossings the barycentre sweeps can remove are removed, and the same graph gives the
// same picture.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { countCrossings, crossingsBetween, layersOf, layoutGraph, type LayoutInput } from '../generator/src/core/graph-layout';

const box = (id: string) => ({ id, width: 40 + id.length * 7, height: 28 });

test('layers follow the longest path; every edge points right; a long edge bends once per layer it crosses', () => {
  const input: LayoutInput = {
    nodes: ['a', 'b', 'c', 'd'].map(box),
    edges: [
      { from: 'a', to: 'b' },
      { from: 'b', to: 'c' },
      { from: 'a', to: 'c' },
      { from: 'a', to: 'd' },
    ],
  };
  assert.equal(Object.fromEntries(layersOf(input)), { a: 0, b: 1, c: 2, d: 1 });
  const layout = layoutGraph(input);
  const at = new Map(layout.nodes.map((n) => [n.id, n]));
  for (const e of layout.edges) {
    assert.ok(at.get(e.from)!.x + at.get(e.from)!.width <= at.get(e.to)!.x, `${e.from} -> ${e.to} points right`);
    assert.is(e.points[0].x, at.get(e.from)!.x + at.get(e.from)!.width, 'starts at the source box');
    assert.is(e.points[e.points.length - 1].x, at.get(e.to)!.x, 'ends at the target box');
  }
  assert.is(layout.edges.find((e) => e.from === 'a' && e.to === 'c')!.points.length, 3, 'one bend in the layer it crosses');
  assert.is(layout.edges.find((e) => e.from === 'a' && e.to === 'b')!.points.length, 2);
  for (const e of layout.edges) assert.is(e.path.split(' C').length - 1, e.points.length - 1, 'a curve per stretch');
});

test('boxes in one column do not overlap, and everything lies inside the drawing', () => {
  const nodes = Array.from({ length: 30 }, (_, i) => box(`n${String(i).padStart(2, '0')}`));
  const edges = nodes.slice(10).map((n, i) => ({ from: nodes[i % 10].id, to: n.id }));
  const layout = layoutGraph({ nodes, edges });
  const byLayer = new Map<number, typeof layout.nodes>();
  for (const n of layout.nodes) byLayer.set(n.layer, [...(byLayer.get(n.layer) ?? []), n]);
  for (const column of byLayer.values()) {
    const sorted = [...column].sort((a, b) => a.y - b.y);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i].y >= sorted[i - 1].y + sorted[i - 1].height, `${sorted[i].id} below ${sorted[i - 1].id}`);
  }
  for (const n of layout.nodes) assert.ok(n.x >= 0 && n.y >= 0 && n.x + n.width <= layout.width && n.y + n.height <= layout.height, `${n.id} inside`);
});

test('the sweeps untangle crossings that the input order makes', () => {
  // a0 -> b2, a1 -> b1, a2 -> b0: in input order every pair of edges crosses (3 crossings).
  const input: LayoutInput = {
    nodes: ['a0', 'a1', 'a2', 'b0', 'b1', 'b2'].map(box),
    edges: [
      { from: 'a0', to: 'b2' },
      { from: 'a1', to: 'b1' },
      { from: 'a2', to: 'b0' },
    ],
  };
  assert.is(countCrossings(layoutGraph(input, { columnGap: 72, rowGap: 14, bendHeight: 8, margin: 16, sweeps: 0 })), 3, 'without sweeps the input order stands');
  assert.is(countCrossings(layoutGraph(input)), 0);
});

test('deterministic: the same graph gives the same layout; node order in the input breaks ties', () => {
  const input: LayoutInput = { nodes: ['x', 'y', 'z'].map(box), edges: [{ from: 'x', to: 'z' }, { from: 'y', to: 'z' }] };
  assert.equal(layoutGraph(input), layoutGraph(JSON.parse(JSON.stringify(input)) as LayoutInput));
  const ys = layoutGraph(input).nodes.filter((n) => n.layer === 0).map((n) => n.id);
  assert.equal(ys, ['x', 'y']);
});

test('a cycle or an edge to an unknown node is refused (the callers check first: a bug, not input)', () => {
  assert.throws(() => layersOf({ nodes: [box('a'), box('b')], edges: [{ from: 'a', to: 'b' }, { from: 'b', to: 'a' }] }), /cycle/);
  assert.throws(() => layersOf({ nodes: [box('a')], edges: [{ from: 'a', to: 'nope' }] }), /unknown node/);
  assert.equal(layoutGraph({ nodes: [], edges: [] }).nodes, []);
});

test('crossings between two columns are counted as the pairwise check counts them', () => {
  let seed = 7;
  const next = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let round = 0; round < 50; round++) {
    const links = Array.from({ length: next(40) }, (): [number, number] => [next(8), next(8)]);
    let pairwise = 0;
    for (let i = 0; i < links.length; i++) for (let j = i + 1; j < links.length; j++) if ((links[i][0] - links[j][0]) * (links[i][1] - links[j][1]) < 0) pairwise++;
    assert.is(crossingsBetween(links), pairwise, JSON.stringify(links));
  }
});

test('200,000 boxes in one column and 200,000 links: laid out, widest box setting the width (no argument list overflows the stack)', () => {
  const count = 200_000;
  const nodes = Array.from({ length: count }, (_, i) => ({ id: `n${i}`, width: i === 123_456 ? 500 : 40, height: 10 }));
  const edges = Array.from({ length: count - 1 }, (_, i) => ({ from: 'root', to: `n${i + 1}` }));
  const layout = layoutGraph({ nodes: [{ id: 'root', width: 40, height: 10 }, ...nodes.slice(1)], edges }, { columnGap: 10, rowGap: 0, bendHeight: 8, margin: 0, sweeps: 0 });
  assert.is(layout.nodes.length, count);
  assert.is(layout.width, 40 + 10 + 500, 'the second column is as wide as its widest box');
  assert.is(layout.height, (count - 1) * 10);
  assert.is(layout.edges.length, count - 1);
});

test.run();
