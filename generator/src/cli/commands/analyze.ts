// `image-factory analyze`: what the analysis service would answer for one image, run locally
// against the image's repository (or another URL, or a local checkout), printed as the same JSON.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Command } from 'commander';
import { runAnalysis, type AnalysisDeps, type AnalyzeResponse } from '../../core/analysis';
import { AnalysisRefusal } from '../../core/analysis-refusal';
import { parseAnalyzeRequest, requestEnrollmentOf } from '../../core/analysis-request';
import { UserError } from '../../core/errors';
import { fetchFileAtCommit, GitFetchError, validateRepoURL, type GitCredentials } from '../../core/git';
import { fetchTimeoutMs } from '../../core/fetch-timeout';
import { applyChanges, changesOf, describeChanges, recoverInterruptedRun } from '../files';
import { changesOfPlan, loadStateRepo, OUTPUT_FOLDERS, planGeneration } from '../generate';
import type { ImageValues } from '../../core/values-types';

interface AnalyzeFlags {
  image: string;
  root: string;
  commit?: string;
  ref?: string;
  repoUrl?: string;
  checkout?: string;
  fetchTimeout?: string;
  allowInsecureUrls?: boolean;
  write?: boolean;
}

export interface LocalAnalysisInput {
  image: ImageValues;
  lastRebuild?: unknown;
  repoURL: string;
  commit?: string;
  ref?: string;
  allowInsecureURLs: boolean;
  credentials?: GitCredentials;
  timeoutMs: number;
  /** How the Dockerfile is read; git (fetchFileAtCommit) unless a test reads it another way. */
  fetch?: AnalysisDeps['fetch'];
}

/**
 * The hosts a local analysis may fetch from: the one of the URL the user enrolled or named. The
 * service's allowlist guards a shared service from its callers; here the caller is the user, and an
 * empty list refused every enrolled github.com image. A malformed URL gets none, and the request
 * check names its problem.
 */
function hostsOf(repoURL: string, allowInsecureURLs: boolean): string[] {
  try {
    return [validateRepoURL(repoURL, { allowInsecureURLs }).host];
  } catch (e) {
    if (e instanceof GitFetchError) return [];
    throw e;
  }
}

/** The one place `analyze` learns an image's values and current lastRebuild from a state repo. */
export async function imageFromStateRepo(root: string, name: string): Promise<{ image: ImageValues; lastRebuild?: unknown }> {
  const repo = await loadStateRepo(root);
  const image = repo.values.images.find((i) => i.name === name);
  if (!image) {
    const known = repo.values.images.map((i) => i.name).join(', ') || 'none';
    throw new UserError({ subject: 'images.yaml', message: `no image named "${name}" (enrolled: ${known})` });
  }
  return { image, lastRebuild: repo.states.get(name)?.lastRebuild };
}

/** Runs the service's analysis for one image; throws AnalysisRefusal as the service's analysis does. */
export async function analyzeLocally(input: LocalAnalysisInput): Promise<AnalyzeResponse> {
  if (input.image.source.local) {
    throw new AnalysisRefusal('local-image', `image: "${input.image.name}" is local to the state repo; \`image-factory generate\` analyzes it`, 'image');
  }
  const allowedHosts = hostsOf(input.repoURL, input.allowInsecureURLs);
  const request = parseAnalyzeRequest(
    {
      image: input.image.name,
      repoURL: input.repoURL,
      commit: input.commit,
      ref: input.commit === undefined ? input.ref ?? input.image.source.branch : undefined,
      dockerfile: input.image.source.dockerfile,
      buildArgs: input.image.source.buildArgs,
      lastRebuild: input.lastRebuild ?? null,
      enrollment: requestEnrollmentOf(input.image),
    },
    { allowInsecureURLs: input.allowInsecureURLs, allowedHosts },
  );
  return runAnalysis(request, {
    fetch: input.fetch ?? fetchFileAtCommit,
    fetchTimeoutMs: input.timeoutMs,
    credentials: input.credentials,
    allowInsecureURLs: input.allowInsecureURLs,
    allowedHosts,
  });
}

