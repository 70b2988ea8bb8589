// The generator's only writer: a set of files under one root, written all or nothing, even when the
// process is killed at any moment (kill -9, an OOM kill, a cancelled CI job).
//
// 1. Every new content goes to a temp file beside its target, created exclusively and never through
//    a link, and flushed to disk. A failure here removes them all: nothing has changed.
// 2. The journal (journal.ts) lists every rename and removal; it is written to a temp file, flushed,
//    and linked into place in one step. From this moment the run counts as done.
// 3. The renames and removals happen; the journal goes last.
// The next run calls recoverInterruptedRun before reading anything: with an intact journal it
// finishes the renames and removals (they can be repeated safely), otherwise it removes the temp
// files of runs that are no longer alive. So the tree is always the old one or the new one once
// that has run. Every folder is resolved first and refused when a link leads it out of the root.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';
import { JOURNAL_FILE, journalText, parseJournal, pidOfTempName, tempPathOf, type Journal } from './journal';
import { fsProblemMessage, isFsError, readRegularFile } from './read-file';
import { folderInside } from './repo-paths';

export interface FileChange {
  /** Path relative to the root, with `/`. */
  path: string;
  kind: 'create' | 'update' | 'delete';
  /** The current content; undefined for a removal, or when it was larger than the new content (so certainly different). */
  before?: string;
  after?: string;
}

/** Resolves each folder once per call, refusing links out of the root. */
function folderResolver(root: string, filesInTheWay: 'refuse' | 'allow' = 'refuse'): (rel: string) => string {
  const seen = new Map<string, string>();
  return (rel) => {
    const dir = path.posix.dirname(rel);
    let real = seen.get(dir);
    if (real === undefined) {
      real = folderInside(root, dir === '.' ? '' : dir, filesInTheWay);
      seen.set(dir, real);
    }
    return path.join(real, path.posix.basename(rel));
  };
}

type Existing = { kind: 'missing' } | { kind: 'same' } | { kind: 'differs'; content?: string };

/**
 * Compares what is at `file` with `after`. It reads a bounded amount, enough to count the changed
 * lines of any file image-factory wrote before; a file much larger than the new one is certainly
 * different and is not read to the end.
 */
function compareWith(file: string, rel: string, after: string): Existing {
  const maxBytes = Math.max(2 * Buffer.byteLength(after, 'utf8'), 1024 * 1024);
  const read = readRegularFile(file, rel, { maxBytes, noFollow: true, fix: 'image-factory writes this file: remove what is there and run it again' });
  if (read.kind === 'missing') return { kind: 'missing' };
  if (read.kind === 'too-large') return { kind: 'differs' };
  return compareBytes(read.bytes, after);
}

function compareBytes(bytes: Buffer, after: string): Existing {
  return bytes.equals(Buffer.from(after, 'utf8')) ? { kind: 'same' } : { kind: 'differs', content: bytes.toString('utf8') };
}

function compareText(text: string, after: string): Existing {
  return text === after ? { kind: 'same' } : { kind: 'differs', content: text };
}

function existsAsFile(file: string, rel: string): boolean {
  try {
    const stat = fs.lstatSync(file);
    if (stat.isDirectory()) throw new UserError({ subject: rel, message: 'is a folder, where image-factory would remove a file it wrote; remove or rename the folder' });
    return true;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return false;
    if (!(e instanceof UserError) && isFsError(e)) throw new UserError({ subject: rel, message: fsProblemMessage(e) });
    throw e;
  }
}

/**
 * What writing `wanted` and removing `unwanted` would change, unchanged files left out, sorted by path.
 * `current` holds files the caller has just read (at most 1 MiB each), compared without reading them
 * again: their bytes, or their text when that was valid UTF-8 (compared as strings, and equal at
 * once when the caller kept that very text to write back).
 */
