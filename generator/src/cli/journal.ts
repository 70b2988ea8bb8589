// The journal of one run's writes: which temp file becomes which file, and which files go. The
// writer (files.ts) writes every new content to a temp file, then this journal, and only then
// renames and removes; a run killed after the journal exists is finished by the next run from it,
// one killed before is undone by removing its temp files. Pure: text in, entries out.
import { createHash } from 'node:crypto';
import * as path from 'node:path';

/** Where the journal lives, relative to the root. */
export const JOURNAL_FILE = '.image-factory.journal';
const FORMAT = 'image-factory-journal/1';

export interface Journal {
  pid: number;
  /** [temp, target] pairs, both relative to the root with "/". */
  renames: Array<[string, string]>;
  /** Files to remove, relative to the root with "/". */
  deletes: string[];
}

/** The temp file a run writes `rel`'s new content to: beside it, hidden, named after the run. */
export function tempPathOf(rel: string, pid: number): string {
  const dir = path.posix.dirname(rel);
  const name = `.${path.posix.basename(rel)}.tmp-${pid}`;
  return dir === '.' ? name : `${dir}/${name}`;
}

const TEMP_NAME = /^\.(.+)\.tmp-([1-9][0-9]{0,9})$/;

/** The pid in a temp file's name (`.x.yaml.tmp-123` → 123), or undefined when it is not one. */
export function pidOfTempName(name: string): number | undefined {
  const m = TEMP_NAME.exec(name);
  return m ? Number(m[2]) : undefined;
}

const checksum = (body: string): string => `sha256:${createHash('sha256').update(body).digest('hex')}`;

export function journalText(journal: Journal): string {
  const body = JSON.stringify({ format: FORMAT, pid: journal.pid, renames: journal.renames, deletes: journal.deletes });
  return `${body}\n${checksum(body)}\n`;
}

/**
 * A path a journal may name: relative, "/"-separated, inside a folder, no "..", "." or hidden
 * segment (so never images.yaml itself or .git/), no control characters.
 */
function isJournalPath(p: unknown): p is string {
  if (typeof p !== 'string' || p.length === 0 || p.length > 4096 || /[\u0000-\u001f\\]/.test(p)) return false;
  const segments = p.split('/');
  return segments.length >= 2 && segments.every((s) => s !== '' && !s.startsWith('.'));
}

/** The journal in `text`, or why it is not one this program wrote (damaged, or put there by hand). */
export function parseJournal(text: string): Journal | string {
  const lines = text.split('\n');
  if (lines.length !== 3 || lines[2] !== '') return 'it is not two lines';
  if (checksum(lines[0]) !== lines[1]) return 'its checksum does not match';
  let doc: unknown;
  try {
    doc = JSON.parse(lines[0]);
  } catch {
    return 'it is not JSON';
  }
  const { format, pid, renames, deletes } = (doc ?? {}) as Record<string, unknown>;
  if (format !== FORMAT) return `its format is not ${FORMAT}`;
  if (typeof pid !== 'number' || !Number.isInteger(pid) || pid < 1) return 'it names no process';
  if (!Array.isArray(renames) || !Array.isArray(deletes)) return 'it lists no renames and removals';
  for (const r of renames) {
    if (!Array.isArray(r) || r.length !== 2 || !isJournalPath(r[1]) || r[0] !== tempPathOf(r[1], pid)) return 'it names a rename image-factory would not make';
  }
  if (!deletes.every(isJournalPath)) return 'it names a removal image-factory would not make';
  return { pid, renames: renames as Array<[string, string]>, deletes: deletes as string[] };
}
