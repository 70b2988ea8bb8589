// A loopback stand-in for GitHub's workflow_dispatch endpoint that keeps GitHub's contract:
// POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches with `Authorization: Bearer`,
// 204 No Content on success, JSON error bodies {message, documentation_url, status} for 401/404/422,
// rate-limit headers on every answer. Tests script extra answers (429, 5xx with Retry-After, rate limit
// exhausted) in a queue that is served before the contract, and read back every request received.
import * as http from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import type { AddressInfo } from 'node:net';

export interface WorkflowSpec {
  /** Branches and tags the workflow can run on. */
  refs: string[];
  /** Declared inputs. */
  inputs: string[];
  /** Inputs declared `required: true`. */
  required?: string[];
}

export interface ScriptedAnswer {
  status: number;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string as is; nothing for no body. */
  body?: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  /** The parsed body, or undefined when it is not JSON. */
  json: unknown;
}

export interface GitHubServerOptions {
  /** The one token the server accepts. */
  token: string;
  /** `owner/repo` → workflow file name → spec. */
  repos: Record<string, Record<string, WorkflowSpec>>;
  /** Primary rate limit state, reported on every answer; decremented per request. */
  rateLimit?: { limit: number; remaining: number; reset: number };
}

export interface GitHubServer {
  /** `http://127.0.0.1:<port>`: the API base URL. */
  url: string;
  requests: RecordedRequest[];
  /** Queue answers served (in order) before the contract answers again. */
  script(...answers: ScriptedAnswer[]): void;
  /** Answers still queued. */
  pending(): number;
  close(): Promise<void>;
}

const DOCS = 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event';
const REASONS: Record<number, string> = { 204: 'No Content', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

export async function startGitHubServer(options: GitHubServerOptions): Promise<GitHubServer> {
  const requests: RecordedRequest[] = [];
  const queue: ScriptedAnswer[] = [];
  const limit = options.rateLimit ? { ...options.rateLimit } : { limit: 5000, remaining: 5000, reset: 1_900_000_000 };

  const errorBody = (status: number, message: string) => ({ message, documentation_url: DOCS, status: String(status) });

  function contract(req: RecordedRequest): ScriptedAnswer {
    const m = /^\/repos\/([^/]+)\/([^/]+)\/actions\/workflows\/([^/]+)\/dispatches$/.exec(req.path);
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${options.token}` && auth !== `token ${options.token}`) {
      return { status: 401, body: errorBody(401, 'Bad credentials') };
    }
    if (!m || req.method !== 'POST') return { status: 404, body: errorBody(404, 'Not Found') };
    const [owner, repo, workflow] = m.slice(1).map(decodeURIComponent);
    const spec = options.repos[`${owner}/${repo}`]?.[workflow];
    if (spec === undefined) return { status: 404, body: errorBody(404, 'Not Found') };
    const doc = req.json;
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return { status: 400, body: errorBody(400, 'Problems parsing JSON') };
    const { ref, inputs } = doc as { ref?: unknown; inputs?: unknown };
    if (typeof ref !== 'string') return { status: 422, body: errorBody(422, 'Invalid request.\n\n"ref" wasn\'t supplied.') };
    const given = inputs === undefined ? {} : (inputs as Record<string, unknown>);
    if (typeof given !== 'object' || given === null || Array.isArray(given)) {
      return { status: 422, body: errorBody(422, 'Invalid request.\n\nFor \'properties/inputs\', is not an object.') };
    }
    const unexpected = Object.keys(given).filter((k) => !spec.inputs.includes(k));
    if (unexpected.length > 0) return { status: 422, body: errorBody(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`) };
    const missing = (spec.required ?? []).filter((k) => !(k in given));
    if (missing.length > 0) return { status: 422, body: errorBody(422, `Required input '${missing[0]}' not provided`) };
    const short = ref.replace(/^refs\/(heads|tags)\//, '');
    if (!spec.refs.includes(short)) return { status: 422, body: errorBody(422, `No ref found for: ${ref}`) };
    return { status: 204 };
  }

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const recorded: RecordedRequest = { method: req.method ?? '', path: (req.url ?? '').split('?')[0], headers: req.headers, body, json };
      requests.push(recorded);
      const answer = queue.length > 0 ? queue.shift()! : contract(recorded);
      limit.remaining = Math.max(0, limit.remaining - 1);
      const headers: Record<string, string> = {
        'x-ratelimit-limit': String(limit.limit),
        'x-ratelimit-remaining': String(limit.remaining),
        'x-ratelimit-reset': String(limit.reset),
        'x-ratelimit-used': String(limit.limit - limit.remaining),
        'x-ratelimit-resource': 'core',
        'x-github-api-version-selected': '2022-11-28',
        ...answer.headers,
      };
      let payload = '';
      if (answer.body !== undefined) {
        payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        headers['content-type'] = typeof answer.body === 'string' ? 'text/plain' : 'application/json; charset=utf-8';
      }
      res.writeHead(answer.status, REASONS[answer.status] ?? '', headers);
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
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

/** The headers and shape of a dispatch as GitHub documents it; returns what differs (empty when right). */
export function dispatchContractProblems(
  req: RecordedRequest,
  expected: { path: string; token: string; userAgent: string; json: unknown },
): string[] {
  const problems: string[] = [];
  const expect = (what: string, actual: unknown, wanted: unknown) => {
    if (!isDeepStrictEqual(actual, wanted)) problems.push(`${what}: ${JSON.stringify(actual)} (wanted ${JSON.stringify(wanted)})`);
  };
  expect('method', req.method, 'POST');
  expect('path', req.path, expected.path);
  expect('authorization', req.headers.authorization, `Bearer ${expected.token}`);
  expect('accept', req.headers.accept, 'application/vnd.github+json');
  expect('x-github-api-version', req.headers['x-github-api-version'], '2022-11-28');
  expect('user-agent', req.headers['user-agent'], expected.userAgent);
  expect('content-type', req.headers['content-type'], 'application/json');
  expect('body', req.json, expected.json);
  return problems;
}
