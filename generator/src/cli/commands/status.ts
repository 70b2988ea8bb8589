// `image-factory status`: what is stale now. For every base image of every enrolled image, the
// digest its tag points at in its registry now, against the digest the image was last built on
// (lastRebuild) and when Kargo first saw the new one (digests/<key>.yaml): up to date, waiting
// (with its due date), due, pinned, unresolved, or unknown when the registry could not say.
import * as os from 'node:os';
import * as path from 'node:path';
import type { Command } from 'commander';
import { credentialsOfDockerConfig, type DockerCredentials } from '../../core/docker-credentials';
import { seenDigestsOf } from '../../core/digest-history';
import { ProxyConfigError, proxyFor } from '../../core/proxy';
import { createRegistryClient, RegistryError, type Transport } from '../../core/registry-client';
import { refsToLookUp, renderStatusErrors, renderStatusTable, statusExitCode, statusReport, type CurrentDigest, type ImageFacts, type StatusReport } from '../../core/status';
import type { SeenDigest } from '../../core/cooldown';
import { UserError } from '../../core/errors';
import { parseImageRef } from '../../core/image-ref';
import { packageVersion } from '../../core/package-root';
import { readRegularFile } from '../read-file';
import { locateInside } from '../repo-paths';
import { MAX_STATE_BYTES, parseImageStateFile } from '../../core/state-file';
import { ExitError } from '../exit-error';
import { nodeTransport } from '../registry-transport';
import { loadValues } from '../values-file';
import { readYamlSource } from '../../core/yaml-source';
import { IMAGE_NAME } from '../../core/rules';
import type { ImageValues } from '../../core/values-types';
import { recordKeyOf } from '../../core/rebuild-record';

export interface StatusFlags {
  root: string;
  values?: string;
  json?: boolean;
  concurrency: string;
  timeout: string;
  maxAttempts: string;
  maxWait: string;
  allowInsecureUrls?: boolean;
}

/** What the command needs from outside: tests give an environment, a clock and a sleep. */
export interface StatusIO {
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether stderr is a terminal: the progress line is drawn only there. */
  stderrIsTTY: boolean;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  transport?: Transport;
}

/** A progress line appears only when the lookups take longer than this. */
const PROGRESS_AFTER_MS = 2000;
const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_HISTORY_BYTES = 1024 * 1024;
const KEY = /^[a-z0-9][a-z0-9_.-]{0,250}$/;

function flagError(flag: string, message: string): never {
  throw new UserError({ subject: flag, message });
}

function wholeNumber(text: string, flag: string, min: number, max: number): number {
  if (!/^[0-9]{1,6}$/.test(text) || Number(text) < min || Number(text) > max) flagError(flag, `must be a whole number from ${min} to ${max}, not "${text}"`);
  return Number(text);
}

/**
 * Registry credentials: DOCKER_AUTH_CONFIG (config.json's content, as GitLab CI and others set it)
 * when set, else $DOCKER_CONFIG/config.json, else ~/.docker/config.json; none when there is none.
 */
export function loadDockerCredentials(env: NodeJS.ProcessEnv): DockerCredentials | undefined {
  const fromEnv = env.DOCKER_AUTH_CONFIG;
  let text: string;
  let source: string;
  if (fromEnv !== undefined && fromEnv.trim() !== '') {
    text = fromEnv;
    source = 'DOCKER_AUTH_CONFIG';
  } else {
    const dir = env.DOCKER_CONFIG && env.DOCKER_CONFIG !== '' ? env.DOCKER_CONFIG : path.join(env.HOME || os.homedir(), '.docker');
    source = path.join(dir, 'config.json');
    const read = readRegularFile(source, source, { maxBytes: MAX_CONFIG_BYTES, fix: 'it must be Docker\u2019s config.json' });
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'too-large') throw new UserError({ subject: source, message: `is ${read.size} bytes, over the ${MAX_CONFIG_BYTES} read; is it Docker's config.json?` });
    text = read.bytes.toString('utf8');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    // The parser's message can quote the file, which holds secrets: say only that it is not JSON.
    throw new UserError({ subject: source, message: 'is not valid JSON; run `docker login` again or fix the file' });
  }
  try {
    return credentialsOfDockerConfig(doc, source);
  } catch (e) {
    throw new UserError({ subject: source, message: (e as Error).message.replace(`${source}: `, '') });
  }
}

/** lastRebuild of images/<name>.yaml, or undefined when the file is not there yet. */
function lastRebuildOf(root: string, name: string): ImageFacts['lastRebuild'] {
  if (!IMAGE_NAME.test(name)) return undefined;
  const rel = `images/${name}.yaml`;
  const found = locateInside(root, rel);
  if (found.kind !== 'inside') return undefined;
  const read = readRegularFile(path.join(root, rel), rel, { maxBytes: MAX_STATE_BYTES, noFollow: true });
  if (read.kind !== 'read') return undefined;
  return parseImageStateFile(read.bytes, rel).lastRebuild;
}

