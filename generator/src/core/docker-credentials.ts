// Registry credentials as `docker login` stores them: config.json's `auths`, keyed by registry
// (`ghcr.io`, `https://index.docker.io/v1/`, `localhost:5000`), each with `auth` = base64 of
// `user:password` (or `username` and `password`). Pure: the caller reads the file or the
// DOCKER_AUTH_CONFIG variable. Credential helpers (credsStore, credHelpers) run other programs and
// are not used; a registry left to one is reported, so a 401 is not a mystery.
import { DOCKER_HUB } from './image-ref';

export interface RegistryCredential {
  username: string;
  password: string;
}

export interface DockerCredentials {
  /** By canonical registry name (image-ref.ts: docker.io, ghcr.io, 127.0.0.1:5000). */
  byRegistry: Map<string, RegistryCredential>;
  /** Registries whose credentials sit in a credential helper, which is not read. */
  inHelper: Set<string>;
  /** Where the credentials came from, for messages (never their values). */
  source: string;
}

/** Docker Hub's names in config.json, all folded to docker.io as image-ref.ts does. */
const DOCKER_HUB_ALIASES = new Set(['index.docker.io', 'registry-1.docker.io', 'registry.hub.docker.com', 'docker.io']);

/** An auths key as a canonical registry name: scheme and path dropped, lower case, Docker Hub folded. */
export function registryOfAuthKey(key: string): string {
  const host = key.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '').replace(/\/.*$/, '').toLowerCase();
  return DOCKER_HUB_ALIASES.has(host) ? DOCKER_HUB : host;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Base64 as Docker writes it (standard alphabet, padded or not); undefined when it is not. */
function decodeBase64(text: string): string | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return undefined;
  return Buffer.from(text, 'base64').toString('utf8');
}

/**
 * The credentials in a parsed config.json. Throws an Error naming the key (never a value) when an
 * entry is not in Docker's form.
 */
export function credentialsOfDockerConfig(doc: unknown, source: string): DockerCredentials {
  const byRegistry = new Map<string, RegistryCredential>();
  const inHelper = new Set<string>();
  if (!isObject(doc)) throw new Error(`${source} is not a JSON object`);
  const auths = doc.auths ?? {};
  if (!isObject(auths)) throw new Error(`${source}: "auths" is not an object`);
  for (const key of Object.keys(auths).sort()) {
    const entry = auths[key];
    if (!isObject(entry)) throw new Error(`${source}: auths[${JSON.stringify(key)}] is not an object`);
    const registry = registryOfAuthKey(key);
    let username: string | undefined;
    let password: string | undefined;
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const decoded = decodeBase64(entry.auth);
      const colon = decoded === undefined ? -1 : decoded.indexOf(':');
      if (decoded === undefined || colon < 0) {
        throw new Error(`${source}: auths[${JSON.stringify(key)}].auth is not base64 of "user:password"; run docker login ${registry} again`);
      }
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    } else if (typeof entry.username === 'string' && typeof entry.password === 'string') {
      username = entry.username;
      password = entry.password;
    }
    // An entry with neither (Docker writes `{}` when a helper holds the secret) gives no credential.
    if (username !== undefined && password !== undefined && !byRegistry.has(registry)) byRegistry.set(registry, { username, password });
  }
  const helpers = doc.credHelpers;
  if (isObject(helpers)) for (const key of Object.keys(helpers)) inHelper.add(registryOfAuthKey(key));
  if (typeof doc.credsStore === 'string' && doc.credsStore !== '') {
    for (const key of Object.keys(auths)) if (!byRegistry.has(registryOfAuthKey(key))) inHelper.add(registryOfAuthKey(key));
  }
  for (const registry of byRegistry.keys()) inHelper.delete(registry);
  return { byRegistry, inHelper, source };
}

/** `Basic <base64(user:password)>`. */
export function basicAuthorization(credential: RegistryCredential): string {
  return `Basic ${Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64')}`;
}

/** Every form a credential could appear in text: what must be hidden from any message. */
export function secretsOf(credential: RegistryCredential): string[] {
  const basic = Buffer.from(`${credential.username}:${credential.password}`, 'utf8').toString('base64');
  return [credential.password, basic].filter((s) => s.length > 0);
}
