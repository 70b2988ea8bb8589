// `rebuild` for images that GitHub does not build: a GitLab pipeline through the project's trigger
// token (GITLAB_TOKEN), or a signed webhook (IMAGE_FACTORY_WEBHOOK_SECRET). The same request the
// image's rebuild Stage makes, with the same bounds and redaction as the GitHub dispatch.
import { checkApiURL } from '../core/providers/github';
import { describePipelineTrigger, gitlabApiURL, triggerPipeline, type PipelineTarget } from '../core/providers/gitlab';
import { TriggerError, type SendOptions } from '../core/providers/http-trigger';
import { deliverWebhook, describeWebhook, webhookURLProblem } from '../core/providers/webhook';
import type { ImageValues } from '../core/values-types';

export interface TriggerRun {
  image: ImageValues;
  ref: string;
  /** The cause from --base/--digest, and the variables that carry it (dispatchInputs names). */
  cause: { base?: string; digest?: string; inputs: Record<string, string> };
  dryRun: boolean;
  userAgent: string;
  send: SendOptions;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  argError: (message: string) => never;
}

const causeText = (vars: Record<string, string>, what: string) =>
  Object.keys(vars).length ? ` with ${what} ${Object.keys(vars).sort().map((k) => `${k}=${vars[k]}`).join(', ')}` : '';

export async function rebuildByGitLab(run: TriggerRun, apiUrlFlag: string | undefined): Promise<void> {
  const { image } = run;
  if (!image.source.repo || !image.source.host) run.argError(`image "${image.name}" names no GitLab project (source.repo and source.host are empty); run \`image-factory generate\``);
  let apiURL: string;
  try {
    apiURL = checkApiURL(apiUrlFlag ?? gitlabApiURL(image.source.host));
  } catch (e) {
    run.argError(`${apiUrlFlag !== undefined ? '--api-url' : `image "${image.name}" source.host`}: ${(e as Error).message}`);
  }
  const target: PipelineTarget = { apiURL, project: image.source.repo, ref: run.ref, variables: run.cause.inputs };
  const what = `a pipeline of ${target.project}@${target.ref} for ${image.name}${causeText(target.variables, 'variables')}`;
  let description: string;
  try {
    description = describePipelineTrigger(target, run.userAgent);
  } catch (e) {
    if (e instanceof TriggerError) run.argError(`image "${image.name}": ${e.message}`);
    throw e;
  }
  if (run.dryRun) {
    run.stdout(`# dry run: would start ${what}\n${description}`);
    return;
  }
  const token = run.env.GITLAB_TOKEN;
  if (!token) run.argError(`set GITLAB_TOKEN to the pipeline trigger token of ${target.project} (Settings > CI/CD > Pipeline trigger tokens), or use --dry-run to see the request`);
  const result = await triggerPipeline(target, token, run.userAgent, run.send);
  run.stdout(`image-factory: started ${what}${result.attempts > 1 ? ` (after ${result.attempts} attempts)` : ''}\n`);
}

export async function rebuildByWebhook(run: TriggerRun, urlFlag: string | undefined): Promise<void> {
  const { image, cause } = run;
  const url = urlFlag ?? image.trigger.url;
  const loopback = /^http:\/\/(127\.0\.0\.1|localhost|\[::1\])(:\d+)?\//.test(url);
  const problem = webhookURLProblem(url);
  if (problem && !loopback) run.argError(`${urlFlag !== undefined ? '--webhook-url' : `image "${image.name}" trigger.webhook.url`} ${problem}`);
  if (cause.base === undefined || cause.digest === undefined) {
    run.argError(`a webhook carries the base image and its digest: give --base and --digest (e.g. --base node:22 --digest sha256:...)`);
  }
  const body = { image: image.name, baseImage: cause.base, baseDigest: cause.digest, ref: run.ref };
  const what = `the webhook of ${image.name} (${new URL(url).host}) for ${cause.base}@${cause.digest}`;
  if (run.dryRun) {
    run.stdout(`# dry run: would send ${what}\n${describeWebhook(url, body, run.userAgent)}`);
    return;
  }
  const secret = run.env.IMAGE_FACTORY_WEBHOOK_SECRET;
  if (!secret) run.argError('set IMAGE_FACTORY_WEBHOOK_SECRET to the secret the receiver verifies signatures with (the chart: webhook.secret), or use --dry-run to see the request');
  const result = await deliverWebhook(url, body, secret, run.userAgent, run.send);
  run.stdout(`image-factory: sent ${what}${result.attempts > 1 ? ` (after ${result.attempts} attempts)` : ''}\n`);
}
