// The image graph behind the rebuild chain, computed from the chart values alone (pure functions):
// which enrolled image builds on which (chain links, `upstreams` of kind `image`), in what order
// rebuilds happen, what a change of one base image sets off, and drawings of it all.
//
// Only chain links can form cycles: a base image is never built here, so it has no upstream.
import { UserError } from './errors';
import { ImageRefError, parseImageRef } from './image-ref';
import { parseDuration } from './duration';
import type { ChartValues, ImageValues } from './values-types';

const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Where graph errors point when there is no better file (the values the graph was built from). */
const VALUES_LABEL = 'chart values';

interface ChainGraph {
  /** Image names, sorted. */
  names: string[];
  byName: Map<string, ImageValues>;
  /** parent → children (sorted, distinct). */
  children: Map<string, string[]>;
  /** child → parents (sorted, distinct). */
  parents: Map<string, string[]>;
}

/** The chain links between enrolled images: a child's upstream of kind image names its parent. */
function chainGraph(values: ChartValues): ChainGraph {
  const byName = new Map<string, ImageValues>();
  for (const image of values.images) byName.set(image.name, image);
  const names = [...byName.keys()].sort(byString);
  const children = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]));
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
      children.get(parent)!.add(image.name);
      parents.get(image.name)!.add(parent);
    }
  }
  const sorted = (m: Map<string, Set<string>>) => new Map([...m].map(([k, v]) => [k, [...v].sort(byString)]));
  return { names, byName, children: sorted(children), parents: sorted(parents) };
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
  assertAcyclic(values);
  return topologicalOrder(chainGraph(values));
}

