// Runs a TypeScript script in a child process with a heap limit and a wall-clock limit per step,
// for tests of work that must stay bounded: a regression then fails the test, naming the step,
// instead of hanging the run or exhausting the machine. The script reports progress as JSON lines
// on stdout; the limit applies between two lines (each step), generous enough for a loaded machine.
import { spawn } from 'node:child_process';
import * as path from 'node:path';

export interface ContainedRun {
  /** Every JSON line the script printed, in order. */
  lines: unknown[];
  /** Why it did not finish normally: undefined when it exited 0. */
  failure?: string;
}

export interface ContainOptions {
  /** --max-old-space-size of the child, in MiB. */
  heapMb: number;
  /** Longest time without a new line of output before the child is killed. */
  stepTimeoutMs: number;
}

const ROOT = path.resolve(__dirname, '..', '..');

export function runContained(script: string, argument: unknown, options: ContainOptions): Promise<ContainedRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${options.heapMb}`, '--require', require.resolve('tsx/cjs'), script, JSON.stringify(argument)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: unknown[] = [];
    let pending = '';
    let stderr = '';
    let failure: string | undefined;
    let timer: NodeJS.Timeout;
    const arm = () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        failure = `no progress for ${options.stepTimeoutMs / 1000} s after ${JSON.stringify(lines[lines.length - 1] ?? 'the start')}: killed`;
        child.kill('SIGKILL');
      }, options.stepTimeoutMs);
    };
    arm();
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        lines.push(JSON.parse(pending.slice(0, nl)));
        pending = pending.slice(nl + 1);
        arm();
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 16_384) stderr += chunk;
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (failure === undefined && code !== 0) {
        failure = `exited ${code ?? signal} after ${JSON.stringify(lines[lines.length - 1] ?? 'the start')}: ${stderr.trim().split('\n').slice(-5).join(' | ')}`;
      }
      resolve({ lines, failure });
    });
  });
}
