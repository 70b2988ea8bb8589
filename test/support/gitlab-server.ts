// A loopback stand-in for GitLab's pipeline trigger API that keeps its contract
// (docs.gitlab.com/ee/api/pipeline_triggers.html, "Trigger a pipeline with a token"):
// POST /api/v4/projects/<id or URL-encoded path>/trigger/pipeline with token, ref and variables, as
// JSON ({token, ref, variables: {KEY: value}}) or a form (token=..&ref=..&variables[KEY]=..);
// 201 Created with the pipeline JSON; errors as {"message": ...} (a string, or {field: [problems]}
// for a ref GitLab cannot run): 400 without token or ref, or with a ref that does not exist,
// 401 for an unknown token, 404 for an unknown project. Tests script extra answers (429 with
// Retry-After, 5xx) served before the contract, and read back every request received.
import { startScriptedServer, type RecordedRequest, type ScriptedAnswer, type ScriptedServer } from './scripted-server';

export interface GitLabProject {
  /** The project's trigger tokens. */
  tokens: string[];
  /** Branches and tags a pipeline can run on. */
  refs: string[];
}

export interface GitLabServer extends Omit<ScriptedServer, 'origin'> {
  /** `http://127.0.0.1:<port>/api/v4`: the API base URL. */
  apiURL: string;
  /** Pipelines created, in order. */
  pipelines: { id: number; project: string; ref: string; variables: Record<string, string> }[];
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
  const pipelines: GitLabServer['pipelines'] = [];
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

  const server = await startScriptedServer({ contract, reasons: REASONS });
  base = server.origin;
  return { ...server, apiURL: `${base}/api/v4`, pipelines };
}
