// The parts of the OCI distribution API (and Docker's token authentication on top of it) that
// `status` needs to learn which digest a tag points at, as pure functions: where a registry is, the
// manifest URL of a reference, the Accept header, WWW-Authenticate challenges, the token request and
// its answer, and the registry's error body (Retry-After: retry-after.ts). No I/O: registry-client.ts drives them.
import type { ImageRef } from './types';
import { DOCKER_HUB } from './image-ref';

/** Every manifest kind a tag may point at: multi-platform indexes first, as Docker asks. */
export const MANIFEST_MEDIA_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
] as const;

export const MANIFEST_ACCEPT = MANIFEST_MEDIA_TYPES.join(', ');

/** Docker Hub's API is not served at docker.io but here (Docker's own client does the same). */
export const DOCKER_HUB_API = 'registry-1.docker.io';

const LOOPBACK = /^(?:127(?:\.\d{1,3}){3}|localhost|\[::1\])$/i;

/** 127.0.0.0/8, localhost and [::1]: the only hosts plain http is ever used for. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK.test(hostname);
}

/** Options that decide how a registry is reached. */
export interface EndpointOptions {
  /** Use http (not https) for registries on this machine; never for any other host. */
  allowInsecureLoopback: boolean;
}

/** The registry's base URL (origin, no trailing slash) for a canonical registry name (image-ref.ts). */
export function registryOrigin(registry: string, opts: EndpointOptions): string {
  const host = registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
  const hostname = host.replace(/:\d+$/, '');
  return `${opts.allowInsecureLoopback && isLoopbackHost(hostname) ? 'http' : 'https'}://${host}`;
}

/**
 * The manifest URL of a reference: the tag when it has one, else the digest. Repository path
 * components are already restricted by image-ref.ts to [a-z0-9._-]; tags and digests to URL-safe
 * characters, so nothing needs encoding.
 */
export function manifestURL(ref: Pick<ImageRef, 'registry' | 'repository' | 'tag' | 'digest'>, opts: EndpointOptions): string {
  const reference = ref.tag ?? ref.digest;
  if (reference === undefined) throw new Error(`${ref.registry}/${ref.repository} has neither tag nor digest`);
  return `${registryOrigin(ref.registry, opts)}/v2/${ref.repository}/manifests/${reference}`;
}

/** The token scope that allows reading a repository's manifests. */
export const pullScope = (repository: string): string => `repository:${repository}:pull`;

/** One challenge of a WWW-Authenticate header: `Bearer realm="…",service="…"`. */
export interface Challenge {
  /** Lower case: `bearer`, `basic`, … */
  scheme: string;
  /** Parameter names in lower case, values unquoted. */
  params: Record<string, string>;
}

const TOKEN_CHARS = /[!#$%&'*+.^_`|~0-9A-Za-z-]/;

/**
 * The challenges of a WWW-Authenticate header (RFC 9110 §11.6.1): a scheme, then comma-separated
 * `name=value` or `name="quoted value"` parameters; a token not followed by `=` starts the next
 * challenge. Malformed parts are skipped rather than guessed at.
 */
export function parseWwwAuthenticate(header: string): Challenge[] {
  const challenges: Challenge[] = [];
  let i = 0;
  const n = header.length;
  const skipSpace = () => {
    while (i < n && (header[i] === ' ' || header[i] === '\t')) i++;
  };
  const token = (): string => {
    const start = i;
    while (i < n && TOKEN_CHARS.test(header[i])) i++;
    return header.slice(start, i);
  };
  let current: Challenge | undefined;
  while (i < n) {
    skipSpace();
    if (header[i] === ',') {
      i++;
      continue;
    }
    const start = i;
    const word = token();
    if (word === '') {
      i++; // a character no grammar allows here: skip it
      continue;
    }
    skipSpace();
    if (header[i] === '=' && current !== undefined) {
      i++;
      skipSpace();
      let value = '';
      if (header[i] === '"') {
        i++;
        while (i < n && header[i] !== '"') {
          if (header[i] === '\\' && i + 1 < n) i++;
          value += header[i++];
        }
        i++; // closing quote
      } else {
        value = token();
      }
      current.params[word.toLowerCase()] = value;
      continue;
    }
    // token68 after a scheme (`Basic abc==`) is not used by registries; a bare word starts a challenge.
    if (header[i] === '=') {
      i = start + word.length + 1;
      continue;
    }
    current = { scheme: word.toLowerCase(), params: {} };
    challenges.push(current);
  }
  return challenges;
}

/**
 * The token request for a Bearer challenge: GET <realm>?service=…&scope=…. The realm must be https,
 * or http on this machine when allowed: credentials go to it.
 */
export function tokenRequestURL(challenge: Challenge, scope: string, opts: EndpointOptions): string {
  const realm = challenge.params.realm;
  if (!realm) throw new Error('its Bearer challenge names no realm (token service)');
  let url: URL;
  try {
    url = new URL(realm);
  } catch {
    throw new Error(`its token realm ${JSON.stringify(realm.slice(0, 200))} is not a URL`);
  }
  const plainAllowed = opts.allowInsecureLoopback && isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && plainAllowed)) {
    throw new Error(`its token realm ${url.origin} is not https; credentials are sent only over https (or http to this machine with --allow-insecure-urls)`);
  }
  if (url.username || url.password) throw new Error('its token realm URL holds a user name or password');
  if (challenge.params.service) url.searchParams.append('service', challenge.params.service);
  url.searchParams.append('scope', scope);
  return url.toString();
}

/** The token of a token service's JSON answer (`token`, or OAuth's `access_token`). */
export function tokenOfResponse(body: string): string {
  let doc: unknown;
  try {
    doc = JSON.parse(body);
  } catch {
    throw new Error('the token service did not answer JSON');
  }
  const record = typeof doc === 'object' && doc !== null ? (doc as Record<string, unknown>) : {};
  const token = typeof record.token === 'string' && record.token ? record.token : record.access_token;
  if (typeof token !== 'string' || !/^[\x21-\x7e]{1,16384}$/.test(token)) throw new Error('the token service answered without a usable token');
  return token;
}

const DIGEST = /^sha256:[0-9a-f]{64}$/;

/** The Docker-Content-Digest header's value when it is a sha256 digest; undefined otherwise. */
export function contentDigestOf(value: string | null | undefined): string | undefined {
  const text = value?.trim();
  return text !== undefined && DIGEST.test(text) ? text : undefined;
}

/**
 * What a registry said in an error body (`{"errors":[{"code","message","detail"}]}`, the
 * distribution spec's form), or the start of whatever else it sent. Unprintable text is the
 * caller's to clean.
 */
export function registryMessageOf(body: string): string {
  try {
    const doc = JSON.parse(body) as unknown;
    const errors = typeof doc === 'object' && doc !== null ? (doc as { errors?: unknown }).errors : undefined;
    if (Array.isArray(errors)) {
      const parts = errors.slice(0, 5).flatMap((e: unknown) => {
        if (typeof e !== 'object' || e === null) return [];
        const { code, message } = e as { code?: unknown; message?: unknown };
        const text = [typeof code === 'string' ? code : '', typeof message === 'string' ? message : ''].filter(Boolean).join(': ');
        return text ? [text] : [];
      });
      if (parts.length > 0) return parts.join('; ');
    }
    const single = typeof doc === 'object' && doc !== null ? (doc as { message?: unknown; details?: unknown }) : {};
    if (typeof single.message === 'string') return single.message;
    if (typeof single.details === 'string') return single.details;
  } catch {
    // not JSON
  }
  return body.replace(/\s+/g, ' ').trim();
}
