// What `image-factory report` shows, computed from the chart values, the image state files and
// (optionally) a status document: every string already formatted and every list sorted, so the
// templates only place things. Pure: the same input gives the same page, byte for byte.
import { byString, rebuildOrder } from './graph';
import { graphModel, type GraphNode } from './graph-render';
import { layoutGraph } from './graph-layout';
import { githubFileLink, githubRepoLink, githubWorkflowLink } from './github-links';
import type { ImageState } from './state';
import type { ImageStatusState, StatusDocument } from './status-document';
import type { ChartValues, ImageValues } from './values-types';
import { edgesOf, usersOfBases } from './edges';
import { recordKeyOf } from './rebuild-record';
import { repoURLOf } from './image-ref';

export interface ReportInput {
  values: ChartValues;
  /** images/<name>.yaml by image name. */
  states: ReadonlyMap<string, ImageState>;
  status?: StatusDocument;
  /** Shown as the time the report was made; absent: no time on the page (the output stays stable). */
  generatedAt?: string;
}

export interface SvgNode {
  /** The element id in the page. */
  domId: string;
  kind: GraphNode['kind'];
  /** CSS classes: the kind and, for images, the state or the rebuild mode. */
  classes: string;
  x: number;
  y: number;
  width: number;
  height: number;
  textX: number;
  textY: number;
  label: string;
  /** The full text (a hover tooltip): the label may be shortened. */
  title: string;
  /** Images link to their section. */
  href?: string;
}

export interface SvgEdge {
  classes: string;
  path: string;
  title: string;
}

export interface DateView {
  /** RFC 3339, for the `datetime` attribute the page's script reads to show an age. */
  iso: string;
  /** As shown: `2026-11-24 11:45 UTC`. */
  text: string;
}

export interface BaseRow {
  ref: string;
  kind: 'base' | 'image' | 'pinned';
  kindLabel: string;
  /** For a chain link: the parent image's section. */
  href?: string;
  builtOn?: string;
  builtOnShort?: string;
  builtAt?: DateView;
  current?: string;
  currentShort?: string;
  changed: boolean;
  changedAt?: DateView;
  dueAt?: DateView;
}

export interface WarningRow {
  where: string;
  message: string;
  href?: string;
}

export interface ImageView {
  anchor: string;
  name: string;
  image: string;
  state?: ImageStatusState;
  stateLabel: string;
  stateClass: string;
  rebuildDelay: string;
  mode: string;
  local: boolean;
  sourceRepo: string;
  branch: string;
  dockerfile: string;
  dockerfileHref?: string;
  workflow: string;
  workflowHref?: string;
  analysis: string;
  analyzedAt?: DateView;
  lastRebuildAt?: DateView;
  lastRebuildCause?: string;
  bases: BaseRow[];
  warnings: WarningRow[];
  children: { name: string; href: string }[];
}

export interface BaseImageView {
  ref: string;
  pinned: boolean;
  usedBy: { name: string; href: string }[];
}

export interface ReportView {
  title: string;
  stateRepo?: { url: string; href?: string; branch: string };
  generatedAt?: DateView;
  hasStatus: boolean;
  counts: { label: string; count: number; stateClass: string }[];
  graph: { width: number; height: number; nodes: SvgNode[]; edges: SvgEdge[] };
  rebuildOrder: { name: string; href: string }[];
  images: ImageView[];
  baseImages: BaseImageView[];
  statusErrors: string[];
}

const STATE_LABELS: Record<ImageStatusState, string> = {
  'up-to-date': 'up to date',
  due: 'rebuild due',
  waiting: 'waiting',
  pinned: 'pinned',
  unresolved: 'unresolved',
  unknown: 'unknown (registry error)',
};

/** The section id of an image: its name is a DNS label, so `image-<name>` is unique and safe. */
export const imageAnchor = (name: string): string => `image-${name}`;

/** A reference as people read it: Docker Hub's prefix dropped, a digest cut to 12 hex digits. */
export function shortRef(ref: string): string {
  return ref.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '').replace(/@(sha256:[0-9a-f]{12})[0-9a-f]{52}$/, '@$1…');
}

