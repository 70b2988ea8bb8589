// A real container registry for tests: Debian's docker-registry (the CNCF Distribution registry)
// started on 127.0.0.1 with a temp storage folder, with no auth, htpasswd auth, or token auth whose
// realm (a token service signing JWTs with a key made here) this file serves. Images are pushed
// through the registry API (blob uploads, manifest PUT), as `docker push` does. Beside it: a front
// that can answer 429 with Retry-After before passing requests on, and a CONNECT proxy; both record
// what they saw.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, createSign, randomBytes, X509Certificate } from 'node:crypto';
import * as fs from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';

export type RegistryAuth =
  | { kind: 'none' }
  | { kind: 'htpasswd'; username: string; password: string; htpasswdBinary: string }
  | { kind: 'token'; username: string; password: string; opensslBinary: string };

export interface TokenRequest {
  scope: string;
  service: string;
  /** Whether Basic credentials came, and whether they were right. */
  credentials: 'none' | 'right' | 'wrong';
}

export interface TestRegistry {
  /** `127.0.0.1:<port>`: the registry part of image references. */
  host: string;
  origin: string;
  /** The token service's requests (token auth only). */
  tokenRequests: TokenRequest[];
  /** Its storage folder (for a second registry over the same images). */
  storage: string;
  /** Pushes an image (one random layer) as repository:tag; resolves to the manifest digest (plain http registries only). */
  push(repository: string, tag: string): Promise<string>;
  /** Pushes an OCI index over a fresh image manifest as repository:tag; resolves to the index digest. */
  pushIndex(repository: string, tag: string): Promise<string>;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const sha256 = (data: Buffer | string): string => `sha256:${createHash('sha256').update(data).digest('hex')}`;
const b64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) throw new Error(`docker-registry exited with ${child.exitCode}: ${log()}`);
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`docker-registry did not listen on ${port}: ${log()}`);
}

interface Signer {
  certPem: string;
  sign(claims: Record<string, unknown>): string;
}

/** A self-signed RSA certificate (openssl) and a JWT signer with its key, as the registry's token config verifies. */
function makeSigner(dir: string, openssl: string): Signer {
  const keyFile = path.join(dir, 'token.key');
  const certFile = path.join(dir, 'token.crt');
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=image-factory-test-token'], { stdio: 'ignore' });
  const keyPem = fs.readFileSync(keyFile, 'utf8');
  const certPem = fs.readFileSync(certFile, 'utf8');
  const der = new X509Certificate(certPem).raw.toString('base64');
  return {
    certPem,
    sign(claims) {
      const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'RS256', x5c: [der] }));
      const payload = b64url(JSON.stringify(claims));
      const signature = createSign('RSA-SHA256').update(`${header}.${payload}`).sign(keyPem);
      return `${header}.${payload}.${b64url(signature)}`;
    },
  };
}

const ISSUER = 'image-factory-test-issuer';
const SERVICE = 'image-factory-test-registry';

