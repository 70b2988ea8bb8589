// The HTTP front end: routing, the bearer check, body and concurrency limits, JSON answers,
// metrics and one log line per request. The analysis itself is analyze.ts; git is git.ts.
import { execFileSync } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fetchFileAtCommit, type FetchedFile, type FetchFileOptions } from '../../generator/src/core/git';
import { createAnalysisCache } from './analysis-cache';
import { createAnalysisSlots } from './analysis-slots';
import { createAnalysisPool, DEFAULT_ANALYSIS_LIMITS, type AnalysisPool } from './analysis-pool';
import { assertAllowed, runAnalysis } from '../../generator/src/core/analysis';
import { bearerMatches } from './auth';
import type { LoadedService } from './config';
import { asServiceError, ServiceError } from './errors';
import { gateAnswer, parseGateRequest } from './gate';
import { jsonLogger, type Logger } from './log';
import { Metrics } from './metrics';
import { parseAnalyzeBody } from '../../generator/src/core/analysis-request';
import { readWebhookSecret, signatureAnswer } from './webhook-signature';
import { credentialsFor, secretsOf } from '../../generator/src/core/providers/credentials';

export const MAX_BODY_BYTES = 64 * 1024;
export const RETRY_AFTER_SECONDS = 5;
/** A client has this long to send its headers, and this long for the whole request, body included. */
export const DEFAULT_HTTP_TIMEOUTS = { headersMs: 10_000, requestMs: 15_000 } as const;
const ROUTES = new Map<string, string>([
  ['/v1/analyze', 'POST'],
  ['/healthz', 'GET'],
  ['/readyz', 'GET'],
  ['/metrics', 'GET'],
  ['/v1/rebuild-gate', 'POST'],
  ['/v1/webhook-signature', 'POST'],
]);

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

