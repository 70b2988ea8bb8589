// Where a path of the state repo really is. A repository can commit symbolic links, so `dist/` or
// `images/` may lead anywhere on the machine; every folder image-factory writes to or lists, and
// every file it reads by a path from images.yaml, is resolved here first and refused when it
// leaves the repository.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../core/errors';
import { fsProblemMessage, isFsError } from './read-file';

export function isInside(real: string, realRoot: string): boolean {
  return real === realRoot || real.startsWith(realRoot.endsWith(path.sep) ? realRoot : realRoot + path.sep);
}

/** The root with every link resolved; a missing root is the user's to fix. */
export function realRootOf(root: string): string {
  try {
    return fs.realpathSync(root);
  } catch (e) {
    if (isFsError(e)) throw new UserError({ subject: root, message: `${fsProblemMessage(e)}; pass --root the state repo (the folder holding images.yaml)` });
    throw e;
  }
}

/**
 * The real path of folder `rel` ("images", "dist"; "/"-separated, below root) when every step of it
 * stays inside the repository: links are allowed only when they lead to a folder inside it. A step
 * that does not exist yet ends the walk: the rest is made by mkdir, inside the last real folder.
 * Throws a UserError naming the step at fault; with `filesInTheWay: 'allow'`, a file where a folder
 * should be is left for whoever writes there to report (only reading, nothing can be found there).
 */
export function folderInside(root: string, rel: string, filesInTheWay: 'refuse' | 'allow' = 'refuse'): string {
  const realRoot = realRootOf(root);
  let current = realRoot;
  const parts = rel.split('/').filter((p) => p !== '' && p !== '.');
  for (let i = 0; i < parts.length; i++) {
    if (parts[i] === '..') throw new UserError({ subject: rel, message: 'leads out of the state repo ("..")' });
    const shown = parts.slice(0, i + 1).join('/');
    const next = path.join(current, parts[i]);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(next);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return path.join(next, ...parts.slice(i + 1));
      if (isFsError(e)) throw new UserError({ subject: shown, message: fsProblemMessage(e) });
      throw e;
    }
    if (stat.isSymbolicLink()) {
      let target: string;
      try {
        target = fs.realpathSync(next);
      } catch {
        throw new UserError({ subject: shown, message: `is a symbolic link to a path that does not exist; image-factory writes in ${rel}/: replace the link with a folder` });
      }
      if (!isInside(target, realRoot)) {
        throw new UserError({ subject: shown, message: `is a symbolic link to ${target}, outside the state repo; image-factory writes in ${rel}/: replace the link with a folder` });
      }
      stat = fs.statSync(target);
      current = target;
    } else current = next;
    if (!stat.isDirectory()) {
      if (filesInTheWay === 'allow') return path.join(current, ...parts.slice(i + 1));
      throw new UserError({ subject: shown, message: `is a file, but image-factory keeps its files in the folder ${rel}/; move the file away` });
    }
  }
  return current;
}

export type Located = { kind: 'inside'; real: string } | { kind: 'missing' } | { kind: 'outside'; real: string };

/**
 * Where file `rel` (below root) really is, following links, and whether that is inside the
 * repository. A caller locating many files passes the root's real path, resolved once.
 */
export function locateInside(root: string, rel: string, realRoot: string = realRootOf(root)): Located {
  let real: string;
  try {
    // The system's realpath: one call, where the JavaScript one lstats every step of the path.
    real = fs.realpathSync.native(path.join(root, rel));
  } catch {
    return { kind: 'missing' };
  }
  return isInside(real, realRoot) ? { kind: 'inside', real } : { kind: 'outside', real };
}
