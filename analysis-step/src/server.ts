// The HTTP front end: the route table (routes.ts) behind the checks every request passes first (a
// known path, its method, and for POST routes the bearer token, the body's size and type), client
// timeouts, and listening and closing. The analysis itself is core/analysis.ts; git is core/git.ts.
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchFileAtCommit, gitStats, type FetchedFile, type FetchFileOptions } from '../../generator/src/core/git';
import { createAnalysisCache } from './analysis-cache';
import { createAnalysisSlots } from './analysis-slots';
import { createAnalysisPool, DEFAULT_ANALYSIS_LIMITS, type AnalysisPool } from './analysis-pool';
import { bearerMatches } from './auth';
import type { LoadedService } from './config';
import { ServiceError } from './errors';
import { Exchange } from './exchange';
import { jsonLogger, type Logger } from './log';
import { Metrics } from './metrics';
import { MAX_BODY_BYTES } from './request-body';
import { ROUTES, type Route, type ServiceContext } from './routes';
import { secretsOf } from '../../generator/src/core/providers/credentials';

export { MAX_BODY_BYTES } from './request-body';
export { RETRY_AFTER_SECONDS } from './analyze-route';
/** A client has this long to send its headers, and this long for the whole request, body included. */
export const DEFAULT_HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 15_000 } as const;

export interface ServiceDeps {
  /** The git fetch (tests wrap it to count calls). */
  fetch?: (opts: FetchFileOptions) => Promise<FetchedFile>;
  logger?: Logger;
  /** Whether git can run, for /readyz; checked once by default. */
  gitAvailable?: () => boolean;
  /** The gate's clock (tests move it). */
  now?: () => Date;
  /** Tests: shorter client timeouts than DEFAULT_HTTP_TIMEOUTS. */
  httpTimeouts?: { headersMs: number; requestMs: number };
  /** Tests: other limits for one analysis than DEFAULT_ANALYSIS_LIMITS. */
  analysisLimits?: { timeoutMs: number; maxHeapMb: number };
}

export interface AnalysisService {
  server: http.Server;
  metrics: Metrics;
  /** Where Dockerfiles are analyzed: worker threads, never this event loop. */
  analysisPool: AnalysisPool;
  /** Listens on the configured host and port (0 = any free port); resolves to the port. */
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

function gitWorks(): boolean {
  try {
    execFileSync('git', ['--version'], { stdio: 'ignore', env: { PATH: process.env.PATH } });
    return true;
  } catch {
    return false;
  }
}

/** Everything the routes share, made once per service. */
function serviceContext(loaded: LoadedService, deps: ServiceDeps): ServiceContext {
  const secrets = [loaded.token, ...secretsOf(loaded.credentials)].filter(Boolean);
  let gitOK: boolean | undefined;
  const maxConcurrent = loaded.settings.maxConcurrent;
  return {
    loaded,
    metrics: new Metrics(() => gitStats.invocations),
    logger: deps.logger ?? jsonLogger((l) => process.stdout.write(l), () => secrets),
    fetch: deps.fetch ?? fetchFileAtCommit,
    gitAvailable: deps.gitAvailable ?? (() => (gitOK ??= gitWorks())),
    now: deps.now ?? (() => new Date()),
    analysisPool: createAnalysisPool({ ...DEFAULT_ANALYSIS_LIMITS, ...deps.analysisLimits }),
    analysisCache: createAnalysisCache(),
    // As many may wait as run: a burst of twice the limit is served in turn, what comes beyond gets 429.
    slots: createAnalysisSlots(maxConcurrent, maxConcurrent),
  };
}

/** Why a POST is refused before its handler runs: no token, a body too large or not JSON. */
function postRefusal(req: http.IncomingMessage, token: string): [ServiceError, Record<string, string>] | undefined {
  if (!bearerMatches(req.headers.authorization, token)) {
    return [new ServiceError(401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required'), { 'WWW-Authenticate': 'Bearer', Connection: 'close' }];
  }
  if (Number(req.headers['content-length'] ?? '0') > MAX_BODY_BYTES) {
    return [new ServiceError(413, 'too-large', `the body is over ${MAX_BODY_BYTES} bytes`), { Connection: 'close' }];
  }
  const type = req.headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    return [new ServiceError(415, 'unsupported-media-type', 'the body must be application/json'), { Connection: 'close' }];
  }
  return undefined;
}

/** The route for a request, or the answer saying why there is none (404, 405), sent. */
function routeOf(x: Exchange, route: Route | undefined): Route | undefined {
  const { req } = x;
  if (!route) {
    x.fail(new ServiceError(404, 'no-route', `no such endpoint: ${req.method} ${x.route === 'other' ? 'this path' : x.route}`));
    return undefined;
  }
  if (req.method !== route.method && !(route.method === 'GET' && req.method === 'HEAD')) {
    x.fail(new ServiceError(405, 'method-not-allowed', `${x.route} takes ${route.method}`), { Allow: route.method === 'GET' ? 'GET, HEAD' : route.method });
    return undefined;
  }
  return route;
}

async function dispatch(req: http.IncomingMessage, res: http.ServerResponse, ctx: ServiceContext): Promise<void> {
  const pathname = new URL(req.url ?? '/', 'http://service').pathname;
  const known = ROUTES.get(pathname);
  const x = new Exchange(req, res, known ? pathname : 'other', ctx.metrics, ctx.logger);
  const route = routeOf(x, known);
  if (!route) return;
  const refused = route.method === 'POST' ? postRefusal(req, ctx.loaded.token) : undefined;
  if (refused) return x.fail(...refused);
  await route.handle(x, ctx);
}

export function createAnalysisService(loaded: LoadedService, deps: ServiceDeps = {}): AnalysisService {
  const ctx = serviceContext(loaded, deps);
  const timeouts = deps.httpTimeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node checks those timeouts only this often (30 s by default): a 10 s limit took 31 s to act.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersMs / 5))),
    },
    (req, res) => {
      dispatch(req, res, ctx).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  );
  server.keepAliveTimeout = 5_000;
  return {
    server,
    metrics: ctx.metrics,
    analysisPool: ctx.analysisPool,
    listen: (port = loaded.settings.port, host = loaded.settings.host) => listen(server, ctx, port, host),
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          ctx.analysisPool.close().then(resolve, resolve);
        });
        server.closeIdleConnections();
      }),
  };
}

function listen(server: http.Server, ctx: ServiceContext, port: number, host: string): Promise<number> {
  const { settings, allowedRepositories } = ctx.loaded;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const p = (server.address() as AddressInfo).port;
      ctx.logger.log('info', 'listening', { host, port: p, repositories: allowedRepositories.size, maxConcurrent: settings.maxConcurrent, fetchTimeoutMs: settings.fetchTimeoutMs });
      resolve(p);
    });
  });
}
