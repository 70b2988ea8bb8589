// The digest a tag points at now, asked of its registry the way Docker's client asks: a HEAD request
// for the manifest (Docker Hub does not count HEADs against its pull limit) with every manifest kind
// accepted, read from Docker-Content-Digest. A 401 is answered as its WWW-Authenticate challenge
// says: Bearer (Docker Hub, GHCR, most registries) gets a pull token from the realm, sending the
// user's credentials there when there are some, anonymously otherwise; Basic (an htpasswd
// registry) gets the credentials directly. Tokens are kept per registry and repository for the run.
// 429 and 503 are retried after Retry-After (or a short backoff), within a bound.
//
// The transport (the HTTP I/O, proxies) is the caller's; so are sleep and the clock. Credentials
// and tokens never reach a message: everything a server says is printed through textFromServer
// with them hidden.
import type { ImageRef } from './types';
import { basicAuthorization, secretsOf, type RegistryCredential } from './docker-credentials';
import { contentDigestOf, MANIFEST_ACCEPT, manifestURL, parseWwwAuthenticate, pullScope, registryMessageOf, tokenOfResponse, tokenRequestURL, type Challenge, type EndpointOptions } from './oci-distribution';
import { retryAfterSeconds } from './retry-after';
import { withRetries, type Retry } from './retry';
import { textFromServer } from './server-text';
import { createHash } from 'node:crypto';

export interface TransportRequest {
  method: 'HEAD' | 'GET';
  url: string;
  headers: Record<string, string>;
}

export interface TransportResponse {
  status: number;
  headers: { get(name: string): string | null };
  /** The body (bounded by the transport); empty for HEAD. */
  body: Buffer;
}

/** Sends one request; rejects only when no answer came (the Error's message says why). */
export type Transport = (request: TransportRequest) => Promise<TransportResponse>;

/** A digest that could not be learnt; the message names the reference, the registry and what it said. */
export class RegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegistryError';
  }
}

export interface RegistryClientOptions extends EndpointOptions {
  transport: Transport;
  /** The credential for a canonical registry name, if the user has one. */
  credentialFor: (registry: string) => RegistryCredential | undefined;
  /** A hint when a registry refuses and its credential sits where it is not read (a helper). */
  credentialHint?: (registry: string) => string | undefined;
  /** Tries in all for 429 and 5xx answers and lost connections; at least 1. */
  maxAttempts: number;
  /** The longest wait a registry may ask for (Retry-After) before the reference fails instead. */
  maxWaitSeconds: number;
  sleep: (ms: number) => Promise<void>;
  now: () => number;
  /** Progress lines (retries); never given a secret. */
  log?: (line: string) => void;
  userAgent: string;
}

