// Drawings of the image graph (Mermaid, DOT, JSON) from the chart values: bases, pins, images and
// the edges between them, with each image's cooldown on its edge.
import { UserError } from './errors';
import { assertAcyclic, byString, externalBases, rebuildOrder, VALUES_LABEL } from './graph';
import type { ChartValues, ImageValues } from './values-types';
import { edgesOf } from './edges';
import { repoURLOf } from './image-ref';

export type GraphFormat = 'mermaid' | 'dot' | 'json';
export const GRAPH_FORMATS: readonly GraphFormat[] = ['mermaid', 'dot', 'json'];

export interface GraphNode {
  id: string;
  kind: 'image' | 'base' | 'pinned';
  label: string;
  image?: ImageValues;
}

export interface GraphEdge {
  from: string;
  to: string;
  kind: 'base' | 'image' | 'pinned';
  /**
   * The cooldown before the target rebuilds (its rebuildDelay), '' for a pinned edge. Named `soak`
   * in the JSON drawing since before the cooldown replaced requiredSoakTime; kept for its readers.
   */
  soak: string;
}

/**
 * Nodes and edges with ids safe in every format: `img_<name>` (`-` as `_`), `base_<n>`, `pin_<n>`.
 * Nodes: bases, then pinned bases, then images, each sorted; edges sorted by source, then target.
 * The report (report-model.ts) draws the same model.
 */
export function graphModel(values: ChartValues): { nodes: GraphNode[]; edges: GraphEdge[] } {
  assertAcyclic(values);
  const images = [...values.images].sort((a, b) => byString(a.name, b.name));
  // Each image's id made once: edges name their images 2 * 21,000 times at 10,000 images.
  const idOfImage = new Map(images.map((i) => [i.name, `img_${i.name.replace(/-/g, '_')}`]));
  const imageId = (name: string) => idOfImage.get(name)!;
  const allEdges = edgesOf(values);
  const baseRefs = [...new Set([...externalBases(values).map((b) => b.ref), ...allEdges.filter((e) => e.fromKind === 'base').map((e) => e.from)])].sort(byString);
  const pinnedRefs = [...new Set(allEdges.filter((e) => e.fromKind === 'pinned').map((e) => e.from))].sort(byString);
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
  for (const e of allEdges) {
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
              repoURL: repoURLOf(n.image!),
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
