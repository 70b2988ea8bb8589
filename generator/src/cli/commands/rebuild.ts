// `image-factory rebuild <name>`: start an image's build now, the same call its rebuild Stage makes
// (GitHub workflow_dispatch, a GitLab pipeline trigger, or a signed webhook), for a manual rebuild
// or to test the wiring (--dry-run).
import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import { ImageRefError, parseImageRef } from '../../core/image-ref';
import { packageVersion } from '../../core/package-root';
import { loadValues } from '../values-file';
import {
  checkApiURL,
  checkRef,
  DEFAULT_API_URL,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_MAX_WAIT_SECONDS,
  describeDispatch,
  dispatchWorkflow,
  GitHubError,
  type DispatchTarget,
  type FetchLike,
} from '../../core/providers/github';
import type { ChartValues, ImageValues } from '../../core/values-types';
import { editDistance, IMAGE_NAME } from '../../core/rules';
import { ExitError } from '../exit-error';
import { TriggerError, type SendOptions } from '../../core/providers/http-trigger';
import { rebuildByGitLab, rebuildByWebhook, type TriggerRun } from '../rebuild-triggers';

export interface RebuildFlags {
  root: string;
  values?: string;
  dryRun?: boolean;
  ref?: string;
  base?: string;
  digest?: string;
  apiUrl?: string;
  webhookUrl?: string;
  maxAttempts: string;
  maxWait: string;
}