export function changesOf(root: string, wanted: ReadonlyMap<string, string>, unwanted: readonly string[], current: ReadonlyMap<string, Buffer | string> = new Map()): FileChange[] {
  const resolve = folderResolver(root, 'allow');
  const changes: FileChange[] = [];
  for (const [rel, after] of wanted) {
    const known = current.get(rel);
    const existing = typeof known === 'string' ? compareText(known, after) : known ? compareBytes(known, after) : compareWith(resolve(rel), rel, after);
    if (existing.kind === 'missing') changes.push({ path: rel, kind: 'create', after });
    else if (existing.kind === 'differs') changes.push({ path: rel, kind: 'update', before: existing.content, after });
  }
  for (const rel of unwanted) {
    if (existsAsFile(resolve(rel), rel)) changes.push({ path: rel, kind: 'delete' });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** How many files are written at once: enough to keep the file system busy, few enough for any host. */
const PARALLEL_WRITES = 16;

// Create only: never open what is already there, and never follow a link planted at the name.
const EXCLUSIVE = fs.constants.O_WRONLY | fs.constants.O_CREAT | fs.constants.O_EXCL | fs.constants.O_NOFOLLOW;

/** A file-system failure while writing `rel`, as the user's problem to fix. */
function writeProblem(e: unknown, rel: string, action: 'written' | 'removed'): unknown {
  if (e instanceof UserError || !isFsError(e)) return e;
  if (e.code === 'EEXIST' || e.code === 'ELOOP') {
    return new UserError({ subject: rel, message: 'is in the way of the temp file image-factory writes there (something else made it); remove it and run again' });
  }
  return new UserError({ subject: rel, message: fsProblemMessage(e, action) });
}

async function writeExclusive(file: string, content: string): Promise<void> {
  const handle = await fs.promises.open(file, EXCLUSIVE, 0o666);
  try {
    await handle.writeFile(content);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Flushes a folder's entries (the renames in it) to disk. */
function syncFolder(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
    fs.fsyncSync(fd);
  } catch {
    // Some file systems cannot sync a folder; the renames are still atomic, only their durability waits.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Applies a journal's renames and removals; each step can be repeated, so a second kill is harmless. */
function rollForward(root: string, journal: Journal): void {
  const resolve = folderResolver(root);
  const dirs = new Set<string>();
  for (const [tmp, target] of journal.renames) {
    const from = resolve(tmp);
    let stat: fs.Stats | undefined;
    try {
      stat = fs.lstatSync(from);
    } catch {
      stat = undefined; // renamed before the kill
    }
    if (stat === undefined || !stat.isFile()) continue;
    try {
      fs.renameSync(from, resolve(target));
    } catch (e) {
      throw writeProblem(e, target, 'written');
    }
    dirs.add(path.dirname(from));
  }
  for (const rel of journal.deletes) {
    const file = resolve(rel);
    if (!existsAsFile(file, rel)) continue;
    try {
      fs.rmSync(file, { force: true });
    } catch (e) {
      throw writeProblem(e, rel, 'removed');
    }
    dirs.add(path.dirname(file));
  }
  for (const dir of dirs) syncFolder(dir);
}

export interface Recovery {
  /** Files a killed run had journalled and this call renamed into place or removed. */
  finished: number;
  /** Temp files of runs that are gone, removed. */
  removedTemps: number;
}

/**
 * Makes the tree whole after a run that was killed: finishes it from an intact journal, and removes
 * the temp files that runs no longer alive left in `folders` (and a journal's own temp file at the
 * root). Call it before reading the tree to plan new writes.
 */
export function recoverInterruptedRun(root: string, folders: readonly string[]): Recovery {
  // No folder, no run to recover: what is missing is for the reader to report.
  if (!fs.existsSync(root)) return { finished: 0, removedTemps: 0 };
  const realRoot = folderInside(root, '');
  const journalPath = path.join(realRoot, JOURNAL_FILE);
  let finished = 0;
  const read = readRegularFile(journalPath, JOURNAL_FILE, { maxBytes: 64 * 1024 * 1024, noFollow: true, fix: 'remove it' });
  if (read.kind === 'too-large') throw new UserError({ subject: JOURNAL_FILE, message: 'is too large to be a journal image-factory wrote; remove it and run image-factory generate again' });
  if (read.kind === 'read') {
    const journal = parseJournal(read.bytes.toString('utf8'));
    if (typeof journal === 'string') {
      throw new UserError({ subject: JOURNAL_FILE, message: `is not a journal image-factory wrote (${journal}); remove it and run image-factory generate again` });
    }
    if (journal.pid !== process.pid && isAlive(journal.pid)) {
      throw new UserError({ subject: JOURNAL_FILE, message: `another image-factory run (process ${journal.pid}) is writing this state repo; wait for it to finish (if there is no such process, remove the file)` });
    }
    rollForward(root, journal);
    finished = journal.renames.length + journal.deletes.length;
    fs.rmSync(journalPath, { force: true });
    syncFolder(realRoot);
  }
  let removedTemps = 0;
  const removeStale = (dir: string, only?: (name: string) => boolean) => {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      return; // a folder that does not exist holds no temp files
    }
    for (const name of names) {
      const pid = pidOfTempName(name);
      if (pid === undefined || isAlive(pid) || (only && !only(name))) continue;
      const file = path.join(dir, name);
      // A link is removed itself (rm never follows it); a folder of that name is not ours.
      if (fs.lstatSync(file).isDirectory()) continue;
      fs.rmSync(file, { force: true });
      removedTemps += 1;
    }
  };
  removeStale(realRoot, (name) => name.startsWith(`${JOURNAL_FILE}.tmp-`));
  for (const folder of folders) removeStale(folderInside(root, folder));
  return { finished, removedTemps };
}

/** Writes the changes all or nothing (see the top of this file). */
export async function applyChanges(root: string, changes: readonly FileChange[]): Promise<void> {
  if (changes.length === 0) return;
  const resolve = folderResolver(root);
  const realRoot = folderInside(root, '');
  const journalPath = path.join(realRoot, JOURNAL_FILE);
  if (fs.existsSync(journalPath)) {
    throw new UserError({ subject: JOURNAL_FILE, message: 'an earlier run was interrupted; run image-factory generate to finish it first' });
  }
  const pid = process.pid;
  const staged: { tmp: string; rel: string; target: string; content: string }[] = [];
  const made = new Set<string>();
  for (const change of changes) {
    if (change.kind === 'delete') continue;
    const target = resolve(change.path);
    const dir = path.dirname(target);
    if (!made.has(dir)) {
      try {
        fs.mkdirSync(dir, { recursive: true });
      } catch (e) {
        throw writeProblem(e, path.posix.dirname(change.path), 'written');
      }
      made.add(dir);
    }
    staged.push({ tmp: resolve(tempPathOf(change.path, pid)), rel: change.path, target, content: change.after ?? '' });
  }

  // 1. Temp files, several at once (creating thousands of files is the slow part).
  const written: string[] = [];
  let failure: unknown;
  let next = 0;
  const worker = async () => {
    while (failure === undefined && next < staged.length) {
      const file = staged[next++];
      try {
        await writeExclusive(file.tmp, file.content);
        written.push(file.tmp);
      } catch (e) {
        // A temp file that was created and then failed to fill is ours to remove too.
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST' && (e as NodeJS.ErrnoException).code !== 'ELOOP') written.push(file.tmp);
        failure ??= writeProblem(e, tempPathOf(file.rel, pid), 'written');
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL_WRITES, staged.length) }, worker));
  if (failure !== undefined) {
    for (const tmp of written) fs.rmSync(tmp, { force: true });
    throw failure;
  }

  // 2. The journal: from the moment it is linked into place, the run is done.
  const journal: Journal = {
    pid,
    renames: changes.filter((c) => c.kind !== 'delete').map((c) => [tempPathOf(c.path, pid), c.path]),
    deletes: changes.filter((c) => c.kind === 'delete').map((c) => c.path),
  };
  const journalTemp = path.join(realRoot, `${JOURNAL_FILE}.tmp-${pid}`);
  try {
    await writeExclusive(journalTemp, journalText(journal));
    // link, unlike rename, fails when the name is taken: two runs never overwrite each other's journal.
    fs.linkSync(journalTemp, journalPath);
    fs.rmSync(journalTemp);
  } catch (e) {
    for (const tmp of [...written, journalTemp]) fs.rmSync(tmp, { force: true });
    throw writeProblem(e, JOURNAL_FILE, 'written');
  }
  syncFolder(realRoot);

  // 3. Renames and removals, then the journal goes.
  rollForward(root, journal);
  fs.rmSync(journalPath, { force: true });
  syncFolder(realRoot);
}

/** A short, readable account of changes for `--check`: one line a file, with changed line counts. */
export function describeChanges(changes: readonly FileChange[]): string {
  return changes
    .map((c) => {
      if (c.kind === 'create') return `  create  ${c.path}`;
      if (c.kind === 'delete') return `  delete  ${c.path}`;
      if (c.before === undefined) return `  update  ${c.path} (replaced: it was larger)`;
      const { added, removed } = lineDelta(c.before, c.after ?? '');
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
