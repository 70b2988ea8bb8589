// One file written where a user's --out says, through the generator's writer (files.ts): the old
// content or the new one, never half of it, even when the process is killed mid-write.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';
import { applyChanges, changesOf, recoverInterruptedRun } from './files';
import { fsProblemMessage, isFsError } from './read-file';

export interface OutputTarget {
  /** The folder written in (absolute). */
  dir: string;
  /** The file's name in it. */
  name: string;
}

/**
 * Where `--out` points: a folder (one that exists, or a path ending in `/`) gets `defaultName` in
 * it; anything else names the file itself. With `folderOnly`, the path is always a folder.
 */
export function outputTarget(out: string, defaultName: string, folderOnly = false): OutputTarget {
  const full = path.resolve(out);
  let isFolder = folderOnly || out.endsWith('/') || out.endsWith(path.sep);
  if (!isFolder) {
    try {
      isFolder = fs.statSync(full).isDirectory();
    } catch {
      isFolder = false;
    }
  }
  return isFolder ? { dir: full, name: defaultName } : { dir: path.dirname(full), name: path.basename(full) };
}

const shownPath = (file: string): string => path.relative(process.cwd(), file) || file;

/** Writes `content` to the target (making its folder); false when the file already held exactly that. */
export async function writeOutputFile(target: OutputTarget, content: string): Promise<boolean> {
  try {
    fs.mkdirSync(target.dir, { recursive: true });
  } catch (e) {
    if (isFsError(e)) {
      const why = e.code === 'EEXIST' || e.code === 'ENOTDIR' ? 'is a file, where the --out folder should be; name a folder' : fsProblemMessage(e, 'written');
      throw new UserError({ subject: shownPath(target.dir), message: why });
    }
    throw e;
  }
  recoverInterruptedRun(target.dir, ['.']);
  const changes = changesOf(target.dir, new Map([[target.name, content]]), []);
  await applyChanges(target.dir, changes);
  return changes.length > 0;
}

export const describeTarget = (target: OutputTarget): string => shownPath(path.join(target.dir, target.name));