export function shortDigest(digest: string): string {
  const m = /^([a-z0-9]+):([0-9a-f]{12})[0-9a-f]+$/.exec(digest);
  return m ? `${m[1]}:${m[2]}…` : digest;
}

/** At most `max` characters: the start and the end (where tags are), joined by "…". */
function fitted(text: string, max: number): string {
  if (text.length <= max) return text;
  const tail = Math.floor((max - 1) / 2);
  return `${text.slice(0, max - 1 - tail)}…${text.slice(text.length - tail)}`;
}

function dateView(iso: string | undefined | null): DateView | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return undefined;
  const d = new Date(t).toISOString();
  return { iso: d.replace(/\.000Z$/, 'Z'), text: `${d.slice(0, 10)} ${d.slice(11, 16)} UTC` };
}

// Node boxes: labels are drawn in a monospace font, so a label's width is known here.
const CHAR_WIDTH = 7.3;
const NODE_PADDING = 20;
const NODE_HEIGHT = 28;
const MAX_LABEL_CHARS = 44;

function reasonUnwatched(image: ImageValues, state: ImageState | undefined): string | undefined {
  if (image.upstreams.length > 0) return undefined;
  if (!image.analyzed) return 'not watched yet: its Dockerfile has not been analyzed (the analysis service reads it in the cluster, or `generate --fetch-external`)';
  if (image.pinnedBases.length > 0) return 'not watched: every base is pinned by digest, so no base change rebuilds it';
  if (state && state.analysis.warnings.length > 0) return 'not watched: no FROM line could be resolved (see the warnings)';
  return 'not watched: it builds only on scratch or on its own stages';
}

/** What every part of the page reads: the status by image, and the CSS class an image's state gives. */
interface ReportContext {
  status?: StatusDocument;
  statusByName: ReadonlyMap<string, StatusDocument['images'][number]>;
  stateClassOf(image: ImageValues): string;
}

function contextOf(status: StatusDocument | undefined): ReportContext {
  const statusByName = new Map((status?.images ?? []).map((s) => [s.name, s]));
  const stateClassOf = (image: ImageValues): string => {
    const s = statusByName.get(image.name);
    if (s) return `state-${s.state}`;
    return status ? 'state-unchecked' : image.autoRebuild ? 'mode-auto' : 'mode-manual';
  };
  return { status, statusByName, stateClassOf };
}

/** The drawing: boxes sized to their labels, laid out left to right, edges titled with their cooldown. */
function graphView(values: ChartValues, context: ReportContext): ReportView['graph'] {
  const model = graphModel(values);
  const imageByName = new Map(values.images.map((i) => [i.name, i]));
  const labelOfId = new Map(model.nodes.map((n) => [n.id, fitted(n.kind === 'image' ? n.label : shortRef(n.label), MAX_LABEL_CHARS)]));
  const labelOf = (n: GraphNode) => labelOfId.get(n.id)!;
  const layout = layoutGraph({
    nodes: model.nodes.map((n) => ({ id: n.id, width: Math.ceil(labelOf(n).length * CHAR_WIDTH + NODE_PADDING), height: NODE_HEIGHT })),
    edges: model.edges.map((e) => ({ from: e.from, to: e.to })),
  });
  const nodeById = new Map(model.nodes.map((n) => [n.id, n]));
  const nodes: SvgNode[] = layout.nodes.map((p) => {
    const n = nodeById.get(p.id)!;
    const image = n.kind === 'image' ? imageByName.get(n.label) : undefined;
    return {
      domId: `node-${p.id}`,
      kind: n.kind,
      classes: image ? `node image ${context.stateClassOf(image)}` : `node ${n.kind}`,
      x: p.x,
      y: p.y,
      width: p.width,
      height: p.height,
      textX: p.x + NODE_PADDING / 2,
      textY: p.y + p.height / 2 + 4,
      label: labelOf(n),
      title: n.kind === 'pinned' ? `${n.label} (pinned by digest: never rebuilt for it)` : n.label,
      href: image ? `#${imageAnchor(image.name)}` : undefined,
    };
  });
  const edges: SvgEdge[] = layout.edges.map((r, i) => {
    const e = model.edges[i];
    const from = nodeById.get(e.from)!.label;
    const to = nodeById.get(e.to)!.label;
    const how = e.kind === 'pinned' ? 'pinned: never rebuilt for it' : e.soak === '0' ? 'rebuilt at once' : `rebuilt after a cooldown of ${e.soak}`;
    return { classes: `edge ${e.kind}`, path: r.path, title: `${from} \u2192 ${to}: ${how}` };
  });
  return { width: layout.width, height: layout.height, nodes, edges };
}