/** Starts the token service of a token-auth registry; resolves to its origin and a close function. */
async function startTokenService(signer: Signer, username: string, password: string, requests: TokenRequest[]): Promise<{ origin: string; server: http.Server }> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const scope = url.searchParams.get('scope') ?? '';
    const auth = req.headers.authorization;
    let credentials: TokenRequest['credentials'] = 'none';
    if (auth?.startsWith('Basic ')) credentials = Buffer.from(auth.slice(6), 'base64').toString('utf8') === `${username}:${password}` ? 'right' : 'wrong';
    requests.push({ scope, service: url.searchParams.get('service') ?? '', credentials });
    if (credentials !== 'right') {
      res.writeHead(401, { 'Content-Type': 'application/json', 'WWW-Authenticate': 'Basic realm="token"' });
      res.end(JSON.stringify({ details: 'incorrect username or password' }));
      return;
    }
    const [type, name, actions] = scope.split(':');
    const now = Math.floor(Date.now() / 1000);
    const token = signer.sign({ iss: ISSUER, sub: username, aud: SERVICE, exp: now + 600, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access: [{ type, name, actions: (actions ?? '').split(',') }] });
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ token, expires_in: 600 }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`, server };
}

export interface RegistryOptions {
  /** Serve https with this certificate and key (PEM files). */
  tls?: { certFile: string; keyFile: string };
  /** Another registry's storage folder: a second front end over the same images (default: its own). */
  storage?: string;
}

/** A self-signed certificate for 127.0.0.1 (openssl), for a registry served over https. */
export function makeServerCertificate(dir: string, openssl: string): { certFile: string; keyFile: string } {
  const keyFile = path.join(dir, 'server.key');
  const certFile = path.join(dir, 'server.crt');
  execFileSync(openssl, ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { certFile, keyFile };
}

export async function startRegistry(binary: string, dir: string, auth: RegistryAuth, options: RegistryOptions = {}): Promise<TestRegistry> {
  const port = await freePort();
  const tokenRequests: TokenRequest[] = [];
  let authYaml = '';
  let tokenServer: http.Server | undefined;
  let pushAuthorization: (repository: string) => string | undefined = () => undefined;
  if (auth.kind === 'htpasswd') {
    const file = path.join(dir, 'htpasswd');
    fs.writeFileSync(file, execFileSync(auth.htpasswdBinary, ['-Bbn', auth.username, auth.password], { encoding: 'utf8' }));
    authYaml = `auth:\n  htpasswd:\n    realm: image-factory-test\n    path: ${file}\n`;
    const basic = `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}`;
    pushAuthorization = () => basic;
  } else if (auth.kind === 'token') {
    const signer = makeSigner(dir, auth.opensslBinary);
    const bundle = path.join(dir, 'root.pem');
    fs.writeFileSync(bundle, signer.certPem);
    const started = await startTokenService(signer, auth.username, auth.password, tokenRequests);
    tokenServer = started.server;
    authYaml = `auth:\n  token:\n    realm: ${started.origin}/token\n    service: ${SERVICE}\n    issuer: ${ISSUER}\n    rootcertbundle: ${bundle}\n`;
    pushAuthorization = (repository) => {
      const now = Math.floor(Date.now() / 1000);
      return `Bearer ${signer.sign({ iss: ISSUER, sub: auth.username, aud: SERVICE, exp: now + 600, nbf: now - 10, iat: now, jti: randomBytes(8).toString('hex'), access: [{ type: 'repository', name: repository, actions: ['pull', 'push'] }] })}`;
    };
  }
  const tlsYaml = options.tls ? `  tls:\n    certificate: ${options.tls.certFile}\n    key: ${options.tls.keyFile}\n` : '';
  const config = path.join(dir, 'config.yml');
  fs.writeFileSync(
    config,
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${options.storage ?? path.join(dir, 'data')}\nhttp:\n  addr: 127.0.0.1:${port}\n${tlsYaml}${authYaml}`,
  );
  const child = spawn(binary, ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'], env: { PATH: process.env.PATH } });
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    if (stderr.length < 20000) stderr += String(chunk);
  });
  await waitForPort(port, child, () => stderr);
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;

  async function put(repository: string, method: string, url: string, body: Buffer, contentType: string): Promise<Response> {
    const headers: Record<string, string> = { 'Content-Type': contentType };
    const authorization = pushAuthorization(repository);
    if (authorization) headers.Authorization = authorization;
    const response = await fetch(url, { method, headers, body: method === 'POST' ? undefined : body });
    if (response.status >= 300) throw new Error(`${method} ${url}: ${response.status} ${await response.text()}`);
    return response;
  }

  async function uploadBlob(repository: string, data: Buffer): Promise<{ digest: string; size: number }> {
    const digest = sha256(data);
    const start = await put(repository, 'POST', `${origin}/v2/${repository}/blobs/uploads/`, Buffer.alloc(0), 'application/octet-stream');
    const location = new URL(start.headers.get('location') ?? '', origin);
    location.searchParams.set('digest', digest);
    await put(repository, 'PUT', location.toString(), data, 'application/octet-stream');
    return { digest, size: data.length };
  }

  async function putManifest(repository: string, reference: string, manifest: object, mediaType: string): Promise<string> {
    const body = Buffer.from(JSON.stringify(manifest));
    const response = await put(repository, 'PUT', `${origin}/v2/${repository}/manifests/${reference}`, body, mediaType);
    const digest = response.headers.get('docker-content-digest');
    if (digest !== sha256(body)) throw new Error(`the registry answered digest ${digest} for a manifest whose digest is ${sha256(body)}`);
    return digest;
  }

  async function pushImage(repository: string, reference: string): Promise<{ digest: string; size: number }> {
    const config = await uploadBlob(repository, Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] } })));
    const layer = await uploadBlob(repository, randomBytes(64));
    const manifest = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...layer }],
    };
    const body = Buffer.from(JSON.stringify(manifest));
    return { digest: await putManifest(repository, reference, manifest, manifest.mediaType), size: body.length };
  }

  return {
    host: `127.0.0.1:${port}`,
    origin,
    storage: options.storage ?? path.join(dir, 'data'),
    tokenRequests,
    push: async (repository, tag) => (await pushImage(repository, tag)).digest,
    async pushIndex(repository, tag) {
      const image = await pushImage(repository, `platform-${randomBytes(4).toString('hex')}`);
      const index = {
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.index.v1+json',
        manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...image, platform: { architecture: 'amd64', os: 'linux' } }],
      };
      return putManifest(repository, tag, index, index.mediaType);
    },
    async close() {
      child.kill('SIGTERM');
      if (child.exitCode === null) await new Promise((resolve) => child.once('exit', resolve));
      if (tokenServer) await new Promise((resolve) => tokenServer!.close(resolve));
    },
  };
}

