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
  return locateByRealpath(path.join(root, rel), realRoot);
}

function locateByRealpath(file: string, realRoot: string): Located {
  let real: string;
  try {
    // The system's realpath: one call, where the JavaScript one lstats every step of the path.
    real = fs.realpathSync.native(file);
  } catch {
    return { kind: 'missing' };
  }
  return isInside(real, realRoot) ? { kind: 'inside', real } : { kind: 'outside', real };
}

/**
 * Finds many files below one root, like locateInside, for a fraction of its system calls: each
 * folder on the way is resolved once, from its parent's listing (one readdir serves every image
 * folder under `images-src/`), and only a link is resolved by realpath. The file itself is not
 * looked at: the reader opens `real` without following links and, when it meets one, asks
 * `locateLink` where it leads. 10,000 Dockerfiles cost 10,000 realpath calls (five steps each)
 * the other way.
 */
export class RepoLocator {
  readonly realRoot: string;
  /** What each folder turned out to be: missing stands for anything that is no folder. */
  private readonly folders = new Map<string, Located>();
  private readonly listings = new Map<string, Map<string, fs.Dirent> | undefined>();

  constructor(private readonly root: string) {
    this.realRoot = realRootOf(root);
    this.folders.set('', { kind: 'inside', real: this.realRoot });
  }

  /** Where file `rel` would be if it is no link: its folder resolved, the name appended. */
  locate(rel: string): Located {
    const parts = rel.split('/');
    // Anything but plain names ("..", ".", empty steps) takes the general path.
    if (parts.some((p) => p === '' || p === '.' || p === '..')) return locateInside(this.root, rel, this.realRoot);
    const folder = this.folder(parts.slice(0, -1).join('/'));
    if (folder.kind === 'missing') return folder;
    // Out of the repository through a link (rare): realpath tells what is there.
    if (folder.kind === 'outside') return locateInside(this.root, rel, this.realRoot);
    return { kind: 'inside', real: path.join(folder.real, parts[parts.length - 1]) };
  }

  /** Where the link at `real` (a path locate returned) leads, and whether that is inside. */
  locateLink(real: string): Located {
    return locateByRealpath(real, this.realRoot);
  }

  private folder(rel: string): Located {
    const known = this.folders.get(rel);
    if (known) return known;
    const cut = rel.lastIndexOf('/');
    const parent = this.folder(cut < 0 ? '' : rel.slice(0, cut));
    const found = parent.kind === 'inside' ? this.entryOf(parent.real, rel.slice(cut + 1)) : parent;
    this.folders.set(rel, found);
    return found;
  }

  private entryOf(parentReal: string, name: string): Located {
    const entry = this.listingOf(parentReal)?.get(name);
    const full = path.join(parentReal, name);
    if (!entry) return { kind: 'missing' };
    if (entry.isDirectory()) return { kind: 'inside', real: full };
    if (!entry.isSymbolicLink()) return { kind: 'missing' };
    const target = locateByRealpath(full, this.realRoot);
    if (target.kind !== 'inside') return target;
    return isDirectory(target.real) ? target : { kind: 'missing' };
  }

  private listingOf(real: string): Map<string, fs.Dirent> | undefined {
    if (this.listings.has(real)) return this.listings.get(real);
    let listing: Map<string, fs.Dirent> | undefined;
    try {
      listing = new Map(fs.readdirSync(real, { withFileTypes: true }).map((d) => [d.name, d]));
    } catch {
      // Unreadable: what lies below counts as missing, as realpath would find it.
      listing = undefined;
    }
    this.listings.set(real, listing);
    return listing;
  }
}

function isDirectory(real: string): boolean {
  try {
    return fs.statSync(real).isDirectory();
  } catch {
    return false;
  }
}
