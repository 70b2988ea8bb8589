// The service's endpoints: method and path to the function that answers. Everything a handler
// needs is in ServiceContext, made once per service; everything about one request in its Exchange.
// A POST route's caller has shown the bearer token and a body of an acceptable size and type
// before its handler runs (server.ts).
import type { FetchedFile, FetchFileOptions } from '../../generator/src/core/git';
import type { AnalysisCache } from '../../generator/src/core/analysis';
import type { AnalysisPool } from './analysis-pool';
import type { AnalysisSlots } from './analysis-slots';
import { analyzeRoute } from './analyze-route';
import type { LoadedService } from './config';
import { ServiceError } from './errors';
import type { Exchange } from './exchange';
import { gateAnswer, parseGateRequest } from './gate';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import { readJSONBody } from './request-body';
import { readWebhookSecret, signatureAnswer } from './webhook-signature';

export interface ServiceContext {
  loaded: LoadedService;
  metrics: Metrics;
  logger: Logger;
  fetch: (opts: FetchFileOptions) => Promise<FetchedFile>;
  gitAvailable: () => boolean;
  now: () => Date;
  analysisPool: AnalysisPool;
  analysisCache: AnalysisCache;
  slots: AnalysisSlots;
}

export interface Route {
  method: 'GET' | 'POST';
  handle(x: Exchange, ctx: ServiceContext): Promise<void> | void;
}

function healthz(x: Exchange): void {
  x.sendJSON(200, { status: 'ok' });
}

function readyz(x: Exchange, ctx: ServiceContext): void {
  const ok = ctx.gitAvailable();
  x.sendJSON(ok ? 200 : 503, { status: ok ? 'ready' : 'git is not available', repositories: ctx.loaded.allowedRepositories.size });
}

function metrics(x: Exchange, ctx: ServiceContext): void {
  x.send(200, ctx.metrics.render(), { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
}

/** A route that answers from its body alone (a clock and a comparison, or one HMAC): no git, no slot. */
function bodyOnly(answer: (body: unknown, x: Exchange, ctx: ServiceContext) => unknown): Route['handle'] {
  return async (x, ctx) => {
    try {
      x.sendJSON(200, answer(await readJSONBody(x.req), x, ctx));
    } catch (e) {
      if (e instanceof ServiceError) x.fail(e, e.status === 413 ? { Connection: 'close' } : {});
      else x.internal(e);
    }
  };
}

const rebuildGate = bodyOnly((body, x, ctx) => {
  const request = parseGateRequest(body);
  x.fields.image = request.image;
  const decision = gateAnswer(request, ctx.now());
  x.fields.action = decision.action;
  return decision;
});

const webhookSignature = bodyOnly((body, x, ctx) => {
  const answer = signatureAnswer(body, readWebhookSecret(ctx.loaded.settings.webhookSecretFile));
  x.fields.image = (body as { image: string }).image;
  return answer;
});

export const ROUTES: ReadonlyMap<string, Route> = new Map<string, Route>([
  ['/v1/analyze', { method: 'POST', handle: analyzeRoute }],
  ['/healthz', { method: 'GET', handle: healthz }],
  ['/readyz', { method: 'GET', handle: readyz }],
  ['/metrics', { method: 'GET', handle: metrics }],
  ['/v1/rebuild-gate', { method: 'POST', handle: rebuildGate }],
  ['/v1/webhook-signature', { method: 'POST', handle: webhookSignature }],
]);
