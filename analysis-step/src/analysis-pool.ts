// Dockerfile analysis off the event loop: a few worker threads (analysis-worker.ts), made on first
// use and kept, each with a heap limit and a time limit per analysis. The analysis is linear in the
// Dockerfile's size and bounded in work, so the limits are a second line of defence: a worker that
// passes one is terminated (the next analysis gets a fresh one) and the Dockerfile is refused.
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { UserError, type Problem } from '../../generator/src/core/errors';
import type { DockerfileAnalysis } from '../../generator/src/core/types';

export interface WorkerTask {
  id: number;
  content: Uint8Array;
  file: string;
  buildArgs: Record<string, string>;
}

export type WorkerReply =
  | { id: number; analysis: DockerfileAnalysis }
  | { id: number; problems: Problem[] }
  | { id: number; internal: string };

export interface AnalysisPoolOptions {
  /** Worker threads at most; analyses beyond wait their turn. */
  size: number;
  /** Time one analysis may take in its worker. */
  timeoutMs: number;
  /** Old-generation heap of each worker, in MiB. */
  maxHeapMb: number;
}

/**
 * One worker with a 128 MiB heap: the hostile cases peak under 64 MiB, a real Dockerfile takes
 * milliseconds, and the worker's limit plus the service stay inside the chart's 256 MiB pod limit
 * whatever comes in (two workers at their limits would not).
 */
export const DEFAULT_ANALYSIS_LIMITS = { size: 1, timeoutMs: 10_000, maxHeapMb: 128 } as const;

export interface AnalysisPool {
  /** Analyses a Dockerfile's bytes; rejects with UserError (file:line:col) for input refused or over a limit. */
  analyze(content: Uint8Array, file: string, buildArgs: Record<string, string>): Promise<DockerfileAnalysis>;
  /** Analyses being run in a worker now (not those waiting). */
  readonly running: number;
  close(): Promise<void>;
}

interface Job {
  task: WorkerTask;
  resolve(analysis: DockerfileAnalysis): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  job?: Job;
  timer?: NodeJS.Timeout;
}

/**
 * The worker script beside this file: `.js` when built; `.ts` when run from source (tests, tsx),
 * where the worker needs tsx loaded too, since a require hook does not reach worker threads.
 */
function workerScript(): { file: string; execArgv: string[] } {
  const ext = path.extname(__filename);
  const file = path.join(__dirname, `analysis-worker${ext}`);
  return { file, execArgv: ext === '.ts' ? ['--require', require.resolve('tsx/cjs')] : [] };
}

export function createAnalysisPool(options: AnalysisPoolOptions): AnalysisPool {
  const slots: Slot[] = [];
  const queue: Job[] = [];
  let nextId = 1;
  let closed = false;

  const finish = (slot: Slot): Job | undefined => {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    slot.worker.unref();
    return job;
  };

  const retire = (slot: Slot, why: Error): void => {
    const job = finish(slot);
    slots.splice(slots.indexOf(slot), 1);
    void slot.worker.terminate();
    job?.reject(why);
    pump();
  };

  const overLimit = (file: string, limit: string) =>
    new UserError({ subject: file, message: `analyzing it took more than ${limit}; it is not a Dockerfile this service can analyze` });

  const spawn = (): Slot => {
    const { file, execArgv } = workerScript();
    const worker = new Worker(file, { execArgv, resourceLimits: { maxOldGenerationSizeMb: options.maxHeapMb } });
    const slot: Slot = { worker };
    worker.on('message', (reply: WorkerReply) => {
      const job = finish(slot);
      if (!job || job.task.id !== reply.id) return;
      if ('analysis' in reply) job.resolve(reply.analysis);
      else if ('problems' in reply) job.reject(new UserError(reply.problems));
      else job.reject(new Error(`the analysis failed: ${reply.internal}`));
      pump();
    });
    worker.on('error', (e: Error & { code?: string }) => {
      const file = slot.job?.task.file ?? 'Dockerfile';
      retire(slot, e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? overLimit(file, `${options.maxHeapMb} MiB of memory`) : new Error(`the analysis worker failed: ${e.message}`));
    });
    worker.on('exit', () => {
      if (slots.includes(slot)) retire(slot, new Error('the analysis worker stopped'));
    });
    worker.unref();
    slots.push(slot);
    return slot;
  };

  const pump = (): void => {
    while (!closed && queue.length > 0) {
      const slot = slots.find((s) => s.job === undefined) ?? (slots.length < options.size ? spawn() : undefined);
      if (!slot) return;
      const job = queue.shift()!;
      slot.job = job;
      // A busy worker keeps the process alive (a CLI awaiting it must not exit); an idle one does not.
      slot.worker.ref();
      slot.timer = setTimeout(() => retire(slot, overLimit(job.task.file, `${options.timeoutMs / 1000} s`)), options.timeoutMs);
      slot.worker.postMessage(job.task);
    }
  };

  return {
    analyze(content, file, buildArgs) {
      if (closed) return Promise.reject(new Error('the analysis pool is closed'));
      return new Promise((resolve, reject) => {
        queue.push({ task: { id: nextId++, content, file, buildArgs }, resolve, reject });
        pump();
      });
    },
    get running() {
      return slots.filter((s) => s.job !== undefined).length;
    },
    async close() {
      closed = true;
      for (const job of queue.splice(0)) job.reject(new Error('the analysis pool is closed'));
      const all = slots.splice(0);
      for (const slot of all) finish(slot)?.reject(new Error('the analysis pool is closed'));
      await Promise.all(all.map((s) => s.worker.terminate()));
    },
  };
}
