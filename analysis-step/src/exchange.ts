// One request and its answer: what every route answers with. Each answer is counted in the metrics
// and, for the API routes, logged as one line with the fields the route gathered; probes and
// scrapes are counted but not logged.
import type * as http from 'node:http';
import type { Logger } from './log';
import type { Metrics } from './metrics';
import type { ServiceError } from './errors';

export type Headers = Record<string, string | number>;

/** Routes whose answers are not logged: probes and scrapes come every few seconds. */
const UNLOGGED = new Set(['/healthz', '/readyz', '/metrics']);

export class Exchange {
  /** Logged with the answer (image, commit, reason, fetchBytes, ...). */
  readonly fields: Record<string, string | number | boolean | undefined> = {};
  private readonly started = process.hrtime.bigint();

  constructor(
    readonly req: http.IncomingMessage,
    readonly res: http.ServerResponse,
    /** The route's path, or `other`: a fixed set, so a metrics label never holds what a caller sent. */
    readonly route: string,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  send(status: number, body: string, headers: Headers = {}): void {
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    this.metrics.request(this.route, status, seconds);
    if (!this.res.headersSent) {
      this.res.writeHead(status, { 'Content-Length': Buffer.byteLength(body), 'Cache-Control': 'no-store', ...headers });
      this.res.end(body);
    }
    if (UNLOGGED.has(this.route)) return;
    this.logger.log(status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info', 'request', {
      method: this.req.method,
      route: this.route,
      code: status,
      durationMs: Math.round(seconds * 1000),
      ...this.fields,
    });
  }

  sendJSON(status: number, body: unknown, headers: Headers = {}): void {
    this.send(status, `${JSON.stringify(body)}\n`, { 'Content-Type': 'application/json', ...headers });
  }

  /** The error answer `{"error": {reason, message, field}}`; analysis failures are counted by reason. */
  fail(e: ServiceError, headers: Headers = {}): void {
    this.fields.reason = e.reason;
    this.fields.error = e.message;
    if (this.route === '/v1/analyze') this.metrics.failure(e.reason);
    this.sendJSON(e.status, { error: { reason: e.reason, message: e.message, ...(e.field ? { field: e.field } : {}) } }, headers);
  }

  /** A 500 for what no route expected: the message stays in the log, the caller learns only that it happened. */
  internal(e: unknown): void {
    this.fields.error = e instanceof Error ? e.message : String(e);
    this.sendJSON(500, { error: { reason: 'internal', message: 'internal error; see the service log' } });
  }
}
