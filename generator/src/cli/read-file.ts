// Reading a file of the state repo without trusting what sits at its path. Only a regular file is
// read: a FIFO would block forever, /dev/zero never ends, a folder is a mistake. The size cap is
// enforced by the read itself (at most cap + 1 bytes), not by an earlier stat that a special file
// or a growing file would get wrong. File-system failures become problems naming the path.
import * as fs from 'node:fs';
import { UserError } from '../core/errors';

export type ReadResult = { kind: 'read'; bytes: Buffer } | { kind: 'missing' } | { kind: 'too-large'; size: number };

export interface ReadOptions {
  /** Largest accepted size in bytes. */
  maxBytes: number;
  /** Refuse a symbolic link at the path itself (state files image-factory writes are never links). */
  noFollow?: boolean;
  /** What the file is for, to end a "not a regular file" message: "images.yaml must be a file". */
  fix?: string;
}

const CHUNK = 64 * 1024;

/** What kind of thing a stat describes, for messages. */
export function kindOfEntry(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a named pipe (FIFO)';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  if (stat.isSocket()) return 'a socket';
  if (stat.isSymbolicLink()) return 'a symbolic link';
  return 'not a regular file';
}

/** A file-system failure as a message about `shown` (the path as the user knows it). */
export function fsProblemMessage(e: unknown, action: 'read' | 'written' | 'removed' | 'listed' = 'read'): string {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return 'does not exist';
    case 'EISDIR':
      return 'is a folder, where a file is expected; remove or rename the folder';
    case 'ENOTDIR':
      return 'has a file where a folder is expected in its path; remove or rename that file';
    case 'ELOOP':
      return 'is a symbolic link (or a loop of them), where a file is expected; replace it with the file itself';
    case 'EACCES':
    case 'EPERM':
      return `cannot be ${action}: permission denied; check the file's permissions`;
    case 'EROFS':
      return `cannot be ${action}: the file system is read-only`;
    case 'ENOSPC':
    case 'EDQUOT':
      return `cannot be ${action}: the disk is full`;
    case 'ENAMETOOLONG':
      return 'has a name too long for the file system';
    case 'ENXIO':
      return 'is a socket or device, not a regular file; replace it with the file itself';
    default:
      return `cannot be ${action} (${code ?? (e instanceof Error ? e.message : String(e))})`;
  }
}

/** True for the errors that mean "the environment or the input", not a bug in image-factory. */
export function isFsError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

/**
 * Reads `file` when it is a regular file of at most `maxBytes` bytes. `shown` names it in messages.
 * A missing file is `missing`; anything else at the path that is not a regular file is a UserError.
 */
export function readRegularFile(file: string, shown: string, options: ReadOptions): ReadResult {
  const fd = openForReading(file, shown, options, false);
  // Without reportLinks a link is followed or refused, never answered.
  return typeof fd === 'number' ? readOpened(fd, shown, options) : { kind: 'missing' };
}

/**
 * readRegularFile without following a link at the path itself: a link is answered `link`, for a
 * caller that knows where links may lead (RepoLocator.locateLink) to resolve.
 */
export function readRegularFileUnlessLink(file: string, shown: string, options: Omit<ReadOptions, 'noFollow'>): ReadResult | { kind: 'link' } {
  const fd = openForReading(file, shown, { ...options, noFollow: true }, true);
  return typeof fd === 'number' ? readOpened(fd, shown, options) : fd;
}

function openForReading(file: string, shown: string, options: ReadOptions, reportLinks: boolean): number | { kind: 'missing' } | { kind: 'link' } {
  const fix = options.fix ? `; ${options.fix}` : '';
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer; it is refused below once fstat says what it is.
    const flags = fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | (options.noFollow ? fs.constants.O_NOFOLLOW : 0);
    return fs.openSync(file, flags);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // ENOTDIR: a file where a folder of the path should be, so nothing can be at the path.
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    if (code === 'ELOOP' && reportLinks) return { kind: 'link' };
    if (code === 'ELOOP' && options.noFollow) throw new UserError({ subject: shown, message: `is a symbolic link${fix || '; replace it with the file itself'}` });
    if (isFsError(e)) throw new UserError({ subject: shown, message: fsProblemMessage(e) });
    throw e;
  }
}

/** Reads the open file `fd` (and closes it) when it is a regular file within the size cap. */
function readOpened(fd: number, shown: string, options: ReadOptions): ReadResult {
  const fix = options.fix ? `; ${options.fix}` : '';
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new UserError({ subject: shown, message: `is ${kindOfEntry(stat)}, not a regular file${fix}` });
    const chunks: Buffer[] = [];
    let total = 0;
    // The whole file and one byte more in the first read (a fresh 64 KiB buffer per small file was
    // most of the cost of reading 10,000 Dockerfiles); one byte past the cap shows a file too large.
    let want = stat.size + 1;
    while (total <= options.maxBytes) {
      const chunk = Buffer.allocUnsafe(Math.min(want, options.maxBytes + 1 - total));
      const n = fs.readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      total += n;
      // A regular file reads short only at its end (as readFileSync assumes), so a short first read
      // is the whole file; a full one means it grew since fstat, and reading goes on.
      if (n < chunk.length && chunks.length === 1) break;
      want = CHUNK;
    }
    if (total > options.maxBytes) return { kind: 'too-large', size: Math.max(stat.size, total) };
    return { kind: 'read', bytes: chunks.length === 1 ? chunks[0] : Buffer.concat(chunks, total) };
  } catch (e) {
    if (!(e instanceof UserError) && isFsError(e)) throw new UserError({ subject: shown, message: fsProblemMessage(e) });
    throw e;
  } finally {
    fs.closeSync(fd);
  }
}
