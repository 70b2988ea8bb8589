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

/** A Dockerfile over a limit: the user's problem (422), named by its path. */
function overLimit(file: string, limit: string): UserError {
  return new UserError({ subject: file, message: `analyzing it took more than ${limit}; it is not a Dockerfile this service can analyze` });
}

/** Workers made on demand up to `size`, each running one job at a time; jobs wait in arrival order. */
class WorkerPool implements AnalysisPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(private readonly options: AnalysisPoolOptions) {}

  analyze = (content: Uint8Array, file: string, buildArgs: Record<string, string>): Promise<DockerfileAnalysis> => {
    if (this.closed) return Promise.reject(new Error('the analysis pool is closed'));
    return new Promise((resolve, reject) => {
      this.queue.push({ task: { id: this.nextId++, content, file, buildArgs }, resolve, reject });
      this.pump();
    });
  };

  get running(): number {
    return this.slots.filter((s) => s.job !== undefined).length;
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new Error('the analysis pool is closed'));
    const all = this.slots.splice(0);
    for (const slot of all) this.finish(slot)?.reject(new Error('the analysis pool is closed'));
    await Promise.all(all.map((s) => s.worker.terminate()));
  }

  /** Hands waiting jobs to idle workers, making workers up to the pool's size. */
  private pump(): void {
    while (!this.closed && this.queue.length > 0) {
      const slot = this.slots.find((s) => s.job === undefined) ?? (this.slots.length < this.options.size ? this.spawn() : undefined);
      if (!slot) return;
      this.start(slot, this.queue.shift()!);
    }
  }

  private start(slot: Slot, job: Job): void {
    slot.job = job;
    // A busy worker keeps the process alive (a CLI awaiting it must not exit); an idle one does not.
    slot.worker.ref();
    slot.timer = setTimeout(() => this.retire(slot, overLimit(job.task.file, `${this.options.timeoutMs / 1000} s`)), this.options.timeoutMs);
    slot.worker.postMessage(job.task);
  }

  /** The slot's job, taken off it: the slot is idle again. */
  private finish(slot: Slot): Job | undefined {
    const job = slot.job;
    clearTimeout(slot.timer);
    slot.job = undefined;
    slot.timer = undefined;
    slot.worker.unref();
    return job;
  }

  /** Ends a worker that failed or passed a limit; its job fails with `why`, the next job gets a fresh worker. */
  private retire(slot: Slot, why: Error): void {
    const job = this.finish(slot);
    this.slots.splice(this.slots.indexOf(slot), 1);
    void slot.worker.terminate();
    job?.reject(why);
    this.pump();
  }

  private spawn(): Slot {
    const { file, execArgv } = workerScript();
    const worker = new Worker(file, { execArgv, resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb } });
    const slot: Slot = { worker };
    worker.on('message', (reply: WorkerReply) => this.answered(slot, reply));
    worker.on('error', (e: Error & { code?: string }) => {
      const file = slot.job?.task.file ?? 'Dockerfile';
      this.retire(slot, e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? overLimit(file, `${this.options.maxHeapMb} MiB of memory`) : new Error(`the analysis worker failed: ${e.message}`));
    });
    worker.on('exit', () => {
      if (this.slots.includes(slot)) this.retire(slot, new Error('the analysis worker stopped'));
    });
    worker.unref();
    this.slots.push(slot);
    return slot;
  }

  private answered(slot: Slot, reply: WorkerReply): void {
    const job = this.finish(slot);
    if (!job || job.task.id !== reply.id) return;
    if ('analysis' in reply) job.resolve(reply.analysis);
    else if ('problems' in reply) job.reject(new UserError(reply.problems));
    else job.reject(new Error(`the analysis failed: ${reply.internal}`));
    this.pump();
  }
}

export function createAnalysisPool(options: AnalysisPoolOptions): AnalysisPool {
  return new WorkerPool(options);
}