export interface FrontRequest {
  method: string;
  path: string;
  answered: number;
}

/**
 * An HTTP front on 127.0.0.1 passing requests on to `target`, except that after throttle(n, after)
 * the next n manifest requests get 429 Too Many Requests with `Retry-After: <after>`, as Docker Hub sends.
 */
export async function startThrottlingFront(
  target: string,
  /** Added before each answer, like a registry across a network (bench:status). */
  latencyMs = 0,
): Promise<{ host: string; requests: FrontRequest[]; throttle(count: number, retryAfter: string): void; close(): Promise<void> }> {
  const requests: FrontRequest[] = [];
  let left = 0;
  let retryAfter = '1';
  const server = http.createServer((req, res) => (latencyMs > 0 ? setTimeout(() => answer(req, res), latencyMs) : answer(req, res)));
  const answer = (req: http.IncomingMessage, res: http.ServerResponse) => {
    const record: FrontRequest = { method: req.method ?? '', path: req.url ?? '', answered: 0 };
    requests.push(record);
    if (left > 0 && /\/manifests\//.test(record.path)) {
      left--;
      record.answered = 429;
      res.writeHead(429, { 'Retry-After': retryAfter, 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ errors: [{ code: 'TOOMANYREQUESTS', message: 'You have reached your pull rate limit.' }] }));
      return;
    }
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: { ...req.headers, host: new URL(target).host } }, (up) => {
      record.answered = up.statusCode ?? 0;
      // The registry names itself in WWW-Authenticate realms only for token auth; headers pass as they are.
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    requests,
    throttle(count, after) {
      left = count;
      retryAfter = after;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** An http proxy on 127.0.0.1 that only tunnels (CONNECT), recording each target and any Proxy-Authorization. */
export async function startConnectProxy(): Promise<{ url: string; tunnels: { target: string; proxyAuthorization?: string }[]; close(): Promise<void> }> {
  const tunnels: { target: string; proxyAuthorization?: string }[] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end('this proxy only tunnels (CONNECT)');
  });
  server.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push({ target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'] });
    const [host, port] = (req.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(client);
    sockets.add(upstream);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    client.on('error', end);
    upstream.on('close', end);
    client.on('close', end);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