export function createAnalysisService(loaded: LoadedService, deps: ServiceDeps = {}): AnalysisService {
  const { settings, allowedRepositories } = loaded;
  const secrets = [loaded.token, ...secretsOf(loaded.credentials)].filter(Boolean);
  const logger = deps.logger ?? jsonLogger((l) => process.stdout.write(l), () => secrets);
  const fetch = deps.fetch ?? fetchFileAtCommit;
  let gitOK: boolean | undefined;
  const gitAvailable = deps.gitAvailable ?? (() => (gitOK ??= gitWorks()));
  const metrics = new Metrics();
  const analysisPool = createAnalysisPool({ ...DEFAULT_ANALYSIS_LIMITS, ...deps.analysisLimits });
  const analysisCache = createAnalysisCache();
  // As many may wait as run: a burst of twice the limit is served in turn, what comes beyond gets 429.
  const slots = createAnalysisSlots(settings.maxConcurrent, settings.maxConcurrent);

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'http://service');
    const method = ROUTES.get(url.pathname);
    const route = method ? url.pathname : 'other';
    const fields: Record<string, string | number | undefined> = {};

    const send = (status: number, body: string, headers: Record<string, string | number> = {}) => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      metrics.request(route, status, seconds);
      if (!res.headersSent) {
        res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
        res.end(body);
      }
      if (route !== '/healthz' && route !== '/readyz' && route !== '/metrics') {
        logger.log(status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request', {
          method: req.method,
          route,
          code: status,
          durationMs: Math.round(seconds * 1000),
          ...fields,
        });
      }
    };
    const sendJSON = (status: number, body: unknown, headers: Record<string, string | number> = {}) =>
      send(status, `${JSON.stringify(body)}\n`, { 'Content-Type': 'application/json', ...headers });
    const fail = (e: ServiceError, headers: Record<string, string | number> = {}) => {
      fields.reason = e.reason;
      fields.error = e.message;
      if (route === '/v1/analyze') metrics.failure(e.reason);
      sendJSON(e.status, { error: { reason: e.reason, message: e.message, ...(e.field ? { field: e.field } : {}) } }, headers);
    };

    if (!method) return fail(new ServiceError(404, 'no-route', `no such endpoint: ${req.method} ${route === 'other' ? 'this path' : route}`));
    if (req.method !== method && !(method === 'GET' && req.method === 'HEAD')) {
      return fail(new ServiceError(405, 'method-not-allowed', `${route} takes ${method}`), { Allow: method === 'GET' ? 'GET, HEAD' : method });
    }
    if (route === '/healthz') return sendJSON(200, { status: 'ok' });
    if (route === '/readyz') {
      const ok = gitAvailable();
      return sendJSON(ok ? 200 : 503, { status: ok ? 'ready' : 'git is not available', repositories: allowedRepositories.size });
    }
    if (route === '/metrics') return send(200, metrics.render(), { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });

    // POST /v1/analyze, /v1/rebuild-gate, /v1/webhook-signature
    if (!bearerMatches(req.headers.authorization, loaded.token)) {
      return fail(new ServiceError(401, 'unauthorized', 'a valid "Authorization: Bearer <token>" header is required'), { 'WWW-Authenticate': 'Bearer', Connection: 'close' });
    }
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > MAX_BODY_BYTES) {
      return fail(new ServiceError(413, 'too-large', `the body is over ${MAX_BODY_BYTES} bytes`), { Connection: 'close' });
    }
    const type = req.headers['content-type'];
    if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
      return fail(new ServiceError(415, 'unsupported-media-type', 'the body must be application/json'), { Connection: 'close' });
    }
    if (route === '/v1/rebuild-gate' || route === '/v1/webhook-signature') {
      // A clock and a comparison, or one HMAC: no git, no slot.
      try {
        const text = await readBody(req, MAX_BODY_BYTES);
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch (e) {
          throw new ServiceError(400, 'bad-request', `body: not valid JSON (${(e as Error).message})`, 'body');
        }
        if (route === '/v1/webhook-signature') {
          const answer = signatureAnswer(body, readWebhookSecret(settings.webhookSecretFile));
          fields.image = (body as { image: string }).image;
          return sendJSON(200, answer);
        }
        const request = parseGateRequest(body);
        fields.image = request.image;
        const decision = gateAnswer(request, (deps.now ?? (() => new Date()))());
        fields.action = decision.action;
        return sendJSON(200, decision);
      } catch (e) {
        if (e instanceof ServiceError) return fail(e, e.status === 413 ? { Connection: 'close' } : {});
        fields.error = e instanceof Error ? e.message : String(e);
        return sendJSON(500, { error: { reason: 'internal', message: 'internal error; see the service log' } });
      }
    }
    let inSlot = false;
    const gone = new AbortController();
    const onClose = () => {
      if (!res.writableEnded) gone.abort();
    };
    res.on('close', onClose);
    try {
      // A slot is taken only for a complete, valid request: a client sending its body slowly holds
      // a connection (until the request timeout), never an analysis slot.
      const text = await readBody(req, MAX_BODY_BYTES);
      const request = parseAnalyzeBody(text, { allowInsecureURLs: settings.allowFileURLs, allowedHosts: loaded.allowedHosts });
      fields.image = request.image;
      assertAllowed(request, allowedRepositories);
      const turn = slots.acquire(gone.signal);
      metrics.waiting = slots.waiting;
      const granted = await turn;
      metrics.waiting = slots.waiting;
      if (!granted) {
        return fail(new ServiceError(429, 'busy', `${settings.maxConcurrent} analyses are running and as many waiting; retry later`), { 'Retry-After': RETRY_AFTER_SECONDS, Connection: 'close' });
      }
      metrics.inFlight++;
      inSlot = true;
      const answer = await runAnalysis(request, {
        fetch,
        fetchTimeoutMs: settings.fetchTimeoutMs,
        credentials: credentialsFor(loaded.credentials, request.repoURL),
        allowInsecureURLs: settings.allowFileURLs,
        allowedHosts: loaded.allowedHosts,
        tmpDir: settings.tmpDir,
        signal: gone.signal,
        onFetched: (bytes) => {
          metrics.fetched(bytes);
          fields.fetchBytes = bytes;
        },
        analyze: analysisPool.analyze,
        cache: analysisCache,
      });
      fields.commit = answer.commit;
      sendJSON(200, answer);
    } catch (thrown) {
      const e = asServiceError(thrown);
      if (e instanceof ServiceError) fail(e, e.status === 413 ? { Connection: 'close' } : {});
      else {
        fields.reason = 'internal';
        metrics.failure('internal');
        fields.error = e instanceof Error ? e.message : String(e);
        sendJSON(500, { error: { reason: 'internal', message: 'internal error; see the service log' } });
      }
    } finally {
      if (inSlot) {
        metrics.inFlight--;
        slots.release();
      }
      res.off('close', onClose);
    }
  };

  const timeouts = deps.httpTimeouts ?? DEFAULT_HTTP_TIMEOUTS;
  const server = http.createServer(
    {
      headersTimeout: timeouts.headersMs,
      requestTimeout: timeouts.requestMs,
      // Node checks those timeouts only this often (30 s by default): a 10 s limit took 31 s to act.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(timeouts.headersMs / 5))),
    },
    (req, res) => {
      handle(req, res).catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    },
  );
  server.keepAliveTimeout = 5_000;

  return {
    server,
    metrics,
    analysisPool,
    listen: (port = settings.port, host = settings.host) =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          const p = (server.address() as AddressInfo).port;
          logger.log('info', 'listening', { host, port: p, repositories: allowedRepositories.size, maxConcurrent: settings.maxConcurrent, fetchTimeoutMs: settings.fetchTimeoutMs });
          resolve(p);
        });
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          analysisPool.close().then(resolve, resolve);
        });
        server.closeIdleConnections();
      }),
  };
}

/** Reads the body up to max bytes; more is a 413. */
function readBody(req: http.IncomingMessage, max: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      if (over) return;
      size += c.length;
      if (size > max) {
        over = true;
        chunks.length = 0;
        reject(new ServiceError(413, 'too-large', `the body is over ${max} bytes`));
        return;
      }
      chunks.push(c);
    });
    let ended = false;
    req.on('end', () => {
      ended = true;
      if (!over) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    const cutOff = () => reject(new ServiceError(400, 'bad-request', 'body: the request was cut off', 'body'));
    req.on('error', cutOff);
    // A connection closed mid-body (by the client, or by the request timeout) ends no 'end'.
    req.on('close', () => {
      if (!ended) cutOff();
    });
  });
}