function topologicalOrder(g: ChainGraph): string[] {
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

/**
 * Every enrolled image that a change of `refText` would rebuild, transitively through chain links, in
 * rebuild order, each with its own delay and the smallest total delay along the chain. `refText` may be
 * short (`node:22`) or canonical; without a tag it matches every tag of that repository in use.
 */
export function impactOf(values: ChartValues, refText: string): Impact {
  let parsed;
  try {
    parsed = parseImageRef(refText);
  } catch (e) {
    if (e instanceof ImageRefError) throw new UserError({ subject: '<image-ref>', message: e.message });
    throw e;
  }
  assertAcyclic(values);
  const g = chainGraph(values);
  const anyTag = !namesTagOrDigest(refText);
  const repoURL = `${parsed.registry}/${parsed.repository}`;
  const matches = (ref: string, refRepoURL: string) => (anyTag ? refRepoURL === repoURL : ref === parsed.ref);

  const matchedBases = externalBases(values).filter((b) => matches(b.ref, b.repoURL)).map((b) => b.ref).sort(byString);
  const baseSet = new Set(matchedBases);
  const matchedImage = values.images.find((i) => i.repoURL === repoURL)?.name;
  // `node:22` matches a pin `node:22@sha256:...`; `node` matches every pin of node.
  const pinnedMatches = (from: string): boolean => {
    let pin;
    try {
      pin = parseImageRef(from);
    } catch {
      return false;
    }
    if (`${pin.registry}/${pin.repository}` !== repoURL) return false;
    if (anyTag) return true;
    if (parsed.digest !== undefined) return pin.digest === parsed.digest;
    return pin.tag === parsed.tag;
  };
  const pinnedBy = [
    ...new Set(
      values.edges
        .filter((e) => e.fromKind === 'pinned' && pinnedMatches(e.from))
        .map((e) => e.to),
    ),
  ].sort(byString);

  interface Reach {
    seconds: number;
    trigger: string;
    triggerKind: 'base' | 'image';
    via: string[];
    automatic: boolean;
  }
  const reach = new Map<string, Reach>();
  const offer = (name: string, candidate: Reach) => {
    const known = reach.get(name);
    if (known === undefined) {
      reach.set(name, candidate);
      return;
    }
    const automatic = known.automatic || candidate.automatic;
    if (candidate.seconds < known.seconds) reach.set(name, { ...candidate, automatic });
    else known.automatic = automatic;
  };

  // Direct rebuilds: images whose rebuild Stage watches a matched base Warehouse.
  for (const image of values.images) {
    for (const up of image.upstreams) {
      if (up.kind === 'base' && baseSet.has(up.ref)) {
        offer(image.name, { seconds: delaySecondsOf(image), trigger: up.ref, triggerKind: 'base', via: [], automatic: image.autoRebuild });
      }
    }
  }
  // A new build of an enrolled image is the start of a chain, not a rebuild of its own.
  const order = topologicalOrder(g);
  const startImage = matchedImage;
  for (const name of order) {
    const from: Reach | undefined = name === startImage ? { seconds: 0, trigger: '', triggerKind: 'image', via: [], automatic: true } : reach.get(name);
    if (from === undefined) continue;
    for (const kid of g.children.get(name)!) {
      if (kid === startImage) continue;
      const image = g.byName.get(kid)!;
      offer(kid, {
        seconds: from.seconds + delaySecondsOf(image),
        trigger: name,
        triggerKind: 'image',
        via: name === startImage ? [] : [...from.via, name],
        automatic: from.automatic && image.autoRebuild,
      });
    }
  }

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
  const impact: Impact = { query: refText, ref: parsed.ref, anyTag, matchedBases, pinnedBy, images };
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

export type GraphFormat = 'mermaid' | 'dot' | 'json';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot', 'json'];

interface GraphNode {
  id: string;
  kind: 'image' | 'base' | 'pinned';
  label: string;
  image?: ImageValues;
}

interface GraphEdge {
  from: string;
  to: string;
  kind: 'base' | 'image' | 'pinned';
  /**
   * The cooldown before the target rebuilds (its rebuildDelay), '' for a pinned edge. Named `soak`
   * in the JSON drawing since before the cooldown replaced requiredSoakTime; kept for its readers.
   */
  soak: string;
}

/** The bases that are no enrolled image's tag (those are watched as bases too, but are chain links). */
function externalBases(values: ChartValues): ChartValues['bases'] {
  const enrolled = new Set(values.images.map((i) => i.repoURL));
  return values.bases.filter((b) => !enrolled.has(b.repoURL));
}

/** Nodes and edges with ids safe in every format: `img_<name>` (`-` as `_`), `base_<n>`, `pin_<n>`. */
function graphModel(values: ChartValues): { nodes: GraphNode[]; edges: GraphEdge[] } {
  assertAcyclic(values);
  const images = [...values.images].sort((a, b) => byString(a.name, b.name));
  const imageId = (name: string) => `img_${name.replace(/-/g, '_')}`;
  const baseRefs = [...new Set([...externalBases(values).map((b) => b.ref), ...values.edges.filter((e) => e.fromKind === 'base').map((e) => e.from)])].sort(byString);
  const pinnedRefs = [...new Set(values.edges.filter((e) => e.fromKind === 'pinned').map((e) => e.from))].sort(byString);
  const baseId = new Map(baseRefs.map((ref, i) => [ref, `base_${i}`]));
  const pinId = new Map(pinnedRefs.map((ref, i) => [ref, `pin_${i}`]));
  const byName = new Map(images.map((i) => [i.name, i]));

  const nodes: GraphNode[] = [
    ...baseRefs.map((ref): GraphNode => ({ id: baseId.get(ref)!, kind: 'base', label: ref })),
    ...pinnedRefs.map((ref): GraphNode => ({ id: pinId.get(ref)!, kind: 'pinned', label: ref })),
    ...images.map((image): GraphNode => ({ id: imageId(image.name), kind: 'image', label: image.name, image })),
  ];
  const edges: GraphEdge[] = [];
  const seen = new Set<string>();
  for (const e of values.edges) {
    const target = byName.get(e.to);
    if (target === undefined) {
      throw new UserError({ subject: VALUES_LABEL, message: `an edge leads to "${e.to}", which is not an enrolled image; run \`image-factory generate\` again` });
    }
    let from: string | undefined;
    if (e.fromKind === 'base') from = baseId.get(e.from);
    else if (e.fromKind === 'pinned') from = pinId.get(e.from);
    else from = byName.has(e.from) ? imageId(e.from) : undefined;
    if (from === undefined) {
      throw new UserError({ subject: VALUES_LABEL, message: `an edge comes from "${e.from}", which is not an enrolled image; run \`image-factory generate\` again` });
    }
    const key = `${from}\u0000${imageId(e.to)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    edges.push({ from, to: imageId(e.to), kind: e.fromKind, soak: e.fromKind === 'pinned' ? '' : target.rebuildDelay });
  }
  edges.sort((a, b) => byString(a.from, b.from) || byString(a.to, b.to));
  return { nodes, edges };
}

function cooldownLabel(delay: string): string {
  return delay === '0' ? 'direct' : `cooldown ${delay}`;
}

function mermaidText(text: string): string {
  return text.replace(/[&"<>#]/g, (c) => `#${c.charCodeAt(0)};`);
}

function dotText(text: string): string {
  return text.replace(/[\\"]/g, (c) => `\\${c}`).replace(/\n/g, '\\n');
}

/** A drawing of every image, base and pinned base and the links between them; the same values give the same bytes. */
export function renderGraph(values: ChartValues, format: GraphFormat): string {
  const { nodes, edges } = graphModel(values);
  const order = rebuildOrder(values);
  if (format === 'json') {
    const doc = {
      nodes: nodes.map((n) =>
        n.kind === 'image'
          ? {
              id: n.id,
              kind: n.kind,
              name: n.label,
              repoURL: n.image!.repoURL,
              rebuildDelay: n.image!.rebuildDelay,
              autoRebuild: n.image!.autoRebuild,
              analyzed: n.image!.analyzed,
            }
          : { id: n.id, kind: n.kind, ref: n.label },
      ),
      edges: edges.map((e) => ({ from: e.from, to: e.to, kind: e.kind, soak: e.soak })),
      rebuildOrder: order,
    };
    return `${JSON.stringify(doc, null, 2)}\n`;
  }
  const imageLabel = (n: GraphNode) => {
    const i = n.image!;
    const notes = [i.autoRebuild ? '' : 'manual', i.analyzed ? '' : 'not analyzed'].filter(Boolean);
    return notes.length ? `${n.label} (${notes.join(', ')})` : n.label;
  };
  if (format === 'mermaid') {
    const out = ['flowchart LR'];
    for (const n of nodes) {
      if (n.kind === 'base') out.push(`  ${n.id}["${mermaidText(n.label)}"]`);
      else if (n.kind === 'pinned') out.push(`  ${n.id}[/"${mermaidText(`${n.label} (pinned)`)}"/]`);
      else out.push(`  ${n.id}("${mermaidText(imageLabel(n))}")`);
    }
    for (const e of edges) {
      if (e.kind === 'pinned') out.push(`  ${e.from} -.->|"pinned"| ${e.to}`);
      else out.push(`  ${e.from} ${e.kind === 'image' ? '==>' : '-->'}|"${cooldownLabel(e.soak)}"| ${e.to}`);
    }
    out.push('  classDef base fill:#e8f0fe,stroke:#1a73e8;');
    out.push('  classDef pinned fill:#f1f3f4,stroke:#80868b,stroke-dasharray: 5 5;');
    out.push('  classDef image fill:#e6f4ea,stroke:#188038;');
    out.push('  classDef manual fill:#fef7e0,stroke:#f29900;');
    const classOf = (n: GraphNode) => (n.kind === 'image' ? (n.image!.autoRebuild ? 'image' : 'manual') : n.kind);
    for (const cls of ['base', 'pinned', 'image', 'manual']) {
      const ids = nodes.filter((n) => classOf(n) === cls).map((n) => n.id);
      if (ids.length) out.push(`  class ${ids.join(',')} ${cls};`);
    }
    return `${out.join('\n')}\n`;
  }
  const out = ['digraph image_factory {', '  rankdir=LR;', '  node [shape=box, fontname="Helvetica"];', '  edge [fontname="Helvetica", fontsize=10];'];
  for (const n of nodes) {
    if (n.kind === 'base') out.push(`  "${n.id}" [label="${dotText(n.label)}", style="rounded,filled", fillcolor="#e8f0fe"];`);
    else if (n.kind === 'pinned') out.push(`  "${n.id}" [label="${dotText(`${n.label}\n(pinned)`)}", style="dashed", color="#80868b"];`);
    else out.push(`  "${n.id}" [label="${dotText(imageLabel(n))}", style="filled", fillcolor="${n.image!.autoRebuild ? '#e6f4ea' : '#fef7e0'}"];`);
  }
  for (const e of edges) {
    if (e.kind === 'pinned') out.push(`  "${e.from}" -> "${e.to}" [style=dashed, color="#80868b", label="pinned"];`);
    else out.push(`  "${e.from}" -> "${e.to}" [label="${dotText(cooldownLabel(e.soak))}"${e.kind === 'image' ? ', penwidth=2' : ''}];`);
  }
  out.push('}');
  return `${out.join('\n')}\n`;
}