export interface RegistryClient {
  /** `sha256:<hex>` of the manifest the reference's tag points at now; throws RegistryError. */
  currentDigest(ref: ImageRef): Promise<string>;
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

const HINTS: Readonly<Record<number, string>> = {
  401: 'log in with `docker login REGISTRY` (or set DOCKER_AUTH_CONFIG); the credentials are missing or wrong',
  403: 'the credentials may not pull this repository',
  404: 'check the repository and tag: the registry does not have them',
};

/** The largest manifest read when a registry answers a HEAD without Docker-Content-Digest. */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;

const retriable = (status: number): boolean => status === 429 || status === 502 || status === 503 || status === 504 || status === 500;

const statusLine = (status: number): string => `${status}${STATUS_TEXT[status] ? ` ${STATUS_TEXT[status]}` : ''}`;

/** One client's run: its options, the tokens it got and every secret it must hide. */
interface Session {
  opts: RegistryClientOptions;
  /** Authorization header values by `registry repository`, shared by concurrent lookups. */
  authorizations: Map<string, Promise<string | undefined>>;
  /** Every secret seen (passwords, their Basic form, tokens): hidden from all messages. */
  secrets: Set<string>;
}

const hide = (session: Session, text: string, max?: number): string => textFromServer(text, [...session.secrets], max);

function credentialNote(session: Session, registry: string): string {
  const hint = session.opts.credentialHint?.(registry);
  return hint ? ` (${hint})` : '';
}

/** One request with retries for 429/5xx and lost connections (core/retry.ts): any other answer, or a RegistryError. */
async function send(session: Session, request: TransportRequest, what: string): Promise<TransportResponse> {
  const { opts } = session;
  const attempt = async (): Promise<{ result: TransportResponse } | Retry> => {
    try {
      const response = await opts.transport(request);
      if (!retriable(response.status)) return { result: response };
      const said = request.method === 'GET' ? registryMessageOf(response.body.toString('utf8')) : '';
      return { problem: `${what} answered ${statusLine(response.status)}${said ? `: ${hide(session, said)}` : ''}`, waitSeconds: retryAfterSeconds(response.headers.get('retry-after'), opts.now()) };
    } catch (e) {
      return { problem: `no answer from ${what} (${hide(session, e instanceof Error ? e.message : String(e), 200)})` };
    }
  };
  const { result } = await withRetries(attempt, opts, { after: '', who: 'it', fail: (message) => new RegistryError(message) });
  return result;
}

/** A pull token from the realm a Bearer challenge names, with the user's credentials when there are some. */
async function bearerToken(session: Session, ref: ImageRef, bearer: Challenge, credential: RegistryCredential | undefined): Promise<string> {
  const registry = ref.registry;
  let url: string;
  try {
    url = tokenRequestURL(bearer, pullScope(ref.repository), session.opts);
  } catch (e) {
    throw new RegistryError(`${registry} asks for a token, but ${(e as Error).message}`);
  }
  const headers: Record<string, string> = { 'User-Agent': session.opts.userAgent, Accept: 'application/json' };
  if (credential) headers.Authorization = basicAuthorization(credential);
  const service = `the token service ${new URL(url).host} of ${registry}`;
  const response = await send(session, { method: 'GET', url, headers }, service);
  if (response.status !== 200) {
    const said = hide(session, registryMessageOf(response.body.toString('utf8')));
    const hint = response.status === 401 || response.status === 403 ? `; ${credential ? 'the credentials for it were refused' : `${registry} needs credentials: ${HINTS[401].replace('REGISTRY', registry)}`}` : '';
    throw new RegistryError(`${service} answered ${statusLine(response.status)}${said ? `: ${said}` : ''}${hint}${credentialNote(session, registry)}`);
  }
  let token: string;
  try {
    token = tokenOfResponse(response.body.toString('utf8'));
  } catch (e) {
    throw new RegistryError(`${service}: ${(e as Error).message}`);
  }
  session.secrets.add(token);
  return token;
}

/** The Authorization a 401's challenge asks for; a RegistryError when it cannot be met. */
async function authorize(session: Session, ref: ImageRef, challengeHeader: string | null): Promise<string> {
  const registry = ref.registry;
  const credential = session.opts.credentialFor(registry);
  if (credential) for (const s of secretsOf(credential)) session.secrets.add(s);
  const challenges = parseWwwAuthenticate(challengeHeader ?? '');
  const bearer = challenges.find((c) => c.scheme === 'bearer');
  if (bearer) return `Bearer ${await bearerToken(session, ref, bearer, credential)}`;
  if (challenges.some((c) => c.scheme === 'basic')) {
    if (!credential) throw new RegistryError(`${registry} asks for a user name and password (Basic); ${HINTS[401].replace('REGISTRY', registry)}${credentialNote(session, registry)}`);
    return basicAuthorization(credential);
  }
  throw new RegistryError(`${registry} answered 401 Unauthorized without a challenge image-factory can answer (WWW-Authenticate: ${hide(session, challengeHeader ?? 'none', 200)})`);
}

/** The registry's words for a refusal: a HEAD has no body, so the same request is made as a GET. */
async function refusal(session: Session, url: string, headers: Record<string, string>, what: string, headStatus: number): Promise<string> {
  let status = headStatus;
  let said = '';
  try {
    const response = await session.opts.transport({ method: 'GET', url, headers });
    status = response.status;
    said = hide(session, registryMessageOf(response.body.toString('utf8')));
  } catch {
    // the HEAD's status is all there is
  }
  return `${what} answered ${statusLine(status)}${said ? `: ${said}` : ''}`;
}

/** The digest of a manifest a HEAD answered without Docker-Content-Digest (allowed by the spec): that of its bytes. */
async function digestOfManifestBody(session: Session, ref: ImageRef, url: string, headers: Record<string, string>): Promise<string> {
  const get = await send(session, { method: 'GET', url, headers }, ref.registry);
  if (get.status === 200) {
    const fromHeader = contentDigestOf(get.headers.get('docker-content-digest'));
    if (fromHeader) return fromHeader;
    if (get.body.length > 0 && get.body.length < MAX_MANIFEST_BYTES) return `sha256:${createHash('sha256').update(get.body).digest('hex')}`;
  }
  throw new RegistryError(`${ref.registry} sent no Docker-Content-Digest for the manifest, and its body gave none`);
}

async function currentDigest(session: Session, ref: ImageRef): Promise<string> {
  const { opts } = session;
  if (ref.tag === undefined) throw new RegistryError(`${ref.ref} has no tag to look up`);
  const url = manifestURL(ref, opts);
  const key = `${ref.registry} ${ref.repository}`;
  const headers: Record<string, string> = { Accept: MANIFEST_ACCEPT, 'User-Agent': opts.userAgent };
  const known = session.authorizations.get(key);
  const reuse = known ? await known.catch(() => undefined) : undefined;
  if (reuse) headers.Authorization = reuse;
  let response = await send(session, { method: 'HEAD', url, headers }, ref.registry);
  if (response.status === 401) {
    // Concurrent lookups of one repository share one token request.
    const pending = authorize(session, ref, response.headers.get('www-authenticate'));
    session.authorizations.set(key, pending);
    headers.Authorization = await pending;
    response = await send(session, { method: 'HEAD', url, headers }, ref.registry);
  }
  if (response.status === 200) return contentDigestOf(response.headers.get('docker-content-digest')) || (await digestOfManifestBody(session, ref, url, headers));
  const message = await refusal(session, url, headers, ref.registry, response.status);
  const hint = HINTS[response.status];
  const loggedIn = response.status === 401 && opts.credentialFor(ref.registry) !== undefined;
  throw new RegistryError(`${message}${hint ? `; ${loggedIn ? 'the credentials were refused' : hint.replace('REGISTRY', ref.registry)}` : ''}${response.status === 401 ? credentialNote(session, ref.registry) : ''}`);
}

export function createRegistryClient(opts: RegistryClientOptions): RegistryClient {
  if (!Number.isInteger(opts.maxAttempts) || opts.maxAttempts < 1) throw new Error('maxAttempts must be a whole number of at least 1');
  const session: Session = { opts, authorizations: new Map(), secrets: new Set() };
  return { currentDigest: (ref) => currentDigest(session, ref) };
}
