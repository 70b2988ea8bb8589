// The service's configuration: settings from the environment (or `serve` flags), the mounted
// allowlist (one JSON file, or a folder of them: the chart mounts one per ConfigMap part), the bearer
// token file and the optional git credentials Secret. Anything wrong fails at start, naming the
// setting and the fix; secret values never appear in a message.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UserError } from '../../generator/src/core/errors';
import { GitFetchError, validateRepoURL, type GitCredentials } from '../../generator/src/core/git';
import type { CredentialSet } from '../../generator/src/core/providers/credentials';
import { fetchTimeoutMs } from '../../generator/src/core/fetch-timeout';

export interface ServiceSettings {
  configPath: string;
  tokenFile: string;
  credentialsDir?: string;
  /** The mounted webhook secret (chart webhook.secret), read per signature request; optional. */
  webhookSecretFile?: string;
  port: number;
  host: string;
  fetchTimeoutMs: number;
  maxConcurrent: number;
  allowFileURLs: boolean;
  /** Temp dirs for fetches; the container points TMPDIR at an emptyDir. */
  tmpDir?: string;
}

export interface LoadedService {
  settings: ServiceSettings;
  /** The only repository URLs a request may name: the external images' sources. */
  allowedRepositories: ReadonlySet<string>;
  allowedHosts: string[];
  token: string;
  credentials?: CredentialSet;
}

const ENV = {
  config: 'IMAGE_FACTORY_CONFIG',
  token: 'IMAGE_FACTORY_TOKEN_FILE',
  credentials: 'IMAGE_FACTORY_GIT_CREDENTIALS_DIR',
  webhookSecret: 'IMAGE_FACTORY_WEBHOOK_SECRET_FILE',
  port: 'PORT',
  concurrent: 'IMAGE_FACTORY_MAX_CONCURRENT',
  fileURLs: 'IMAGE_FACTORY_ALLOW_FILE_URLS',
} as const;

const problem = (file: string, message: string) => new UserError({ subject: file, message });

function parseInteger(text: string, name: string, min: number, max: number): number {
  if (!/^\d+$/.test(text.trim())) throw problem(name, `"${text}" is not a whole number`);
  const n = Number(text);
  if (n < min || n > max) throw problem(name, `${n} is out of range; use ${min} to ${max}`);
  return n;
}

function parseFlag(text: string, name: string): boolean {
  if (/^(1|true|yes)$/i.test(text)) return true;
  if (/^(0|false|no|)$/i.test(text)) return false;
  throw problem(name, `"${text}" is not a boolean; use true or false`);
}

export interface SettingOverrides {
  config?: string;
  tokenFile?: string;
  credentialsDir?: string;
  port?: string;
  host?: string;
  fetchTimeout?: string;
  maxConcurrent?: string;
  allowFileURLs?: boolean;
}

/** Settings from flags first, then the environment, then defaults. */
export function settingsOf(env: NodeJS.ProcessEnv, o: SettingOverrides = {}): ServiceSettings {
  const configPath = o.config ?? env[ENV.config];
  if (!configPath) throw problem(ENV.config, 'is not set; point it at the mounted allowlist folder or file (or pass --config)');
  const tokenFile = o.tokenFile ?? env[ENV.token];
  if (!tokenFile) throw problem(ENV.token, 'is not set; point it at the mounted bearer token file (or pass --token-file)');
  const credentialsDir = o.credentialsDir ?? (env[ENV.credentials] || undefined);
  return {
    configPath,
    tokenFile,
    credentialsDir,
    webhookSecretFile: env[ENV.webhookSecret] || undefined,
    port: parseInteger(o.port ?? env[ENV.port] ?? '8080', o.port !== undefined ? '--port' : ENV.port, 0, 65535),
    host: o.host ?? '0.0.0.0',
    fetchTimeoutMs: fetchTimeoutMs(o.fetchTimeout, env),
    maxConcurrent: parseInteger(o.maxConcurrent ?? env[ENV.concurrent] ?? '4', o.maxConcurrent !== undefined ? '--max-concurrent' : ENV.concurrent, 1, 256),
    allowFileURLs: o.allowFileURLs ?? parseFlag(env[ENV.fileURLs] ?? '', ENV.fileURLs),
    tmpDir: env.TMPDIR || undefined,
  };
}

function readText(file: string, what: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw problem(file, code === 'ENOENT' ? `${what} not found; is it mounted?` : `${what} cannot be read (${code})`);
  }
}

/** A secret file's value: one trailing line break removed (as `kubectl create secret --from-file` keeps it). */
const secretValue = (text: string) => text.replace(/\r?\n$/, '');