/** An image's bases, watched and pinned, sorted by reference: what it was built on and what is current. */
function baseRowsOf(image: ImageValues, state: ImageState | undefined, context: ReportContext): BaseRow[] {
  const baseStatus = new Map((context.statusByName.get(image.name)?.bases ?? []).map((b) => [b.ref, b]));
  const recorded = state?.lastRebuild.bases ?? {};
  return [
    ...image.upstreams.map((up): BaseRow => {
      const built = recorded[recordKeyOf(up.slug)];
      const s = baseStatus.get(up.ref);
      const builtOn = s?.builtOn ?? (built?.digest || undefined);
      const current = s?.currentDigest ?? undefined;
      return {
        ref: up.ref,
        kind: up.kind,
        kindLabel: up.kind === 'image' ? 'enrolled image' : 'base image',
        href: up.kind === 'image' && up.image !== undefined ? `#${imageAnchor(up.image)}` : undefined,
        builtOn,
        builtOnShort: builtOn && shortDigest(builtOn),
        builtAt: dateView(built?.at),
        current,
        currentShort: current && shortDigest(current),
        changed: current !== undefined && builtOn !== undefined && current !== builtOn,
        changedAt: dateView(s?.changedAt),
        dueAt: dateView(s?.dueAt),
      };
    }),
    ...image.pinnedBases.map((ref): BaseRow => {
      const digest = /@([a-z0-9]+:[0-9a-f]+)$/.exec(ref)?.[1];
      return { ref, kind: 'pinned', kindLabel: 'pinned by digest', builtOn: digest, builtOnShort: digest && shortDigest(digest), changed: false };
    }),
  ].sort((a, b) => byString(a.ref, b.ref));
}

/** The analysis warnings, each linked to its Dockerfile line, after the reason the image is unwatched (if it is). */
function warningRowsOf(image: ImageValues, state: ImageState | undefined): WarningRow[] {
  const dockerfileRef = state?.analysis.commit ?? image.source.branch;
  const warnings: WarningRow[] = (state?.analysis.warnings ?? []).map((w) => ({
    where: `${image.source.dockerfile}:${w.line}:${w.col}`,
    message: w.message,
    href: githubFileLink(image.source.url, dockerfileRef, image.source.dockerfile, w.line),
  }));
  const unwatched = reasonUnwatched(image, state);
  if (unwatched !== undefined) warnings.unshift({ where: image.name, message: unwatched });
  return warnings;
}

