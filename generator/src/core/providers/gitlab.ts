// GitLab as a source and a rebuild target. A project is `group/subgroup/name` (nested groups) on
// gitlab.com or a self-managed host; its Dockerfile is read over https git like any repository, and a
// rebuild is a pipeline for the branch started through the pipeline trigger API:
// POST /api/v4/projects/<url-encoded path>/trigger/pipeline with {token, ref, variables} → 201 and
// the pipeline (docs.gitlab.com/ee/api/pipeline_triggers.html, "Trigger a pipeline with a token").
// docs/design.md "Providers" says why a trigger token rather than an access token.
import { sendTrigger, TriggerError, type SendOptions, type TriggerProtocol, type TriggerResult } from './http-trigger';
import { checkApiURL, checkRef } from './github';

export const GITLAB_COM = 'gitlab.com';

/** A GitLab path segment: letters, digits, `_`, `-`, `.`; not starting with `-` or `.`, not ending `.git`/`.atom`. */
const SEGMENT = /^(?![-.])[A-Za-z0-9_.-]{1,255}$/;
/** A CI/CD variable name as GitLab accepts it. */
const VARIABLE = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/;
const TOKEN = /^[\x21-\x7e]{1,1024}$/;

/** Why `path` is not a GitLab project path (`group/subgroup/name`), or undefined. */
export function gitlabProjectPathProblem(path: string): string | undefined {
  const fix = 'write the project path as in its URL, group/name or group/subgroup/name, e.g. platform/images/nginx';
  const parts = path.split('/');
  if (parts.length < 2) return `is not a GitLab project path (it needs a group); ${fix}`;
  if (parts.length > 21) return `nests ${parts.length - 1} groups; GitLab allows at most 20`;
  for (const part of parts) {
    if (!SEGMENT.test(part) || /\.(git|atom)$/.test(part)) return `has a part ${JSON.stringify(part)} GitLab does not allow (letters, digits, "_", "-" and ".", not starting with "-" or ".", not ending .git or .atom); ${fix}`;
  }
  return undefined;
}

/** Why `name` cannot carry a value into a pipeline as a CI/CD variable, or undefined. */
export function gitlabVariableNameProblem(name: string): string | undefined {
  return VARIABLE.test(name) ? undefined : 'is not a GitLab CI/CD variable name; use letters, digits and "_", not starting with a digit, e.g. BASE_IMAGE';
}

/** `https://<host>/<path>.git`: where the Dockerfile is read from. */
export function gitlabRepoURL(host: string, path: string): string {
  return `https://${host}/${path}.git`;
}

/** `https://<host>/api/v4`. */
export function gitlabApiURL(host: string): string {
  return `https://${host}/api/v4`;
}

/** The trigger endpoint of one project, its path encoded as one segment (`group%2Fname`). */
export function pipelineTriggerURL(apiURL: string, path: string): string {
  const problem = gitlabProjectPathProblem(path);
  if (problem) throw new TriggerError(`GitLab project ${JSON.stringify(path)} ${problem}`);
  return `${checkApiURL(apiURL)}/projects/${encodeURIComponent(path)}/trigger/pipeline`;
}

export interface PipelineTarget {
  /** `https://gitlab.com/api/v4`, or http on loopback (tests). */
  apiURL: string;
  /** `group/subgroup/name`. */
  project: string;
  ref: string;
  /** CI/CD variables: the rebuild's cause, under the names images.yaml gives (dispatchInputs). */
  variables: Record<string, string>;
}

/** The JSON body, keys sorted so the bytes are stable; the token is the trigger's own. */
export function pipelineTriggerBody(target: Pick<PipelineTarget, 'ref' | 'variables'>, token: string): string {
  const names = Object.keys(target.variables).sort();
  for (const name of names) {
    const problem = gitlabVariableNameProblem(name);
    if (problem) throw new TriggerError(`variable ${JSON.stringify(name)} ${problem}`);
  }
  return JSON.stringify({ token, ref: checkRef(target.ref), variables: Object.fromEntries(names.map((n) => [n, target.variables[n]])) });
}

/** The request as text with the token hidden: what `rebuild --dry-run` prints. */
export function describePipelineTrigger(target: PipelineTarget, userAgent: string): string {
  const url = pipelineTriggerURL(target.apiURL, target.project);
  return [`POST ${url}`, ...Object.entries(headersOf(userAgent)).map(([k, v]) => `${k}: ${v}`), '', pipelineTriggerBody(target, '***')].join('\n') + '\n';
}

function headersOf(userAgent: string): Record<string, string> {
  return { Accept: 'application/json', 'Content-Type': 'application/json', 'User-Agent': userAgent };
}

const HINTS: Readonly<Record<number, string>> = {
  400: 'check that the branch exists and that .gitlab-ci.yml runs for it (a pipeline with no jobs is refused too)',
  401: 'check GITLAB_TOKEN: it must be a pipeline trigger token of this project (Settings > CI/CD > Pipeline trigger tokens), not revoked',
  403: "the trigger token's owner may no longer run pipelines on this branch (a protected branch needs Developer access and a Maintainer-owned token)",
  404: 'check the project path and host: GitLab answers 404 for a project the trigger cannot see',
};

/** Starts a pipeline; resolves on 2xx (GitLab answers 201), throws TriggerError with GitLab's message otherwise. */
export async function triggerPipeline(target: PipelineTarget, token: string, userAgent: string, opts: SendOptions): Promise<TriggerResult> {
  const url = pipelineTriggerURL(target.apiURL, target.project);
  if (!TOKEN.test(token)) throw new TriggerError('the GitLab trigger token is empty or holds spaces or control characters; check GITLAB_TOKEN');
  const protocol: TriggerProtocol = {
    service: 'GitLab',
    where: `${target.project} pipeline on ${target.ref}`,
    hints: HINTS,
    refused: 'GitLab refused the request',
    retryable: [408, 429],
  };
  return sendTrigger({ url, headers: headersOf(userAgent), body: pipelineTriggerBody(target, token), secrets: [token] }, protocol, opts);
}
