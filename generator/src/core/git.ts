// Fetches one file at one commit from a git remote without cloning it, in three git processes:
// `git init --bare` in a temp dir, a shallow blob-less fetch of that one commit (or ref), and one
// `git cat-file --batch` that reads the commit, the folders down to the file and the file's blob,
// which git fetches on demand from the remote. Used by `generate --fetch-external`,
// `image-factory analyze` and the analysis service.
//
// Every input is validated here before git sees it (validateRepoURL, validateCommit, validateRef,
// validateRepoPath), git runs through spawn with argument arrays and `--` before positionals, in a
// clean environment (temp HOME, no system or global config, no prompts, a protocol allowlist), and
// the remote's URL and credentials reach git only through environment-provided config (credentials
// as an `http.<origin>/.extraHeader`, so only the repository's own scheme, host and port ever receive
// them), never argv, URLs or messages. Redirects are not followed: one would lead to a host nobody
// allowed. The pack bytes arriving while the blob is fetched are counted, so a file over the size
// limit stops the download near the limit instead of after it. The temp dir is removed whatever
// happens; on timeout or abort the whole git process group is killed first.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { refNameProblem, repoPathProblem } from './rules';
import { GitFetchError } from './git-fetch-error';
import { GitBatchEnded, withObjectReader, type ObjectReader } from './git-batch';
import { commitTreeAndTime, notAFileKind, treeEntry, type TreeEntry } from './git-objects';
import { gitSays, packBytes, runGit, type PackWatch, type RunContext } from './git-process';

export { GitFetchError, type GitFetchReason } from './git-fetch-error';
export { gitStats } from './git-process';

export interface GitCredentials {
  username: string;
  password: string;
}

export interface FetchFileOptions {
  /** `https://host/owner/repo(.git)`, `ssh://[user@]host[:port]/path`, `user@host:path`; `file://` and `http://127.0.0.1` only with allowInsecureURLs. */
  repoURL: string;
  /** 40 or 64 hex digits. Exactly one of commit and ref. */
  commit?: string;
  /** A branch or tag name (`main`, `refs/heads/main`, `v1.2`). */
  ref?: string;
  /** Path of the file inside the repository, relative, without `..`. */
  path: string;
  credentials?: GitCredentials;
  /** For all git commands of this fetch together. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Tests and local checkouts only: `file://` URLs and plain `http://` to loopback hosts. */
  allowInsecureURLs?: boolean;
  /** When given, the URL's host must be one of these (lower-case host names). */
  allowedHosts?: readonly string[];
  /** Refuse files larger than this (default 1 MiB). */
  maxBytes?: number;
  /** Where the temp dir is made (default os.tmpdir()). */
  tmpDir?: string;
}

export interface FetchedFile {
  /** The full commit id analyzed. */
  commit: string;
  /** The commit's committer date, ISO-8601 UTC with seconds (`2026-11-24T10:00:00Z`). */
  committedAt: string;
  content: Buffer;
  /** Bytes of pack data received from the remote (the packs git kept), protocol overhead aside. */
  bytesFetched: number;
}

export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;
/** Pack framing and object headers around a blob: a fetched pack may exceed its blob by this much. */
const PACK_OVERHEAD_BYTES = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Validation (pure)

export interface ParsedRepoURL {
  scheme: 'https' | 'ssh' | 'file' | 'http';
  /** Lower-case host name ('' for file://). */
  host: string;
}

