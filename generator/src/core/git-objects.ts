// git's object formats as `git cat-file --batch` prints them, read without git: the answer header,
// a commit's tree and committer time, and a tree's entries. Pure functions over bytes.

/** One answer of `cat-file --batch`: the object's header, or a name git could not resolve. */
export type BatchHeader = { found: true; oid: string; type: string; size: number } | { found: false };

/** Parses `<oid> <type> <size>` or `<name> missing` / `<name> ambiguous` (the line without its LF). */
export function parseBatchHeader(line: string): BatchHeader | undefined {
  const parts = line.split(' ');
  const last = parts[parts.length - 1];
  if (last === 'missing' || last === 'ambiguous') return { found: false };
  if (parts.length !== 3 || !/^[0-9a-f]{40}([0-9a-f]{24})?$/.test(parts[0]) || !/^\d+$/.test(parts[2])) return undefined;
  return { found: true, oid: parts[0], type: parts[1], size: Number(parts[2]) };
}

/** The tree and the committer's time (seconds since the epoch) of a commit object; undefined when malformed. */
export function commitTreeAndTime(content: Buffer): { tree: string; committedEpoch: number } | undefined {
  // The headers end at the first empty line; the message after it is not read.
  const end = content.indexOf('\n\n');
  const headers = content.subarray(0, end < 0 ? content.length : end).toString('utf8');
  const tree = /^tree ([0-9a-f]{40}(?:[0-9a-f]{24})?)$/m.exec(headers);
  const committer = /^committer .* (\d+) [+-]\d{4}$/m.exec(headers);
  if (!tree || !committer) return undefined;
  return { tree: tree[1], committedEpoch: Number(committer[1]) };
}

export interface TreeEntry {
  /** Octal as git writes it: `100644`, `100755`, `120000` (a link), `40000` (a folder), `160000` (a submodule). */
  mode: string;
  oid: string;
}

/**
 * The entry `name` of a tree object (`<mode> <name>\0<binary id>` repeated), or undefined. `oidBytes`
 * is 20 for SHA-1 repositories, 32 for SHA-256. Throws on a tree that does not follow the format.
 */
export function treeEntry(tree: Buffer, name: string, oidBytes: number): TreeEntry | undefined {
  const wanted = Buffer.from(name, 'utf8');
  let at = 0;
  while (at < tree.length) {
    const space = tree.indexOf(0x20, at);
    const nul = space < 0 ? -1 : tree.indexOf(0, space + 1);
    if (space < 0 || nul < 0 || nul + 1 + oidBytes > tree.length) throw new Error('a tree object git printed is malformed');
    if (wanted.equals(tree.subarray(space + 1, nul))) {
      return { mode: tree.toString('latin1', at, space), oid: tree.toString('hex', nul + 1, nul + 1 + oidBytes) };
    }
    at = nul + 1 + oidBytes;
  }
  return undefined;
}

/** What a tree entry is when it is not a regular file, for a message; undefined for a file. */
export function notAFileKind(mode: string): string | undefined {
  if (mode === '40000') return 'a folder';
  if (mode === '120000') return 'a symbolic link';
  if (mode === '160000') return 'a submodule';
  return /^100\d{3}$/.test(mode) ? undefined : `an entry of mode ${mode}`;
}
