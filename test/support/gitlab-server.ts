// A loopback stand-in for GitLab's pipeline trigger API that keeps its contract
// (docs.gitlab.com/ee/api/pipeline_triggers.html, "Trigger a pipeline with a token"):
// POST /api/v4/projects/<id or URL-encoded path>/trigger/pipeline with token, ref and variables, as
// JSON ({token, ref, variables: {KEY: value}}) or a form (token=..&ref=..&variables[KEY]=..);
// 201 Created with the pipeline JSON; errors as {"message": ...} (a string, or {field: [problems]}
// for a ref GitLab cannot run): 400 without token or ref, or with a ref that does not exist,
// 401 for an unknown token, 404 for an unknown project. Tests script extra answers (429 with
// Retry-After, 5xx) served before the contract, and read back every request received.
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest, ScriptedAnswer } from './github-server';

export interface GitLabProject {
  /** The project's trigger tokens. */
  tokens: string[];
  /** Branches and tags a pipeline can run on. */
  refs: string[];
}

export interface GitLabServer {
  /** `http://127.0.0.1:<port>/api/v4`: the API base URL. */
  apiURL: string;
  requests: RecordedRequest[];
  /** Pipelines created, in order. */
  pipelines: { id: number; project: string; ref: string; variables: Record<string, string> }[];
  script(...answers: ScriptedAnswer[]): void;
  pending(): number;
  close(): Promise<void>;
}

const REASONS: Record<number, string> = { 201: 'Created', 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/** token, ref and variables from a JSON or form body; undefined when the body is neither. */
function paramsOf(req: RecordedRequest): { token?: unknown; ref?: unknown; variables?: unknown } | undefined {
  const type = String(req.headers['content-type'] ?? '');
  if (/^application\/json/i.test(type)) return typeof req.json === 'object' && req.json !== null && !Array.isArray(req.json) ? (req.json as Record<string, unknown>) : undefined;
  if (/^application\/x-www-form-urlencoded/i.test(type)) {
    const form = new URLSearchParams(req.body);
    const variables: Record<string, string> = {};
    for (const [k, v] of form) {
      const m = /^variables\[(.+)\]$/.exec(k);
      if (m) variables[m[1]] = v;
    }
    return { token: form.get('token') ?? undefined, ref: form.get('ref') ?? undefined, variables };
  }
  return undefined;
}

export async function startGitLabServer(projects: Record<string, GitLabProject>): Promise<GitLabServer> {
  const requests: RecordedRequest[] = [];
  const pipelines: GitLabServer['pipelines'] = [];
  const queue: ScriptedAnswer[] = [];
  let nextId = 1000;
  let base = '';

  function contract(req: RecordedRequest): ScriptedAnswer {
    const m = /^\/api\/v4\/projects\/([^/]+)\/trigger\/pipeline$/.exec(req.path);
    if (!m || req.method !== 'POST') return { status: 404, body: { error: '404 Not Found' } };
    const project = decodeURIComponent(m[1]);
    const spec = projects[project];
    if (spec === undefined) return { status: 404, body: { message: '404 Project Not Found' } };
    const params = paramsOf(req);
    if (params === undefined) return { status: 400, body: { error: 'token is missing' } };
    if (typeof params.token !== 'string' || params.token === '') return { status: 400, body: { error: 'token is missing' } };
    if (!spec.tokens.includes(params.token)) return { status: 401, body: { message: '401 Unauthorized' } };
    if (typeof params.ref !== 'string' || params.ref === '') return { status: 400, body: { error: 'ref is missing' } };
    const variables = params.variables ?? {};
    if (typeof variables !== 'object' || variables === null || Array.isArray(variables) || Object.values(variables).some((v) => typeof v !== 'string')) {
      return { status: 400, body: { error: 'variables is invalid' } };
    }
    if (!spec.refs.includes(params.ref)) return { status: 400, body: { message: { base: ['Reference not found'] } } };
    const id = nextId++;
    pipelines.push({ id, project, ref: params.ref, variables: variables as Record<string, string> });
    return {
      status: 201,
      body: { id, iid: id - 999, project_id: 42, sha: 'a'.repeat(40), ref: params.ref, status: 'created', source: 'trigger', created_at: '2026-11-30T12:00:00.000Z', updated_at: '2026-11-30T12:00:00.000Z', web_url: `${base}/${project}/-/pipelines/${id}` },
    };
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
      const headers: Record<string, string> = { ...answer.headers };
      let payload = '';
      if (answer.body !== undefined) {
        payload = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
        headers['content-type'] = typeof answer.body === 'string' ? 'text/plain' : 'application/json';
      }
      res.writeHead(answer.status, REASONS[answer.status] ?? '', headers);
      res.end(payload);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    apiURL: `${base}/api/v4`,
    requests,
    pipelines,
    script: (...answers) => void queue.push(...answers),
    pending: () => queue.length,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