const CONTROL_OR_SPACE = /[\s\u0000-\u001f\u007f]/;
const HOST = /^(?=.{1,253}$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const REPO_PATH = /^[A-Za-z0-9._~/-]+$/;
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function bad(field: string, message: string): GitFetchError {
  return new GitFetchError('invalid-input', `${field}: ${message}`, field);
}

function checkRepoPath(field: string, p: string): void {
  if (!REPO_PATH.test(p)) throw bad(field, 'the repository path may only hold letters, digits and . _ ~ / -');
  if (p.split('/').some((s) => s === '..' || s === '.')) throw bad(field, 'the repository path must not contain . or .. segments');
}

/** Checks a remote URL's form; throws GitFetchError('invalid-input', field 'repoURL'). */
export function validateRepoURL(
  url: string,
  opts: { allowInsecureURLs?: boolean; allowedHosts?: readonly string[]; field?: string } = {},
): ParsedRepoURL {
  const field = opts.field ?? 'repoURL';
  if (typeof url !== 'string' || url.length === 0) throw bad(field, 'must be a non-empty string');
  if (url.length > 2048) throw bad(field, 'is longer than 2048 characters');
  if (url.startsWith('-')) throw bad(field, 'must not begin with "-"');
  if (CONTROL_OR_SPACE.test(url)) throw bad(field, 'must not contain whitespace or control characters');
  if (url.split(/[/:]/).some((seg) => seg === '..' || seg === '.')) throw bad(field, 'must not contain . or .. path segments');
  let parsed: ParsedRepoURL;
  const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(.+)$/.exec(url);
  if (scp && !url.includes('://')) {
    const host = scp[2].toLowerCase();
    if (!HOST.test(host)) throw bad(field, `"${scp[2]}" is not a valid host name`);
    if (scp[3].startsWith('/') || scp[3].startsWith('-')) throw bad(field, 'the path after ":" must be relative (owner/repo.git)');
    checkRepoPath(field, scp[3]);
    parsed = { scheme: 'ssh', host };
  } else {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw bad(field, 'is not a URL; use https://host/owner/repo.git or git@host:owner/repo.git');
    }
    const scheme = u.protocol.slice(0, -1);
    if (u.search || u.hash || url.includes('?') || url.includes('#')) throw bad(field, 'must not have a query or a fragment');
    if (scheme === 'file') {
      if (!opts.allowInsecureURLs) throw bad(field, 'file:// URLs are not allowed here; use https://');
      if (u.host !== '') throw bad(field, 'file:// URLs must not name a host');
      return { scheme: 'file', host: '' };
    }
    if (scheme !== 'https' && scheme !== 'ssh' && scheme !== 'http') {
      throw bad(field, `the scheme "${scheme}" is not allowed; use https:// or ssh (git@host:owner/repo.git)`);
    }
    if (u.password || (u.username && scheme !== 'ssh')) throw bad(field, 'must not carry credentials; they come from the mounted Secret');
    if (u.username && !/^[A-Za-z0-9._-]+$/.test(u.username)) throw bad(field, 'has an invalid user name');
    const host = u.hostname.toLowerCase();
    if (scheme === 'http') {
      if (!opts.allowInsecureURLs || !LOOPBACK.has(host)) throw bad(field, 'plain http:// is not allowed; use https://');
    } else if (!HOST.test(host)) {
      throw bad(field, `"${u.hostname}" is not a valid host name`);
    }
    if (u.port && !/^\d{1,5}$/.test(u.port)) throw bad(field, 'has an invalid port');
    const p = u.pathname.replace(/^\//, '');
    if (p === '') throw bad(field, 'names no repository');
    checkRepoPath(field, p);
    parsed = { scheme: scheme as ParsedRepoURL['scheme'], host };
  }
  if (opts.allowedHosts && parsed.scheme !== 'file' && !(parsed.scheme === 'http' && opts.allowInsecureURLs)) {
    if (!opts.allowedHosts.includes(parsed.host)) throw bad(field, `the host "${parsed.host}" is not one of the configured hosts (${opts.allowedHosts.join(', ') || 'none'})`);
  }
  return parsed;
}

/** A full commit id: 40 (SHA-1) or 64 (SHA-256) hex digits; returned lower-case. */
export function validateCommit(commit: string, field = 'commit'): string {
  if (typeof commit !== 'string' || !/^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$/.test(commit)) {
    throw bad(field, 'must be a full commit id of 40 (or 64) hex digits');
  }
  return commit.toLowerCase();
}

/** A branch or tag name (core/rules.ts refNameProblem; `HEAD` too, as a fetch may ask for it). */
export function validateRef(ref: string, field = 'ref'): string {
  if (typeof ref !== 'string') throw bad(field, 'must be a string');
  const problem = refNameProblem(ref, 'ref');
  if (problem) throw bad(field, problem);
  return ref;
}

/** A file path inside a repository (core/rules.ts repoPathProblem). */
export function validateRepoPath(p: string, field = 'path'): string {
  if (typeof p !== 'string') throw bad(field, 'must be a string');
  const problem = repoPathProblem(p);
  if (problem) throw bad(field, problem);
  return p;
}

// ---------------------------------------------------------------------------------------------
// Running git

function secretsOf(c: GitCredentials | undefined): string[] {
  if (!c) return [];
  const basic = Buffer.from(`${c.username}:${c.password}`).toString('base64');
  return [basic, c.password, c.username].filter((s) => s.length > 0);
}

/**
 * Where credentials may go: `scheme://host[:port]/` of an http(s) repository URL, as a git
 * `http.<url>.*` key matches it (same scheme, host and port; any path). undefined for ssh and file.
 */
export function credentialScope(repoURL: string): string | undefined {
  if (!/^https?:\/\//i.test(repoURL)) return undefined;
  return `${new URL(repoURL).origin}/`;
}

/** The environment every git command of a fetch runs in: nothing inherited that could change what git does. */
export function gitEnvironment(home: string, opts: { allowInsecureURLs?: boolean; credentials?: GitCredentials; repoURL: string }): NodeJS.ProcessEnv {
  const config: [string, string][] = [
    ['protocol.allow', 'never'],
    ['protocol.https.allow', 'always'],
    ['protocol.ssh.allow', 'always'],
    ['fetch.unpackLimit', '1'],
    ['transfer.unpackLimit', '1'],
    ['gc.auto', '0'],
    ['maintenance.auto', 'false'],
    ['fetch.writeCommitGraph', 'false'],
    ['core.askPass', ''],
    ['credential.helper', ''],
    // A redirect could lead anywhere, and git would send the credentials after it.
    ['http.followRedirects', 'false'],
    // The remote by its name, for the fetch and for the on-demand fetch of the blob that cat-file starts.
    ['remote.origin.url', opts.repoURL],
  ];
  if (opts.allowInsecureURLs) config.push(['protocol.file.allow', 'always'], ['protocol.http.allow', 'always']);
  const scope = credentialScope(opts.repoURL);
  if (opts.credentials && scope) {
    const basic = Buffer.from(`${opts.credentials.username}:${opts.credentials.password}`).toString('base64');
    config.push([`http.${scope}.extraHeader`, `Authorization: Basic ${basic}`]);
  }
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    LANG: 'C',
    LC_ALL: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_CONFIG_NOSYSTEM: '1',
    GIT_CONFIG_GLOBAL: '/dev/null',
    GIT_ALLOW_PROTOCOL: opts.allowInsecureURLs ? 'https:ssh:file:http' : 'https:ssh',
    GIT_SSH_COMMAND: 'ssh -o BatchMode=yes -o StrictHostKeyChecking=yes',
    GIT_CONFIG_COUNT: String(config.length),
  };
  config.forEach(([k, v], i) => {
    env[`GIT_CONFIG_KEY_${i}`] = k;
    env[`GIT_CONFIG_VALUE_${i}`] = v;
  });
  for (const k of ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'NO_PROXY', 'no_proxy', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'GIT_SSL_CAINFO']) {
    if (process.env[k] !== undefined) env[k] = process.env[k];
  }
  return env;
}

