// Reading objects through one `git cat-file --batch` process: a name goes in on stdin, the object
// comes back (`<oid> <type> <size>\n<content>\n`), one at a time, so that what is asked next can
// depend on what came before (a commit's tree, a folder's entry). One process replaces a git
// command per object. An object the shallow, blob-less fetch left out is fetched on demand by git
// itself (from the promisor remote); the caller bounds that with the process's PackWatch.
import { GitFetchError } from './git-fetch-error';
import { parseBatchHeader } from './git-objects';
import { startGit, type GitExit, type PackWatch, type RunContext, type StartedGit } from './git-process';

export interface GitObject {
  oid: string;
  type: string;
  content: Buffer;
}

export interface ObjectReader {
  /**
   * The object `name` resolves to (an id, `<id>^{commit}`, `FETCH_HEAD^{commit}`), or undefined when
   * git finds none. Rejects with GitBatchEnded when git exits instead of answering, with the
   * GitFetchError that stopped it (deadline, abort, pack watch), or with `tooLarge()` for an object
   * over maxBytes, which is never read.
   */
  read(name: string, maxBytes: number, tooLarge: () => GitFetchError): Promise<GitObject | undefined>;
  /** Ends the session: git's exit code and stderr. */
  close(): Promise<GitExit>;
}

/** git ended before it answered (an on-demand fetch that failed ends cat-file): its exit, for the caller to read. */
export class GitBatchEnded extends Error {
  readonly exit: GitExit;
  constructor(exit: GitExit) {
    super(`git cat-file ended (code ${exit.code}) before it answered`);
    this.name = 'GitBatchEnded';
    this.exit = exit;
  }
}

/** Bytes received from git and not yet handed out, and the one reader waiting for them. */
class BatchOutput {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting?: () => void;

  push(chunk: Buffer): void {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.wake();
  }

  wake(): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.();
  }

  /** Resolves once more bytes arrived, or git ended. */
  more(): Promise<void> {
    return new Promise((resolve) => (this.waiting = resolve));
  }

  /** The first line without its LF, consumed; undefined while incomplete. */
  line(): string | undefined {
    const end = this.buffered.indexOf(0x0a);
    if (end < 0) return undefined;
    const text = this.buffered.toString('utf8', 0, end);
    this.buffered = this.buffered.subarray(end + 1);
    return text;
  }

  /** `size` bytes and the LF after them, consumed; undefined while incomplete. */
  bytes(size: number): Buffer | undefined {
    if (this.buffered.length < size + 1) return undefined;
    const content = Buffer.from(this.buffered.subarray(0, size));
    this.buffered = this.buffered.subarray(size + 1);
    return content;
  }
}

/** Starts `git cat-file --batch` in the repository `gitDir` (a `--git-dir=` argument). */
export function openObjectReader(ctx: RunContext, gitDir: string, watch: PackWatch): ObjectReader {
  const git = startGit(ctx, [gitDir, 'cat-file', '--batch'], { input: true, watch });
  const output = new BatchOutput();
  let ended = false;
  git.stdout.on('data', (chunk: Buffer) => output.push(chunk));
  git.exited
    .catch(() => undefined)
    .finally(() => {
      ended = true;
      output.wake();
    });
  const next = async <T>(take: () => T | undefined): Promise<T> => {
    for (;;) {
      const got = take();
      if (got !== undefined) return got;
      if (ended) throw await endedEarly(git);
      await output.more();
    }
  };
  return {
    async read(name, maxBytes, tooLarge) {
      git.stdin!.write(`${name}\n`);
      const line = await next(() => output.line());
      const header = parseBatchHeader(line);
      if (!header) throw new GitFetchError('git-failed', 'git cat-file answered in a form this version does not know');
      if (!header.found) return undefined;
      if (header.size > maxBytes) {
        const error = tooLarge();
        git.stop(error);
        throw error;
      }
      const content = await next(() => output.bytes(header.size));
      return { oid: header.oid, type: header.type, content };
    },
    close() {
      git.stdin!.end();
      return git.exited;
    },
  };
}

/** Runs `use` with a reader, and ends the reader's git process whatever happens. */
export async function withObjectReader<T>(ctx: RunContext, gitDir: string, watch: PackWatch, use: (reader: ObjectReader) => Promise<T>): Promise<T> {
  const reader = openObjectReader(ctx, gitDir, watch);
  try {
    return await use(reader);
  } finally {
    // Its stdin closed, cat-file ends; one stopped on a failure has ended already (that failure is `use`'s).
    await reader.close().catch(() => undefined);
  }
}

/** Why git's answers stopped: the failure that stopped it, or its exit. */
async function endedEarly(git: StartedGit): Promise<Error> {
  try {
    return new GitBatchEnded(await git.exited);
  } catch (e) {
    return e as GitFetchError;
  }
}
