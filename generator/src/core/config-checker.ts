// What images.yaml's checks collect: findings at paths, one per node (the most telling wins), turned
// into problems at the line and column of the node at fault, and the labels messages name paths by.
import type { Problem } from './errors';
import type { SourcePosition } from './types';
import type { PathSegment } from './yaml-source';

/** What the checks need of a parsed file: its data and where each part of it is. */
export interface PositionedValue {
  file: string;
  value: unknown;
  positionOf(path: readonly PathSegment[], part?: 'key' | 'value'): SourcePosition;
}

export interface Finding {
  path: PathSegment[];
  /** Point at the key of the last path segment rather than its value. */
  part: 'key' | 'value';
  message: string;
  /** Lower wins when two findings name the same node. */
  rank: number;
}

export class Checker<Source extends PositionedValue = PositionedValue> {
  readonly findings = new Map<string, Finding>();
  /** Every path that has a finding at or below it, joined with "/". */
  private readonly flaggedPaths = new Set<string>();

  constructor(
    readonly source: Source,
    /** Path prefix of the entry list: [] in the list form, ['images'] in the mapping form. */
    readonly entriesAt: PathSegment[],
  ) {}

  add(finding: Finding): void {
    const id = `${finding.part}:${finding.path.map(String).join('/')}`;
    const existing = this.findings.get(id);
    if (!existing || finding.rank < existing.rank) this.findings.set(id, finding);
    for (let i = 0; i <= finding.path.length; i++) this.flaggedPaths.add(finding.path.slice(0, i).map(String).join('/'));
  }

  /** Whether anything at or below `path` was already found wrong, so later checks do not pile on. */
  flagged(path: PathSegment[]): boolean {
    // A valid file (the usual case) has no findings: no path to spell out.
    if (this.flaggedPaths.size === 0) return false;
    return this.flaggedPaths.has(path.map(String).join('/'));
  }

  /** Whether `path` is an image entry itself (`images[3]`, or `[3]` in the list form). */
  isEntry(path: readonly PathSegment[]): boolean {
    const n = this.entriesAt.length;
    return path.length === n + 1 && this.entriesAt.every((s, i) => String(path[i]) === String(s));
  }

  /** How a path reads in a message: relative to its image entry (`source.branch`), else from the top. */
  label(path: readonly PathSegment[]): string {
    const n = this.entriesAt.length;
    if (this.isEntry(path)) return `image entry ${Number(path[n]) + 1}`;
    const inEntry = path.length > n + 1 && this.isEntry(path.slice(0, n + 1));
    const skip = inEntry ? n + 1 : 0;
    let node: unknown = path.slice(0, skip).reduce(step, this.source.value);
    let out = '';
    for (const segment of path.slice(skip)) {
      out += Array.isArray(node) ? `[${segment}]` : out ? `.${segment}` : String(segment);
      node = step(node, segment);
    }
    return out || 'the file';
  }

  /** How an object reads as the subject of "lacks"/"unknown key in": `image "nginx"`, `source`, `stateRepo`. */
  labelOfObject(path: PathSegment[]): string {
    if (this.isEntry(path)) {
      const name = step(path.reduce(step, this.source.value), 'name');
      return typeof name === 'string' ? `image "${name}"` : `image entry ${Number(path[this.entriesAt.length]) + 1}`;
    }
    return path.length === 0 ? 'images.yaml' : this.label(path);
  }

  problems(): Problem[] {
    const file = this.source.file;
    return [...this.findings.values()]
      .map((f) => ({ subject: file, ...this.source.positionOf(f.path, f.part), message: f.message }))
      .sort((a, b) => a.line - b.line || a.col - b.col || (a.message < b.message ? -1 : a.message > b.message ? 1 : 0));
  }
}

/** One step down a plain value: an index into a list, a key into a mapping. */
export function step(node: unknown, segment: PathSegment): unknown {
  if (Array.isArray(node)) return node[Number(segment)];
  if (node !== null && typeof node === 'object') return (node as Record<string, unknown>)[String(segment)];
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