function classifyFetchFailure(stderr: string, what: string, repoURL: string): GitFetchError {
  const s = stderr.toLowerCase();
  const says = gitSays(stderr);
  if (/could not read (username|password)|authentication failed|returned error: 40[13]|permission denied \(publickey|terminal prompts disabled|http basic: access denied/.test(s)) {
    return new GitFetchError('auth', `the git host refused access to ${repoURL}; check the credentials${says}`);
  }
  const redirect = /returned error: (30[0-8])/.exec(s);
  if (redirect) {
    return new GitFetchError('redirect', `the git host of ${repoURL} answered with a redirect (HTTP ${redirect[1]}); redirects are not followed, since they may lead to another host: use the repository's current URL${says}`);
  }
  if (/not our ref|couldn't find remote ref|no such remote ref|unadvertised object|not a valid object|no matching remote head/.test(s)) {
    return new GitFetchError('commit-not-found', `${what} was not found in ${repoURL}${says}`);
  }
  if (/repository .*not found|returned error: 404|does not appear to be a git repository|not found: did you run git update-server-info|no such file or directory/.test(s)) {
    return new GitFetchError('repo-not-found', `the repository ${repoURL} was not found${says}`);
  }
  if (/could not resolve host|connection refused|failed to connect|couldn't connect|connection timed out|network is unreachable|empty reply|recv failure|connection reset|could not read from remote/.test(s)) {
    return new GitFetchError('unreachable', `the git host of ${repoURL} could not be reached${says}`);
  }
  return new GitFetchError('git-failed', `git could not fetch ${what} from ${repoURL}${says}`);
}

function isoSecondsOfEpoch(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** The largest commit or folder object read on the way to the file (8 MiB: a folder of ~150,000 entries). */
const MAX_PATH_OBJECT_BYTES = 8 * 1024 * 1024;
const GIT_DIR = '--git-dir=repo.git';

interface CheckedFetch {
  commit?: string;
  ref?: string;
  filePath: string;
  maxBytes: number;
  /** `commit <id>` or `ref <name>`, for messages. */
  what: string;
}

/** Every option checked before anything touches the file system or git. */
function checkFetchOptions(opts: FetchFileOptions): CheckedFetch {
  validateRepoURL(opts.repoURL, { allowInsecureURLs: opts.allowInsecureURLs, allowedHosts: opts.allowedHosts });
  if ((opts.commit === undefined) === (opts.ref === undefined)) throw bad('commit', 'give exactly one of commit and ref');
  const commit = opts.commit !== undefined ? validateCommit(opts.commit) : undefined;
  const ref = opts.ref !== undefined ? validateRef(opts.ref) : undefined;
  const filePath = validateRepoPath(opts.path);
  if (!(opts.timeoutMs > 0)) throw bad('timeoutMs', 'must be a positive number of milliseconds');
  if (opts.credentials && (/[\r\n]/.test(opts.credentials.username) || /[\r\n]/.test(opts.credentials.password) || opts.credentials.username.includes(':'))) {
    throw new GitFetchError('invalid-input', 'the git credentials hold a line break or the user name holds ":"', 'credentials');
  }
  if (opts.signal?.aborted) throw new GitFetchError('aborted', 'the request was cancelled');
  return { commit, ref, filePath, maxBytes: opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES, what: commit ? `commit ${commit}` : `ref ${ref}` };
}

/** Fetches one file at one commit (or at the tip of a ref). Throws GitFetchError. */
export async function fetchFileAtCommit(opts: FetchFileOptions): Promise<FetchedFile> {
  const checked = checkFetchOptions(opts);
  const dir = fs.mkdtempSync(path.join(opts.tmpDir ?? os.tmpdir(), 'image-factory-fetch-'));
  try {
    const home = path.join(dir, 'home');
    fs.mkdirSync(home);
    const ctx: RunContext = {
      env: gitEnvironment(home, opts),
      cwd: dir,
      deadline: Date.now() + opts.timeoutMs,
      signal: opts.signal,
      secrets: secretsOf(opts.credentials),
    };
    // No templates: hooks and samples are never run nor read here.
    const init = await runGit(ctx, ['init', '--bare', '--quiet', '--template=', 'repo.git']);
    if (init.code !== 0) throw new GitFetchError('git-failed', `git init failed${gitSays(init.stderr)}`);
    const fetch = await runGit(ctx, [GIT_DIR, 'fetch', '--quiet', '--depth=1', '--filter=blob:none', '--no-tags', '--no-recurse-submodules', '--', 'origin', checked.commit ?? checked.ref!]);
    if (fetch.code !== 0) throw classifyFetchFailure(fetch.stderr, checked.what, opts.repoURL);
    return await readFetchedFile(ctx, path.join(dir, 'repo.git', 'objects', 'pack'), checked, opts.repoURL);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  }
}

/** What one read of the fetched file works with, and the commit once known (for messages). */
interface FileRead extends CheckedFetch {
  repoURL: string;
  packDir: string;
  at: string;
  tooLarge(): GitFetchError;
}

/**
 * The file at the fetched commit, read by one cat-file process: the commit, each folder on the path,
 * then the blob, which git fetches on demand while the pack bytes arriving are counted (its size is
 * not known before it is here: asking for it would fetch it whole). Packed bytes are compressed, so
 * the watch stops a large file near the limit, never a small one; the size git reports stops one
 * that compresses well before its content is read.
 */
async function readFetchedFile(ctx: RunContext, packDir: string, checked: CheckedFetch, repoURL: string): Promise<FetchedFile> {
  const read: FileRead = {
    ...checked,
    repoURL,
    packDir,
    at: checked.what,
    tooLarge: () => new GitFetchError('too-large', `${checked.filePath} at ${read.at} is larger than ${checked.maxBytes} bytes; a Dockerfile is refused above that`),
  };
  const watch: PackWatch = { dir: packDir, maxBytes: checked.maxBytes + PACK_OVERHEAD_BYTES, error: read.tooLarge };
  try {
    return await withObjectReader(ctx, GIT_DIR, watch, (reader) => readFileAtCommit(reader, read));
  } catch (e) {
    // An on-demand fetch that failed (refused, redirected, unreachable) ends cat-file: git's stderr tells why.
    if (e instanceof GitBatchEnded) throw classifyFetchFailure(e.exit.stderr, `${read.filePath} at ${read.at}`, repoURL);
    throw e;
  }
}

async function readFileAtCommit(reader: ObjectReader, read: FileRead): Promise<FetchedFile> {
  const { filePath, repoURL } = read;
  const commit = await reader.read(`${read.commit ?? 'FETCH_HEAD'}^{commit}`, MAX_PATH_OBJECT_BYTES, read.tooLarge);
  if (!commit) throw new GitFetchError('commit-not-found', `${read.what} of ${repoURL} is not a commit`);
  const sha = commit.oid;
  read.at = `commit ${sha}`;
  const parsed = commitTreeAndTime(commit.content);
  if (!parsed) throw new GitFetchError('git-failed', `commit ${sha} of ${repoURL} has no tree or committer line`);
  const entry = await entryAtPath(reader, parsed.tree, filePath, sha, repoURL);
  const kind = notAFileKind(entry.mode);
  if (kind) throw new GitFetchError('not-a-file', `${filePath} is ${kind} at commit ${sha}, not a file`);
  const blob = await reader.read(entry.oid, read.maxBytes, read.tooLarge);
  if (!blob || blob.type !== 'blob') throw classifyFetchFailure((await reader.close()).stderr, `${filePath} at ${sha}`, repoURL);
  return { commit: sha, committedAt: isoSecondsOfEpoch(parsed.committedEpoch), content: blob.content, bytesFetched: packBytes(read.packDir) };
}

/** The tree entry of `filePath`, walking from the commit's root folder; file-not-found when a segment is missing or not a folder. */
async function entryAtPath(reader: ObjectReader, rootTree: string, filePath: string, sha: string, repoURL: string): Promise<TreeEntry> {
  const segments = filePath.split('/');
  const notFound = () => new GitFetchError('file-not-found', `${filePath} does not exist at commit ${sha} of ${repoURL}`);
  const tooLarge = () => new GitFetchError('too-large', `a folder on the way to ${filePath} at commit ${sha} is larger than ${MAX_PATH_OBJECT_BYTES} bytes`);
  let tree = rootTree;
  for (let i = 0; ; i++) {
    const folder = await reader.read(tree, MAX_PATH_OBJECT_BYTES, tooLarge);
    // The fetch brought every folder of the commit: one missing is git's failure, not the caller's.
    if (!folder || folder.type !== 'tree') throw new GitFetchError('git-failed', `git could not read the folders of commit ${sha} of ${repoURL}`);
    const entry = treeEntry(folder.content, segments[i], sha.length / 2);
    if (!entry) throw notFound();
    if (i === segments.length - 1) return entry;
    if (entry.mode !== '40000') throw notFound();
    tree = entry.oid;
  }
}