/** digests/<key>.yaml's entries; empty when the base Stage has not written it (yet). */
function historyOf(root: string, key: string): SeenDigest[] {
  if (!KEY.test(key)) return [];
  const rel = `digests/${key}.yaml`;
  if (locateInside(root, rel).kind !== 'inside') return [];
  const read = readRegularFile(path.join(root, rel), rel, { maxBytes: MAX_HISTORY_BYTES, noFollow: true });
  if (read.kind !== 'read') return [];
  return seenDigestsOf(readYamlSource(read.bytes, rel, { maxBytes: MAX_HISTORY_BYTES, what: 'a digest history', fixHint: 'Kargo\u2019s base Stage writes it; restore it from git' }).value);
}

/** Runs `fn` over items with at most `limit` running at once. */
async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** Runs `status`; resolves to the exit code. */
export async function runStatus(flags: StatusFlags, io: StatusIO): Promise<number> {
  const concurrency = wholeNumber(flags.concurrency, '--concurrency', 1, 64);
  const timeoutSeconds = wholeNumber(flags.timeout, '--timeout', 1, 3600);
  const maxAttempts = wholeNumber(flags.maxAttempts, '--max-attempts', 1, 20);
  const maxWait = wholeNumber(flags.maxWait, '--max-wait', 0, 3600);
  const now = io.now ?? Date.now;
  try {
    // A proxy variable that cannot be used is a user error before any request, not N registry errors.
    proxyFor(new URL('https://registry.invalid'), io.env);
    proxyFor(new URL('http://registry.invalid'), io.env);
  } catch (e) {
    if (e instanceof ProxyConfigError) flagError('environment', e.message);
    throw e;
  }
  const root = path.resolve(flags.root);
  const values = loadValues({ root: flags.root, values: flags.values });
  const credentials = loadDockerCredentials(io.env);
  const facts: ImageFacts[] = values.images.map((image: ImageValues) => ({
    image,
    lastRebuild: lastRebuildOf(root, image.name),
    history: new Map(image.upstreams.map((u) => [recordKeyOf(u.slug), historyOf(root, recordKeyOf(u.slug))] as const)),
  }));

  const client = createRegistryClient({
    transport: io.transport ?? nodeTransport({ env: io.env, timeoutMs: timeoutSeconds * 1000, maxBodyBytes: 4 * 1024 * 1024 }),
    credentialFor: (registry) => credentials?.byRegistry.get(registry),
    credentialHint: (registry) =>
      credentials?.inHelper.has(registry) ? `${credentials.source} leaves ${registry} to a credential helper, which image-factory does not run; set DOCKER_AUTH_CONFIG instead` : undefined,
    allowInsecureLoopback: flags.allowInsecureUrls === true,
    maxAttempts,
    maxWaitSeconds: maxWait,
    sleep: io.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    now,
    log: (line) => io.stderr(`${clearProgress()}image-factory: status: ${line}\n`),
    userAgent: `image-factory/${packageVersion()}`,
  });

  const refs = refsToLookUp(values.images);
  const current = new Map<string, CurrentDigest>();
  let done = 0;
  let progressShown = false;
  const progress = () => `image-factory: status: looked up ${done} of ${refs.length} base image(s)`;
  function clearProgress(): string {
    if (!progressShown) return '';
    progressShown = false;
    return '\r\x1b[K';
  }
  const started = now();
  const draw = () => {
    if (!io.stderrIsTTY || now() - started < PROGRESS_AFTER_MS) return;
    io.stderr(`\r\x1b[K${progress()}`);
    progressShown = true;
  };
  const ticker = io.stderrIsTTY ? setInterval(draw, 500) : undefined;
  try {
    await eachLimited(refs, concurrency, async (ref) => {
      try {
        current.set(ref, { digest: await client.currentDigest(parseImageRef(ref)) });
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
        current.set(ref, { error: e.message });
      }
      done++;
      draw();
    });
  } finally {
    if (ticker) clearInterval(ticker);
    io.stderr(clearProgress());
  }

  const report: StatusReport = statusReport(facts, current, (ref) => parseImageRef(ref).registry, new Date(now()));
  io.stderr(renderStatusErrors(report));
  io.stdout(flags.json ? `${JSON.stringify(report, null, 2)}\n` : renderStatusTable(report));
  return statusExitCode(report);
}

export function register(program: Command): void {
  program
    .command('status')
    .description('look up every base image in its registry and show which images are up to date, waiting, due, pinned, unresolved or unknown; exit 1 when any is due')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--values <file>', 'the chart values to read (default: <root>/dist/values.yaml)')
    .option('--json', 'print JSON instead of a table')
    .option('--concurrency <n>', 'registry lookups at once', '8')
    .option('--timeout <seconds>', 'time allowed for one registry request, in seconds', '30')
    .option('--max-attempts <n>', 'tries in all when a registry is rate limiting (429) or failing (5xx)', '4')
    .option('--max-wait <seconds>', 'the longest Retry-After a registry may ask for before its images are reported unknown', '60')
    .option('--allow-insecure-urls', 'reach registries (and token services) on 127.0.0.1, localhost and [::1] over plain http')
    .action(async (flags: StatusFlags) => {
      const code = await runStatus(flags, {
        env: process.env,
        stdout: (t) => void process.stdout.write(t),
        stderr: (t) => void (t && process.stderr.write(t)),
        stderrIsTTY: process.stderr.isTTY === true,
      });
      if (code !== 0) throw new ExitError(code, 'an image is due');
    });
}
