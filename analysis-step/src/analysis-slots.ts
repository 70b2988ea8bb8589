// How many analyses run at once, and how many wait for a turn. Beyond both the service answers 429
// with Retry-After: a short queue absorbs a burst (Kargo promotes many Stages at once after a base
// image changes) without sending each caller through its poll interval, while a long one would
// only hold connections for answers that arrive after the caller's own timeout.

export interface AnalysisSlots {
  /** Resolves true once a slot is held, false at once when the queue is full or the caller is gone. */
  acquire(signal: AbortSignal): Promise<boolean>;
  release(): void;
  readonly running: number;
  readonly waiting: number;
}

export function createAnalysisSlots(maxRunning: number, maxWaiting: number): AnalysisSlots {
  let running = 0;
  const queue: { grant(): void; signal: AbortSignal }[] = [];
  return {
    acquire(signal) {
      if (signal.aborted) return Promise.resolve(false);
      if (running < maxRunning) {
        running++;
        return Promise.resolve(true);
      }
      if (queue.length >= maxWaiting) return Promise.resolve(false);
      return new Promise((resolve) => {
        const entry = {
          signal,
          grant: () => {
            signal.removeEventListener('abort', leave);
            resolve(true);
          },
        };
        const leave = () => {
          const at = queue.indexOf(entry);
          if (at >= 0) queue.splice(at, 1);
          resolve(false);
        };
        signal.addEventListener('abort', leave, { once: true });
        queue.push(entry);
      });
    },
    release() {
      const next = queue.shift();
      // The slot passes straight to the next caller in line; running only drops when none waits.
      if (next) next.grant();
      else running--;
    },
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
  };
}
