// The rebuild order is a contract (`graph`, `rebuild` and the report print it): parents first, and
// among images free at the same time the smallest name by UTF-16 code units. topologicalOrder now
// takes names from a heap; this suite holds it to the plain algorithm it replaced (re-sort the
// ready list, take its head), kept here as the oracle, over many generated graphs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { byString, topologicalOrder, type ChainGraph } from '../generator/src/core/graph';
import { MinHeap } from '../generator/src/core/min-heap';
import { pick, seeded, type Random } from './support/random';

/** The order as it was computed before the heap: O(n² log n), obviously right. */
function oracleOrder(g: ChainGraph): string[] {
  const waiting = new Map(g.names.map((n) => [n, g.parents.get(n)!.length]));
  const ready = g.names.filter((n) => waiting.get(n) === 0);
  const order: string[] = [];
  while (ready.length > 0) {
    ready.sort(byString);
    const node = ready.shift()!;
    order.push(node);
    for (const kid of g.children.get(node)!) {
      const left = waiting.get(kid)! - 1;
      waiting.set(kid, left);
      if (left === 0) ready.push(kid);
    }
  }
  return order;
}

/** A ChainGraph as chainGraph() builds it (names sorted, neighbours sorted and distinct) from parent → child links. */
function graphOf(names: readonly string[], links: readonly [string, string][]): ChainGraph {
  const sortedNames = [...new Set(names)].sort(byString);
  const children = new Map(sortedNames.map((n) => [n, new Set<string>()]));
  const parents = new Map(sortedNames.map((n) => [n, new Set<string>()]));
  for (const [parent, child] of links) {
    children.get(parent)!.add(child);
    parents.get(child)!.add(parent);
  }
  const sorted = (m: Map<string, Set<string>>) => new Map([...m].map(([k, v]) => [k, [...v].sort(byString)]));
  return { names: sortedNames, byName: new Map(), children: sorted(children), parents: sorted(parents) };
}

// Names whose order differs between byString and other plausible comparisons: case (localeCompare
// puts "a" before "B"), prefixes, digits ("img-10" before "img-9"), and characters outside the
// BMP ("😀" is a surrogate pair, so it sorts before "ﬁ" by code unit but after it by code point).
const TRICKY = ['a', 'B', 'b', 'A', 'a-b', 'ab', 'a0', 'img-9', 'img-10', 'img-1', 'é', 'e', 'z', '\u{1F600}', '\uFB01', 'Z'];

function namesFor(random: Random, n: number): string[] {
  const names = new Set<string>();
  while (names.size < n) {
    const base = names.size < TRICKY.length && random() < 0.5 ? TRICKY[names.size] : pick(random, TRICKY);
    names.add(names.has(base) ? `${base}${Math.floor(random() * 1000)}` : base);
  }
  return [...names];
}

/** A random DAG: a hidden order of the names, and each link from earlier to later with probability `density`. */
function randomDag(random: Random, n: number, density: number): ChainGraph {
  const names = namesFor(random, n);
  for (let i = names.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [names[i], names[j]] = [names[j], names[i]];
  }
  const links: [string, string][] = [];
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) if (random() < density) links.push([names[i], names[j]]);
  return graphOf(names, links);
}

test('the heap gives back every item smallest first, duplicates included', () => {
  const random = seeded(9);
  for (let round = 0; round < 50; round++) {
    const items = Array.from({ length: Math.floor(random() * 40) }, () => pick(random, TRICKY));
    const heap = new MinHeap(byString, items.slice(0, items.length >> 1));
    for (const item of items.slice(items.length >> 1)) heap.push(item);
    const out: string[] = [];
    for (let item = heap.pop(); item !== undefined; item = heap.pop()) out.push(item);
    assert.equal(out, [...items].sort(byString));
    assert.is(heap.size, 0);
  }
});

test('shapes by hand: empty, one image, chains against name order, diamonds, disconnected parts', () => {
  const cases: [string, ChainGraph, string[]][] = [
    ['no images', graphOf([], []), []],
    ['one image', graphOf(['solo'], []), ['solo']],
    ['a chain whose names run backwards', graphOf(['c', 'b', 'a'], [['c', 'b'], ['b', 'a']]), ['c', 'b', 'a']],
    ['a diamond: both middles before the bottom, by name', graphOf(['top', 'm2', 'm1', 'bottom'], [['top', 'm2'], ['top', 'm1'], ['m1', 'bottom'], ['m2', 'bottom']]), ['top', 'm1', 'm2', 'bottom']],
    // When `a` is done, its child `b` is free and smaller than the waiting `x`: it goes first (no FIFO).
    ['a freed child before an older, larger root', graphOf(['a', 'b', 'x'], [['a', 'b']]), ['a', 'b', 'x']],
    ['disconnected parts interleave by name', graphOf(['p', 'q', 'r', 's'], [['p', 's'], ['r', 'q']]), ['p', 'r', 'q', 's']],
    ['code units, not code points or locale', graphOf(['\uFB01', '\u{1F600}', 'b', 'B'], []), ['B', 'b', '\u{1F600}', '\uFB01']],
  ];
  for (const [what, g, expected] of cases) {
    assert.equal(topologicalOrder(g), expected, what);
    assert.equal(oracleOrder(g), expected, `${what} (oracle)`);
  }
});

test('the same order as the re-sorting algorithm over 600 generated graphs (ties, chains, dense and sparse)', () => {
  const random = seeded(20261201);
  let ties = 0;
  for (let round = 0; round < 600; round++) {
    const n = round < 10 ? round % 2 : 2 + Math.floor(random() * 60);
    const density = pick(random, [0, 0.02, 0.05, 0.15, 0.5, 1]);
    const g = randomDag(random, n, density);
    const expected = oracleOrder(g);
    assert.is(expected.length, g.names.length, 'the oracle orders every image of an acyclic graph');
    assert.equal(topologicalOrder(g), expected, `round ${round}: ${n} images, density ${density}`);
    if (g.names.filter((name) => g.parents.get(name)!.length === 0).length > 1) ties++;
  }
  assert.ok(ties > 300, `most graphs have several images free at once (${ties})`);
});

test('a long chain beside many roots, the shape that made re-sorting quadratic', () => {
  const roots = Array.from({ length: 3000 }, (_, i) => `root-${String(i).padStart(4, '0')}`);
  const chain = Array.from({ length: 500 }, (_, i) => `chain-${String(499 - i).padStart(3, '0')}`);
  const links: [string, string][] = chain.slice(1).map((name, i) => [chain[i], name]);
  links.push(['root-1500', chain[0]]);
  const g = graphOf([...roots, ...chain], links);
  assert.equal(topologicalOrder(g), oracleOrder(g));
});

test.run();
