// POST /v1/analyze: a complete, valid request is answered from the cache when its analysis was
// made before (no slot: Kargo's retries never wait behind new work), else takes an analysis slot
// (or waits for one in line, or is turned away with 429) and the analysis runs (core/analysis.ts):
// the git fetch, the Dockerfile analysis in a worker, the state file. A caller that goes away
// cancels its fetch.
import { assertAllowed, cachedAnswer, runAnalysis } from '../../generator/src/core/analysis';
import { parseAnalyzeBody, type AnalyzeRequest } from '../../generator/src/core/analysis-request';
import { credentialsFor } from '../../generator/src/core/providers/credentials';
import { asServiceError, ServiceError } from './errors';
import type { Exchange } from './exchange';
import { readBody } from './request-body';
import type { ServiceContext } from './routes';

export const RETRY_AFTER_SECONDS = 5;

export async function analyzeRoute(x: Exchange, ctx: ServiceContext): Promise<void> {
  const gone = new AbortController();
  const onClose = () => {
    if (!x.res.writableEnded) gone.abort();
  };
  x.res.on('close', onClose);
  try {
    // A slot is taken only for a complete, valid request: a client sending its body slowly holds
    // a connection (until the request timeout), never an analysis slot.
    const request = parseAnalyzeBody(await readBody(x.req), { allowInsecureURLs: ctx.loaded.settings.allowFileURLs, allowedHosts: ctx.loaded.allowedHosts });
    x.fields.image = request.image;
    assertAllowed(request, ctx.loaded.allowedRepositories);
    const cached = cachedAnswer(request, ctx.analysisCache);
    if (cached) {
      x.fields.commit = cached.commit;
      x.fields.cached = true;
      return x.sendJSON(200, cached);
    }
    await inSlot(x, ctx, gone.signal, () => analyzeInSlot(x, ctx, request, gone.signal));
  } catch (thrown) {
    const e = asServiceError(thrown);
    if (e instanceof ServiceError) return x.fail(e, e.status === 413 ? { Connection: 'close' } : {});
    x.fields.reason = 'internal';
    ctx.metrics.failure('internal');
    x.internal(e);
  } finally {
    x.res.off('close', onClose);
  }
}

/** Runs `work` holding a slot, after those who came first; a 429 when the line is full. */
async function inSlot(x: Exchange, ctx: ServiceContext, signal: AbortSignal, work: () => Promise<void>): Promise<void> {
  const asked = Date.now();
  const turn = ctx.slots.acquire(signal);
  ctx.metrics.waiting = ctx.slots.waiting;
  const granted = await turn;
  ctx.metrics.waiting = ctx.slots.waiting;
  // The time in line, apart from the analysis: what a caller waits for others, and what it waits for its own.
  x.fields.waitMs = Date.now() - asked;
  if (!granted) {
    const max = ctx.loaded.settings.maxConcurrent;
    return x.fail(new ServiceError(429, 'busy', `${max} analyses are running and as many waiting; retry later`), { 'Retry-After': RETRY_AFTER_SECONDS, Connection: 'close' });
  }
  ctx.metrics.inFlight++;
  try {
    await work();
  } finally {
    ctx.metrics.inFlight--;
    ctx.slots.release();
  }
}

async function analyzeInSlot(x: Exchange, ctx: ServiceContext, request: AnalyzeRequest, signal: AbortSignal): Promise<void> {
  const { loaded, metrics } = ctx;
  const answer = await runAnalysis(request, {
    fetch: ctx.fetch,
    fetchTimeoutMs: loaded.settings.fetchTimeoutMs,
    credentials: credentialsFor(loaded.credentials, request.repoURL),
    allowInsecureURLs: loaded.settings.allowFileURLs,
    allowedHosts: loaded.allowedHosts,
    tmpDir: loaded.settings.tmpDir,
    signal,
    onFetched: (bytes) => {
      metrics.fetched(bytes);
      x.fields.fetchBytes = bytes;
    },
    analyze: ctx.analysisPool.analyze,
    cache: ctx.analysisCache,
  });
  x.fields.commit = answer.commit;
  x.sendJSON(200, answer);
}