/**
 * `--write`: the state file the analysis Stage would commit, written where generate keeps it, then
 * generate's own plan, so that base-images/ and dist/values.yaml agree with it. Both writes are
 * generate's all-or-nothing writer; generate keeps an external image's analysis while its source is
 * unchanged, so the next run changes nothing.
 */
async function storeAnalysis(root: string, answer: AnalyzeResponse): Promise<void> {
  recoverInterruptedRun(root, OUTPUT_FOLDERS);
  await applyChanges(root, changesOf(root, new Map([[answer.stateFilePath, answer.stateFile]]), []));
  const plan = await planGeneration({ root });
  const changes = changesOfPlan(plan, root);
  await applyChanges(root, changes);
  process.stderr.write(`image-factory analyze: wrote ${answer.stateFilePath} (commit ${answer.commit.slice(0, 12)})${changes.length ? `; regenerated:\n${describeChanges(changes)}` : ''}\n`);
}

export function register(program: Command): void {
  program
    .command('analyze')
    .description('show what the analysis service answers for one external image: fetch its Dockerfile at a commit and print the JSON (with the new state file)')
    .requiredOption('--image <name>', 'the enrolled image (from images.yaml)')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--commit <sha>', 'the commit to analyze (default: the tip of --ref or the image\u2019s branch)')
    .option('--ref <name>', 'a branch or tag to analyze instead of a commit')
    .option('--repo-url <url>', 'fetch from this repository instead of the image\u2019s source')
    .option('--checkout <dir>', 'read the committed Dockerfile from a local clone (HEAD unless --commit/--ref)')
    .option('--fetch-timeout <seconds>', 'time allowed for the git fetch, in whole seconds (env IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS, default 60)')
    .option('--allow-insecure-urls', 'accept file:// and http:// loopback URLs in --repo-url')
    .option('--write', 'also store the answer as the image\u2019s state file (images/<name>.yaml, as the cluster would) and regenerate base-images/ and dist/values.yaml')
    .action(async (flags: AnalyzeFlags) => {
      if (flags.repoUrl && flags.checkout) throw new UserError({ subject: '--checkout', message: 'give --repo-url or --checkout, not both' });
      if (flags.commit && flags.ref) throw new UserError({ subject: '--ref', message: 'give --commit or --ref, not both' });
      const timeoutMs = fetchTimeoutMs(flags.fetchTimeout, process.env);
      const { image, lastRebuild } = await imageFromStateRepo(path.resolve(flags.root), flags.image);
      let repoURL = flags.repoUrl ?? image.source.url;
      let ref = flags.ref;
      let insecure = flags.allowInsecureUrls === true;
      if (flags.checkout) {
        let dir: string;
        try {
          dir = fs.realpathSync(flags.checkout);
        } catch {
          throw new UserError({ subject: flags.checkout, message: 'not found; --checkout must name a local git clone' });
        }
        repoURL = pathToFileURL(dir).href;
        insecure = true;
        if (!flags.commit && !ref) ref = 'HEAD';
      }
      if (!repoURL) throw new UserError({ subject: 'images.yaml', message: `image "${image.name}" has no source repository URL; pass --repo-url or --checkout` });
      const env = process.env;
      const credentials = env.GIT_USERNAME && env.GIT_PASSWORD ? { username: env.GIT_USERNAME, password: env.GIT_PASSWORD } : undefined;
      const answer = await analyzeLocally({ image, lastRebuild, repoURL, commit: flags.commit, ref, allowInsecureURLs: insecure, credentials, timeoutMs });
      process.stdout.write(`${JSON.stringify(answer, null, 2)}\n`);
      if (flags.write) await storeAnalysis(path.resolve(flags.root), answer);
    });
}
