// Runs the CLI (or another script) in a child process with bounds a hostile input must not break:
// a V8 heap limit (--max-old-space-size), a resident-memory watchdog (a Buffer outside the heap
// counts too), a generous wall-clock limit, and a cap on the output kept. The result says which
// bound, if any, stopped the child, so a test asserts the outcome and never the time it took.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface ChildLimits {
  /** V8 heap limit in MiB; default 256. */
  heapMiB?: number;
  /** Resident memory at which the child is killed, in MiB; default 768 (node itself takes ~60). */
  rssMiB?: number;
  /** Wall-clock limit; default 30 s, generous for a loaded CI machine. */
  timeoutMs?: number;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
}

export interface ChildResult {
  /** The exit code, or null when a signal (or a bound) ended the child. */
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Bytes written in all, even past what is kept. */
  stdoutBytes: number;
  stderrBytes: number;
  timedOut: boolean;
  memoryExceeded: boolean;
  /** The highest resident memory seen, in MiB (0 where /proc is not available). */
  peakRssMiB: number;
}

const KEEP_BYTES = 1024 * 1024;
const ROOT = path.resolve(__dirname, '..', '..');
export const CLI_MAIN = path.join(__dirname, 'cli-main.ts');

function rssMiB(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Runs `script` (TypeScript, through tsx) with `args` under the limits. */
export function runChild(script: string, args: readonly string[], limits: ChildLimits = {}): Promise<ChildResult> {
  const heap = limits.heapMiB ?? 256;
  const maxRss = limits.rssMiB ?? 768;
  const child = spawn(process.execPath, [`--max-old-space-size=${heap}`, '-r', 'tsx/cjs', script, ...args], {
    cwd: limits.cwd ?? ROOT,
    env: { ...process.env, NO_COLOR: '1', ...limits.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const result: ChildResult = { code: null, signal: null, stdout: '', stderr: '', stdoutBytes: 0, stderrBytes: 0, timedOut: false, memoryExceeded: false, peakRssMiB: 0 };
  const keep = (which: 'stdout' | 'stderr') => (chunk: Buffer) => {
    const bytes = which === 'stdout' ? 'stdoutBytes' : 'stderrBytes';
    if (result[bytes] < KEEP_BYTES) result[which] += chunk.subarray(0, KEEP_BYTES - result[bytes]).toString('utf8');
    result[bytes] += chunk.length;
  };
  child.stdout.on('data', keep('stdout'));
  child.stderr.on('data', keep('stderr'));
  const timer = setTimeout(() => {
    result.timedOut = true;
    child.kill('SIGKILL');
  }, limits.timeoutMs ?? 30_000);
  const watch = setInterval(() => {
    if (child.pid === undefined) return;
    const rss = rssMiB(child.pid);
    result.peakRssMiB = Math.max(result.peakRssMiB, rss);
    if (rss > maxRss) {
      result.memoryExceeded = true;
      child.kill('SIGKILL');
    }
  }, 20);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(watch);
      result.code = code;
      result.signal = signal;
      resolve(result);
    });
  });
}

/** Runs `image-factory <args>` from source under the limits. */
export function runCli(args: readonly string[], limits: ChildLimits = {}): Promise<ChildResult> {
  return runChild(CLI_MAIN, args, limits);
}

/** A one-line account of how a child ended, for assertion messages. */
export function describeEnd(r: ChildResult): string {
  const how = r.timedOut ? 'timed out' : r.memoryExceeded ? `went over the memory limit (${Math.round(r.peakRssMiB)} MiB)` : r.signal ? `was killed by ${r.signal}` : `exited ${r.code}`;
  return `${how}; stderr: ${r.stderr.slice(0, 500)}`;
}