export function readToken(file: string): string {
  const token = secretValue(readText(file, 'the bearer token file'));
  if (token.length === 0) throw problem(file, 'the bearer token file is empty');
  if (/\s/.test(token)) throw problem(file, 'the bearer token holds whitespace; store the token alone');
  if (token.length < 16) throw problem(file, `the bearer token is too short (${token.length} characters); use at least 16 random characters`);
  return token;
}

function readPair(dir: string, prefix: string): GitCredentials {
  const username = secretValue(readText(path.join(dir, `${prefix}username`), `the git user name file (${prefix}username)`));
  const password = secretValue(readText(path.join(dir, `${prefix}password`), `the git password file (${prefix}password)`));
  if (!username || !password) throw problem(dir, `the git credentials need a non-empty ${prefix}username and ${prefix}password file`);
  if (/[\r\n]/.test(username + password) || username.includes(':')) throw problem(dir, `the git user name or password (${prefix}username, ${prefix}password) holds a line break, or the user name a ":"`);
  return { username, password };
}

/**
 * The mounted git credentials Secret: `username`/`password` for any host, and `<host>.username`/
 * `<host>.password` for one host (a port as `_8443`), which win for it. At least one pair.
 */
export function readCredentials(dir: string): CredentialSet {
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    // reported below as the missing default pair
  }
  const byHost = new Map<string, GitCredentials>();
  for (const name of names.filter((n) => n.endsWith('.password')).sort()) {
    const key = name.slice(0, -'.password'.length);
    byHost.set(key.replace(/_(\d{1,5})$/, ':$1'), readPair(dir, `${key}.`));
  }
  if (byHost.size > 0 && !names.includes('username') && !names.includes('password')) return { byHost };
  return { fallback: readPair(dir, ''), byHost };
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses one allowlist file, `{ "allowedRepositories": [git URLs] }`: each URL with its host ('' for file://). */
export function parseAllowlist(text: string, file: string, allowInsecureURLs: boolean): { url: string; host: string }[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw problem(file, `is not valid JSON (${(e as Error).message})`);
  }
  if (!isObj(doc)) throw problem(file, 'must be a JSON object with allowedRepositories');
  for (const k of Object.keys(doc)) if (k !== 'allowedRepositories') throw problem(file, `${k}: is not a known field (allowedRepositories)`);
  if (!Array.isArray(doc.allowedRepositories)) throw problem(file, 'allowedRepositories: must be a list of git URLs');
  return doc.allowedRepositories.map((u, n) => {
    if (typeof u !== 'string') throw problem(file, `allowedRepositories[${n}]: must be a string`);
    try {
      return { url: u, host: validateRepoURL(u, { allowInsecureURLs, field: `allowedRepositories[${n}]` }).host };
    } catch (e) {
      if (e instanceof GitFetchError) throw problem(file, e.message);
      throw e;
    }
  });
}

/** The allowlist files a config path names: itself, or every `*.json` in it when it is a folder (sorted). */
function allowlistFiles(configPath: string): string[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(configPath);
  } catch {
    throw problem(configPath, 'the allowlist (the analysis service ConfigMap) not found; is it mounted?');
  }
  if (!stat.isDirectory()) return [configPath];
  const files = fs
    .readdirSync(configPath)
    .filter((name) => name.endsWith('.json') && !name.startsWith('.'))
    .sort()
    .map((name) => path.join(configPath, name));
  if (files.length === 0) throw problem(configPath, 'holds no allowlist file (*.json); mount the analysis service ConfigMap here');
  return files;
}

/** Every allowed repository from the config path, and the hosts they are on. */
export function readAllowlist(configPath: string, allowInsecureURLs: boolean): { allowedRepositories: Set<string>; allowedHosts: string[] } {
  const allowed = new Set<string>();
  const hosts = new Set<string>();
  for (const file of allowlistFiles(configPath)) {
    for (const { url, host } of parseAllowlist(readText(file, 'the allowlist'), file, allowInsecureURLs)) {
      allowed.add(url);
      if (host) hosts.add(host);
    }
  }
  return { allowedRepositories: allowed, allowedHosts: [...hosts].sort() };
}

/** Reads every file the settings name; throws UserError on the first problem. */
export function loadService(settings: ServiceSettings): LoadedService {
  const { allowedRepositories, allowedHosts } = readAllowlist(settings.configPath, settings.allowFileURLs);
  const token = readToken(settings.tokenFile);
  const credentials = settings.credentialsDir ? readCredentials(settings.credentialsDir) : undefined;
  if (settings.tmpDir) {
    try {
      fs.accessSync(settings.tmpDir, fs.constants.W_OK);
    } catch {
      throw problem('TMPDIR', `${settings.tmpDir} is not a writable folder; mount an emptyDir there`);
    }
  }
  return { settings, allowedRepositories, allowedHosts, token, credentials };
}
