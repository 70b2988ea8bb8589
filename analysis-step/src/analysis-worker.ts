// A worker thread of the analysis service: analyzes the Dockerfiles it is sent, one at a time, so
// that a costly one never holds the event loop that answers /healthz (analysis-pool.ts runs these).
import { parentPort } from 'node:worker_threads';
import { analyzeDockerfile } from '../../generator/src/core/dockerfile-file';
import { isUserError } from '../../generator/src/core/errors';
import type { WorkerReply, WorkerTask } from './analysis-pool';

const port = parentPort;
if (!port) throw new Error('analysis-worker runs as a worker thread of the analysis service');

port.on('message', (task: WorkerTask) => {
  let reply: WorkerReply;
  try {
    reply = { id: task.id, analysis: analyzeDockerfile(task.content, task.file, task.buildArgs) };
  } catch (e) {
    reply = isUserError(e) ? { id: task.id, problems: e.problems } : { id: task.id, internal: e instanceof Error ? e.message : String(e) };
  }
  port.postMessage(reply);
});