/** What the command needs from outside, so tests can give a clock and a sleep that do not wait. */
export interface RebuildIO {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  fetchImpl?: FetchLike;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;
const ARG = 'rebuild';

function argError(message: string): never {
  throw new UserError({ subject: ARG, message });
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  if (!/^[0-9]{1,6}$/.test(text) || Number(text) < min || Number(text) > max) argError(`${flag} must be a whole number from ${min} to ${max}, not "${text}"`);
  return Number(text);
}

function findImage(values: ChartValues, name: string): ImageValues {
  if (!IMAGE_NAME.test(name)) argError(`"${name}" is not an image name (lower-case letters, digits and "-", at most 48 characters)`);
  const image = values.images.find((i) => i.name === name);
  if (image) return image;
  const names = values.images.map((i) => i.name).sort();
  const close = names.filter((n) => n.includes(name) || name.includes(n) || editDistance(n, name) <= 2);
  const known = close.length ? close : names;
  argError(
    `no enrolled image is named "${name}"; ${known.length ? `${close.length ? 'did you mean' : 'enrolled images are'}: ${known.slice(0, 10).join(', ')}${known.length > 10 ? ', ...' : ''}` : 'no image is enrolled'}`,
  );
}

/** The dispatch for one image: its repository and workflow, the ref, and the inputs its workflow declares. */
export function rebuildTarget(values: ChartValues, name: string, flags: Pick<RebuildFlags, 'ref' | 'base' | 'digest'>, apiURL: string): DispatchTarget {
  const image = findImage(values, name);
  const repo = image.source.repo;
  if (image.trigger.kind !== 'github') argError(`image "${name}" is not rebuilt by a GitHub workflow (its trigger is ${image.trigger.kind})`);
  if (!repo) {
    argError(`image "${name}" has no GitHub repository to dispatch to (source.repo is empty): set stateRepo in images.yaml, or source.repo for the image, and run \`image-factory generate\``);
  }
  const slash = repo.indexOf('/');
  if (slash <= 0 || slash !== repo.lastIndexOf('/')) argError(`image "${name}": source.repo "${repo}" is not owner/name`);
  const ref = refOf(image, flags);
  return { apiURL, owner: repo.slice(0, slash), repo: repo.slice(slash + 1), workflow: image.source.workflow, ref, inputs: causeOf(image, flags).inputs };
}

/** The ref whose build runs: --ref, else the image's branch; checked as git checks ref names. */
export function refOf(image: ImageValues, flags: Pick<RebuildFlags, 'ref'>): string {
  try {
    return checkRef(flags.ref ?? image.source.branch);
  } catch (e) {
    argError(`${flags.ref !== undefined ? '--ref' : `image "${image.name}" source.branch`}: ${(e as Error).message}`);
  }
}

/**
 * The cause given on the command line (--base, --digest), checked against what the image builds on,
 * and the inputs (GitHub) or CI/CD variables (GitLab) that carry it, named by dispatchInputs.
 */
export function causeOf(image: ImageValues, flags: Pick<RebuildFlags, 'base' | 'digest'>): { base?: string; digest?: string; inputs: Record<string, string> } {
  const name = image.name;
  const cause: { base?: string; digest?: string } = {};
  const inputs: Record<string, string> = {};
  if (flags.digest !== undefined && flags.base === undefined) argError('--digest needs --base: name the base image the digest belongs to');
  if (flags.base !== undefined) {
    let base;
    try {
      base = parseImageRef(flags.base);
    } catch (e) {
      if (e instanceof ImageRefError) argError(`--base: ${e.message}`);
      throw e;
    }
    if (base.digest !== undefined) argError('--base takes a tag (node:22); give the digest with --digest');
    const uses = [...image.upstreams.map((u) => u.ref), ...image.pinnedBases].sort();
    if (!uses.includes(base.ref)) {
      argError(`image "${name}" does not build on ${base.ref}; its base images are: ${uses.length ? uses.join(', ') : '(none analyzed yet)'}`);
    }
    if (image.trigger.kind !== 'webhook' && !image.dispatchInputs.baseImage && !image.dispatchInputs.baseDigest) {
      argError(`the workflow of "${name}" takes no inputs (dispatchInputs is {} in images.yaml); drop --base and --digest`);
    }
    cause.base = base.ref;
    // Without a baseImage input, --base only says which base the --digest belongs to.
    if (image.dispatchInputs.baseImage) inputs[image.dispatchInputs.baseImage] = base.ref;
  }
  if (flags.digest !== undefined) {
    if (!DIGEST.test(flags.digest)) argError(`--digest "${flags.digest}" is not a digest; write sha256: and 64 lower-case hex digits`);
    cause.digest = flags.digest;
    if (image.trigger.kind !== 'webhook') {
      if (!image.dispatchInputs.baseDigest) {
        argError(`the workflow of "${name}" takes no base digest input (dispatchInputs.baseDigest is not set in images.yaml); drop --digest`);
      }
      inputs[image.dispatchInputs.baseDigest] = flags.digest;
    }
  }
  return { ...cause, inputs };
}

/** Runs `rebuild` through the image's own trigger; resolves to the exit code. */
export async function runRebuild(name: string, flags: RebuildFlags, io: RebuildIO): Promise<number> {
  const maxAttempts = wholeNumber(flags.maxAttempts, '--max-attempts', 1, 100);
  const maxWait = wholeNumber(flags.maxWait, '--max-wait', 0, 86400);
  const values = loadValues({ root: flags.root, values: flags.values });
  const image = findImage(values, name);
  const kind = image.trigger.kind;
  if (kind === 'none') argError(`image "${name}" is watched only (trigger: none in images.yaml): nothing rebuilds it; set a trigger to rebuild it`);
  // One bound and one log for every trigger: they share core/retry.ts's loop.
  const send: SendOptions = { maxAttempts, maxWaitSeconds: maxWait, log: (line) => io.stderr(`image-factory: ${line}\n`), sleep: io.sleep, now: io.now, fetchImpl: io.fetchImpl };
  if (kind === 'github') return runGitHubRebuild(values, name, flags, io, send);
  if (flags.webhookUrl !== undefined && kind !== 'webhook') argError(`--webhook-url: image "${name}" is not rebuilt by a webhook (its trigger is ${kind})`);
  const run: TriggerRun = {
    image,
    ref: refOf(image, flags),
    cause: causeOf(image, flags),
    dryRun: flags.dryRun === true,
    userAgent: `image-factory/${packageVersion()}`,
    send,
    env: io.env,
    stdout: io.stdout,
    argError,
  };
  try {
    if (kind === 'gitlab') await rebuildByGitLab(run, flags.apiUrl);
    else await rebuildByWebhook(run, flags.webhookUrl);
    return 0;
  } catch (e) {
    return failedTrigger(e, name, io);
  }
}

/** A request that started no build (GitHub's included): said on stderr, exit 1; anything else is a bug and propagates. */
function failedTrigger(e: unknown, name: string, io: RebuildIO): number {
  if (!(e instanceof TriggerError)) throw e;
  io.stderr(`image-factory: rebuild ${name}: ${e.message}\n`);
  return 1;
}

async function runGitHubRebuild(values: ChartValues, name: string, flags: RebuildFlags, io: RebuildIO, send: SendOptions): Promise<number> {
  const apiText = flags.apiUrl ?? (io.env.GITHUB_API_URL || DEFAULT_API_URL);
  let apiURL: string;
  try {
    apiURL = checkApiURL(apiText);
  } catch (e) {
    argError(`${flags.apiUrl !== undefined ? '--api-url' : 'GITHUB_API_URL'}: ${(e as Error).message}`);
  }
  const target = rebuildTarget(values, name, flags, apiURL);
  const userAgent = `image-factory/${packageVersion()}`;
  const what = `${target.workflow} on ${target.owner}/${target.repo}@${target.ref} for ${name}`;
  const inputsText = Object.keys(target.inputs).length ? ` with inputs ${Object.keys(target.inputs).sort().map((k) => `${k}=${target.inputs[k]}`).join(', ')}` : '';

  let description: string;
  try {
    description = describeDispatch(target, userAgent);
  } catch (e) {
    if (e instanceof GitHubError) argError(`image "${name}": ${e.message}`);
    throw e;
  }
  if (flags.dryRun) {
    io.stdout(`# dry run: would dispatch ${what}${inputsText}\n${description}`);
    return 0;
  }
  const token = io.env.GITHUB_TOKEN || io.env.GH_TOKEN;
  if (!token) {
    argError('set GITHUB_TOKEN (or GH_TOKEN) to a token that may run workflows in the repository ("actions: write"), or use --dry-run to see the request');
  }
  try {
    const result = await dispatchWorkflow({ ...target, ...send, token, userAgent });
    io.stdout(`image-factory: dispatched ${what}${inputsText}${result.attempts > 1 ? ` (after ${result.attempts} attempts)` : ''}\n`);
    return 0;
  } catch (e) {
    return failedTrigger(e, name, io);
  }
}

export function register(program: Command): void {
  program
    .command('rebuild')
    .description("start an image's build now (GitHub workflow, GitLab pipeline or webhook), as its rebuild Stage would")
    .argument('<name>', 'the enrolled image to rebuild')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--values <file>', 'the chart values to read (default: <root>/dist/values.yaml)')
    .option('--dry-run', 'print the request (token hidden) and send nothing')
    .option('--ref <ref>', "the branch or tag whose workflow runs (default: the image's source branch)")
    .option('--base <image-ref>', 'the base image that changed, sent as the baseImage input (GitLab: variable; webhook: baseImage)')
    .option('--digest <sha256:...>', 'its new digest, sent as the baseDigest input (needs --base)')
    .option('--api-url <url>', 'GitHub API base URL (GitHub Enterprise Server: https://HOST/api/v3; default $GITHUB_API_URL or https://api.github.com), or GitLab API base URL (default https://<source.host>/api/v4)')
    .option('--webhook-url <url>', "send an image's webhook here instead of its trigger.webhook.url (e.g. a test receiver)")
    .option('--max-attempts <n>', 'tries in all when GitHub is rate limiting or failing (5xx)', String(DEFAULT_MAX_ATTEMPTS))
    .option('--max-wait <seconds>', 'the longest wait GitHub may ask for before giving up', String(DEFAULT_MAX_WAIT_SECONDS))
    .action(async (name: string, flags: RebuildFlags) => {
      const code = await runRebuild(name, flags, {
        env: process.env,
        stdout: (t) => void process.stdout.write(t),
        stderr: (t) => void process.stderr.write(t),
      });
      if (code !== 0) throw new ExitError(code, 'not dispatched');
    });
}
