// One git process of a fetch: started with an argument array in its own process group, bounded by
// the fetch's deadline and abort signal, and optionally by the bytes of pack data arriving in a
// folder. Whatever stops it (deadline, abort, pack limit, too much output) kills the whole group, so
// helpers git started (git-remote-https, an on-demand `git fetch`) go too. stderr is kept short and
// redacted before anyone reads it.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { redact } from './rules';
import { GitFetchError } from './git-fetch-error';

export interface RunContext {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Date.now() after which no git may still run. */
  deadline: number;
  signal?: AbortSignal;
  /** Removed from git's stderr before it is kept. */
  secrets: string[];
}

/** Stop a process once the packs being received in `dir` grow past `maxBytes`, failing with `error`. */
export interface PackWatch {
  dir: string;
  maxBytes: number;
  /** Made when the limit is passed, so that it can name what was learnt by then (the commit). */
  error: () => GitFetchError;
}

export interface GitExit {
  code: number;
  /** At most 16 KiB, credentials removed. */
  stderr: string;
}

export interface StartedGit {
  /** Present when started with `input: true`. */
  stdin?: Writable;
  stdout: Readable;
  /** Settles once git has exited: its code, or the GitFetchError that stopped it. */
  exited: Promise<GitExit>;
  /** Kills the process group; `exited` rejects with `why` (the first reason given wins). */
  stop(why: GitFetchError): void;
}

export interface RunResult extends GitExit {
  stdout: Buffer;
}

/** Counts git processes started by this module (tests assert how many an analysis takes, and none on bad input). */
export const gitStats = { invocations: 0 };

const MAX_STDERR = 16 * 1024;
/** How often a watched process measures what it has received: small, since bytes arrive fast on a LAN. */
const PACK_WATCH_INTERVAL_MS = 10;

/** Bytes of the packs in a pack folder, those still being received (`tmp_pack_*`) included. */
export function packBytes(dir: string): number {
  let total = 0;
  try {
    for (const f of fs.readdirSync(dir)) {
      if (!f.endsWith('.pack') && !f.startsWith('tmp_pack_')) continue;
      try {
        total += fs.statSync(path.join(dir, f)).size;
      } catch {
        /* renamed or removed between the listing and the stat */
      }
    }
  } catch {
    /* no packs */
  }
  return total;
}

function killGroup(pid: number | undefined): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

/** Starts git; throws GitFetchError('timeout' | 'aborted') when the fetch has no time left or was cancelled. */
export function startGit(ctx: RunContext, args: string[], opts: { input?: boolean; watch?: PackWatch } = {}): StartedGit {
  const remaining = ctx.deadline - Date.now();
  if (remaining <= 0) throw new GitFetchError('timeout', 'the git fetch did not finish in time');
  if (ctx.signal?.aborted) throw new GitFetchError('aborted', 'the request was cancelled');
  gitStats.invocations++;
  const child = spawn('git', args, { cwd: ctx.cwd, env: ctx.env, stdio: [opts.input ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true });
  let failure: GitFetchError | undefined;
  const stop = (why: GitFetchError) => {
    failure ??= why;
    killGroup(child.pid);
  };
  const timer = setTimeout(() => stop(new GitFetchError('timeout', 'the git fetch did not finish in time')), remaining);
  const watch = opts.watch;
  const before = watch ? packBytes(watch.dir) : 0;
  const watcher = watch ? setInterval(() => packBytes(watch.dir) - before > watch.maxBytes && stop(watch.error()), PACK_WATCH_INTERVAL_MS) : undefined;
  const onAbort = () => stop(new GitFetchError('aborted', 'the request was cancelled'));
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => {
    if (stderr.length < MAX_STDERR) stderr += b.toString('utf8');
  });
  // git gone early closes its stdin under a write: the exit tells why, the write error adds nothing.
  child.stdin?.on('error', () => undefined);
  const exited = new Promise<GitExit>((resolve, reject) => {
    const settle = () => {
      clearTimeout(timer);
      clearInterval(watcher);
      ctx.signal?.removeEventListener('abort', onAbort);
    };
    child.on('error', (e) => {
      settle();
      reject(new GitFetchError('git-failed', `git could not be started (${(e as NodeJS.ErrnoException).code ?? 'error'}); is git installed?`));
    });
    child.on('close', (code) => {
      settle();
      if (!failure) return resolve({ code: code ?? 1, stderr: redact(stderr, ctx.secrets) });
      // The group may still hold a helper (git-remote-https) after git itself exits on a signal.
      killGroup(child.pid);
      reject(failure);
    });
  });
  exited.catch(() => undefined);
  return { stdin: child.stdin ?? undefined, stdout: child.stdout!, exited, stop };
}

/** Runs git to its end, keeping at most `maxStdout` bytes of output (more stops it as too large). */
export async function runGit(ctx: RunContext, args: string[], maxStdout = 64 * 1024, watch?: PackWatch): Promise<RunResult> {
  const git = startGit(ctx, args, { watch });
  const out: Buffer[] = [];
  let length = 0;
  git.stdout.on('data', (b: Buffer) => {
    length += b.length;
    if (length > maxStdout) git.stop(new GitFetchError('too-large', `the file is larger than ${maxStdout} bytes`));
    else out.push(b);
  });
  const exit = await git.exited;
  return { ...exit, stdout: Buffer.concat(out) };
}

/** The most telling line of git's stderr (the last `fatal:`/`error:`), for a message. */
export function gitSays(stderr: string): string {
  const lines = stderr.split('\n').map((l) => l.trim()).filter(Boolean);
  const fatal = lines.filter((l) => /^(fatal|error):/.test(l));
  const line = (fatal[fatal.length - 1] ?? lines[lines.length - 1] ?? '').slice(0, 300);
  return line ? ` (git: ${line})` : '';
}
