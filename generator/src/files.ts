// The generator's only writer: a set of files under one root, written all or nothing. Every new
// content goes to a temp file beside its target first; only when all are written are they renamed
// into place, and removals come last. A failure before the renames leaves every file as it was.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileChange {
  /** Path relative to the root, with `/`. */
  path: string;
  kind: 'create' | 'update' | 'delete';
  before?: string;
  after?: string;
}

/** What writing `wanted` and removing `unwanted` would change, unchanged files left out, sorted by path. */
export function changesOf(root: string, wanted: ReadonlyMap<string, string>, unwanted: readonly string[]): FileChange[] {
  const changes: FileChange[] = [];
  for (const [rel, after] of wanted) {
    const before = readIfExists(path.join(root, rel));
    if (before === undefined) changes.push({ path: rel, kind: 'create', after });
    else if (before !== after) changes.push({ path: rel, kind: 'update', before, after });
  }
  for (const rel of unwanted) {
    const before = readIfExists(path.join(root, rel));
    if (before !== undefined) changes.push({ path: rel, kind: 'delete', before });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw e;
  }
}

/** How many files are written at once: enough to keep the file system busy, few enough for any host. */
const PARALLEL_WRITES = 16;

export async function applyChanges(root: string, changes: readonly FileChange[]): Promise<void> {
  const staged: { tmp: string; target: string; content: string }[] = [];
  const made = new Set<string>();
  for (const change of changes) {
    if (change.kind === 'delete') continue;
    const target = path.join(root, change.path);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    staged.push({ tmp: path.join(dir, `.${path.basename(target)}.tmp-${process.pid}`), target, content: change.after ?? '' });
  }
  // Every new content goes to a temp file first; one failed write removes them all, so nothing
  // has changed yet. Creating thousands of files is the slow part, hence several at once.
  let failure: unknown;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && next < staged.length) {
      const file = staged[next++];
      try {
        await fs.promises.writeFile(file.tmp, file.content);
      } catch (e) {
        failure ??= e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, staged.length) }, worker));
  if (failure !== undefined) {
    for (const { tmp } of staged) fs.rmSync(tmp, { force: true });
    throw failure;
  }
  for (const { tmp, target } of staged) fs.renameSync(tmp, target);
  for (const change of changes) {
    if (change.kind === 'delete') fs.rmSync(path.join(root, change.path), { force: true });
  }
}

/** A short, readable account of changes for `--check`: one line a file, with changed line counts. */
export function describeChanges(changes: readonly FileChange[]): string {
  return changes
    .map((c) => {
      if (c.kind === 'create') return `  create  ${c.path}`;
      if (c.kind === 'delete') return `  delete  ${c.path}`;
      const { added, removed } = lineDelta(c.before ?? '', c.after ?? '');
      return `  update  ${c.path} (+${added} -${removed} lines)`;
    })
    .join('\n');
}

function lineDelta(before: string, after: string): { added: number; removed: number } {
  const count = (lines: string[]) => {
    const m = new Map<string, number>();
    for (const l of lines) m.set(l, (m.get(l) ?? 0) + 1);
    return m;
  };
  const a = count(before.split('\n'));
  const b = count(after.split('\n'));
  let added = 0;
  let removed = 0;
  for (const [l, n] of b) added += Math.max(0, n - (a.get(l) ?? 0));
  for (const [l, n] of a) removed += Math.max(0, n - (b.get(l) ?? 0));
  return { added, removed };
}
