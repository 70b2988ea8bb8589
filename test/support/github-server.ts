// A loopback stand-in for GitHub's workflow_dispatch endpoint that keeps GitHub's contract:
// POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches with `Authorization: Bearer`,
// 204 No Content on success, JSON error bodies {message, documentation_url, status} for 401/404/422,
// rate-limit headers on every answer. Tests script extra answers (429, 5xx with Retry-After, rate limit
// exhausted) in a queue that is served before the contract, and read back every request received.
import { isDeepStrictEqual } from 'node:util';
import { startScriptedServer, type RecordedRequest, type ScriptedAnswer, type ScriptedServer } from './scripted-server';

export interface WorkflowSpec {
  /** Branches and tags the workflow can run on. */
  refs: string[];
  /** Declared inputs. */
  inputs: string[];
  /** Inputs declared `required: true`. */
  required?: string[];
}

export interface GitHubServerOptions {
  /** The one token the server accepts. */
  token: string;
  /** `owner/repo` → workflow file name → spec. */
  repos: Record<string, Record<string, WorkflowSpec>>;
  /** Primary rate limit state, reported on every answer; decremented per request. */
  rateLimit?: { limit: number; remaining: number; reset: number };
}

export interface GitHubServer extends Omit<ScriptedServer, 'origin'> {
  /** `http://127.0.0.1:<port>`: the API base URL. */
  url: string;
}

const DOCS = 'https://docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event';
const REASONS: Record<number, string> = { 204: 'No Content', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 422: 'Unprocessable Entity', 429: 'Too Many Requests', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

export async function startGitHubServer(options: GitHubServerOptions): Promise<GitHubServer> {
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

  const server = await startScriptedServer({
    contract,
    reasons: REASONS,
    jsonType: 'application/json; charset=utf-8',
    headersOfEveryAnswer: () => {
      limit.remaining = Math.max(0, limit.remaining - 1);
      return {
        'x-ratelimit-limit': String(limit.limit),
        'x-ratelimit-remaining': String(limit.remaining),
        'x-ratelimit-reset': String(limit.reset),
        'x-ratelimit-used': String(limit.limit - limit.remaining),
        'x-ratelimit-resource': 'core',
        'x-github-api-version-selected': '2022-11-28',
      };
    },
  });
  return { ...server, url: server.origin };
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