/** One image's section. */
function imageView(image: ImageValues, state: ImageState | undefined, children: readonly string[], context: ReportContext): ImageView {
  const imageStatus = context.statusByName.get(image.name);
  const cause = state?.lastRebuild.base ? `${state.lastRebuild.base}${state.lastRebuild.digest ? ` @ ${shortDigest(state.lastRebuild.digest)}` : ''}` : undefined;
  const analysis =
    state?.analysis.status === 'analyzed' ? `analyzed${state.analysis.commit ? ` at commit ${state.analysis.commit.slice(0, 12)}` : ''}` : 'not analyzed yet';
  return {
    anchor: imageAnchor(image.name),
    name: image.name,
    image: repoURLOf(image),
    state: imageStatus?.state,
    stateLabel: imageStatus ? STATE_LABELS[imageStatus.state] : context.status ? 'not in the status file' : 'not checked',
    stateClass: context.stateClassOf(image),
    rebuildDelay: image.rebuildDelay,
    mode: image.autoRebuild ? 'automatic' : 'manual (autoRebuild: false)',
    local: image.source.local,
    sourceRepo: image.source.repo,
    branch: image.source.branch,
    dockerfile: image.source.dockerfile,
    dockerfileHref: githubFileLink(image.source.url, image.source.branch, image.source.dockerfile),
    workflow: image.source.workflow,
    workflowHref: githubWorkflowLink(image.source.url, image.source.workflow),
    analysis,
    analyzedAt: dateView(state?.analysis.analyzedAt),
    lastRebuildAt: dateView(state?.lastRebuild.at),
    lastRebuildCause: cause,
    bases: baseRowsOf(image, state, context),
    warnings: warningRowsOf(image, state),
    children: [...children].sort(byString).map((name) => ({ name, href: `#${imageAnchor(name)}` })),
  };
}

/** The sections, one per image, sorted by name; each lists the enrolled images built on it. */
function imageViews(values: ChartValues, states: ReadonlyMap<string, ImageState>, context: ReportContext): ImageView[] {
  // A set per parent: a child built on two tags of its parent is listed once.
  const children = new Map<string, Set<string>>();
  for (const image of values.images) {
    for (const up of image.upstreams) {
      if (up.kind !== 'image' || up.image === undefined) continue;
      const set = children.get(up.image);
      if (set) set.add(image.name);
      else children.set(up.image, new Set([image.name]));
    }
  }
  return [...values.images].sort((a, b) => byString(a.name, b.name)).map((image) => imageView(image, states.get(image.name), [...(children.get(image.name) ?? [])], context));
}

/** Every base image that is not itself enrolled, and every pinned one, with the images built on it. */
function baseImageViews(values: ChartValues): BaseImageView[] {
  const enrolledRepos = new Set(values.images.map((i) => repoURLOf(i)));
  const usedByOf = (names: string[]) => [...new Set(names)].sort(byString).map((name) => ({ name, href: `#${imageAnchor(name)}` }));
  const baseUsers = usersOfBases(values);
  const pinnedUsers = new Map<string, string[]>();
  for (const e of edgesOf(values)) {
    if (e.fromKind !== 'pinned') continue;
    const users = pinnedUsers.get(e.from);
    if (users) users.push(e.to);
    else pinnedUsers.set(e.from, [e.to]);
  }
  return [
    ...values.bases.filter((b) => !enrolledRepos.has(b.repoURL)).map((b) => ({ ref: b.ref, pinned: false, usedBy: usedByOf(baseUsers.get(b.ref) ?? []) })),
    ...[...pinnedUsers].map(([ref, users]) => ({ ref, pinned: true, usedBy: usedByOf(users) })),
  ].sort((a, b) => byString(a.ref, b.ref));
}

export function reportView(input: ReportInput): ReportView {
  const { values, status } = input;
  const context = contextOf(status);
  const images = imageViews(values, input.states, context);
  const counts = status
    ? (Object.keys(STATE_LABELS) as ImageStatusState[])
        .map((s) => ({ label: STATE_LABELS[s], count: images.filter((i) => i.state === s).length, stateClass: `state-${s}` }))
        .filter((c) => c.count > 0)
    : [];
  return {
    title: 'Image Factory report',
    stateRepo: values.stateRepo ? { url: values.stateRepo.url, href: githubRepoLink(values.stateRepo.url), branch: values.stateRepo.branch } : undefined,
    generatedAt: dateView(input.generatedAt),
    hasStatus: status !== undefined,
    counts,
    graph: graphView(values, context),
    rebuildOrder: rebuildOrder(values).map((name) => ({ name, href: `#${imageAnchor(name)}` })),
    images,
    baseImages: baseImageViews(values),
    statusErrors: [...(status?.errors ?? [])].sort(byString),
  };
}
