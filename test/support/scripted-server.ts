// What every loopback stand-in for a provider's API shares (github-, gitlab-, webhook-server.ts):
// a server on 127.0.0.1 that records every request, serves scripted answers first (a 429 with
// Retry-After, a 5xx) and otherwise answers as the provider's contract says, and stops. Each
// stand-in keeps only its contract.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is; nothing for no body. */
  body?: unknown;
}

export interface RecordedRequest {
  method: string;
  /** The path without the query. */
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface ScriptedServerOptions {
  /** The answer when none is scripted: the provider's contract. */
  contract(req: RecordedRequest): ScriptedAnswer;
  /** Headers every answer carries, under the answer's own (GitHub's rate limit); asked once per request. */
  headersOfEveryAnswer?(): Record<string, string>;
  /** Reason phrases by status ('' for one not listed); without it, node's own. */
  reasons?: Readonly<Record<number, string>>;
  /** The content type of a JSON body; default `application/json`. */
  jsonType?: string;
}

export interface ScriptedServer {
  /** `http://127.0.0.1:<port>`. */
  origin: string;
  requests: RecordedRequest[];
  /** Queue answers served (in order) before the contract answers again. */
  script(...answers: ScriptedAnswer[]): void;
  /** Answers still queued. */
  pending(): number;
  close(): Promise<void>;
}

function recordOf(req: http.IncomingMessage, body: string): RecordedRequest {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    json = undefined;
  }
  return { method: req.method ?? '', path: (req.url ?? '').split('?')[0], headers: req.headers, body, json };
}

function send(res: http.ServerResponse, answer: ScriptedAnswer, headers: Record<string, string>, options: ScriptedServerOptions): void {
  let payload = '';
  if (answer.body !== undefined) {
    payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
    headers['content-type'] = typeof answer.body === 'string' ? 'text/plain' : (options.jsonType ?? 'application/json');
  }
  if (options.reasons) res.writeHead(answer.status, options.reasons[answer.status] ?? '', headers);
  else res.writeHead(answer.status, headers);
  res.end(payload);
}

export async function startScriptedServer(options: ScriptedServerOptions): Promise<ScriptedServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const recorded = recordOf(req, Buffer.concat(chunks).toString('utf8'));
      requests.push(recorded);
      const answer = queue.shift() ?? options.contract(recorded);
      send(res, answer, { ...options.headersOfEveryAnswer?.(), ...answer.headers }, options);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    script: (...answers) => void queue.push(...answers),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
