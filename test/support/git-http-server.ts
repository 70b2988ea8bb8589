// A loopback git server for tests: Node's http server in front of `git http-backend` (CGI), with
// basic auth. It counts the bytes it sends (with backpressure, so a client that stops reading stops
// the count) so tests and benchmarks can compare fetch strategies, and the requests that carried
// credentials. Also a "black hole": a TCP server that accepts connections and never answers; and a
// redirector: a host that answers every request with a redirect to another.
import { execFileSync, spawn } from 'node:child_process';
import * as http from 'node:http';
import * as net from 'node:net';
import * as path from 'node:path';
import type { AddressInfo } from 'node:net';

export interface GitHttpServer {
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** URL of a repository below projectRoot (`<base>/<rel>`). */
  urlOf(rel: string): string;
  /** Response bytes sent since the last reset (headers excluded). */
  bytesSent: number;
  requests: number;
  /** Requests refused for missing or wrong credentials. */
  refused: number;
  /** Requests that carried an Authorization header, right or wrong. */
  withAuthorization: number;
  reset(): void;
  close(): Promise<void>;
}

const httpBackend = path.join(execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim(), 'git-http-backend');

export async function startGitHttpServer(projectRoot: string, auth?: { username: string; password: string }): Promise<GitHttpServer> {
  const state = { bytesSent: 0, requests: 0, refused: 0, withAuthorization: 0 };
  const expected = auth ? `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` : undefined;
  const server = http.createServer((req, res) => {
    state.requests++;
    if (req.headers.authorization !== undefined) state.withAuthorization++;
    if (expected && req.headers.authorization !== expected) {
      state.refused++;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('unauthorized\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: projectRoot,
      GIT_HTTP_EXPORT_ALL: '1',
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_CONFIG_GLOBAL: '/dev/null',
      GATEWAY_INTERFACE: 'CGI/1.1',
      SERVER_PROTOCOL: 'HTTP/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.replace(/^\?/, ''),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_ADDR: '127.0.0.1',
      REMOTE_USER: auth?.username ?? '',
    };
    if (req.headers['content-length']) env.CONTENT_LENGTH = req.headers['content-length'];
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    const cgi = spawn(httpBackend, [], { env, stdio: ['pipe', 'pipe', 'ignore'] });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    // A client gone (or killed) stops the backend: nothing more is produced or counted.
    res.on('close', () => {
      if (!res.writableFinished) cgi.kill('SIGKILL');
    });
    const send = (chunk: Buffer) => {
      state.bytesSent += chunk.length;
      if (!res.write(chunk)) {
        cgi.stdout.pause();
        res.once('drain', () => cgi.stdout.resume());
      }
    };
    let head = Buffer.alloc(0);
    let headerDone = false;
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        send(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      let end = head.indexOf('\r\n\r\n');
      let sep = 4;
      if (end < 0) {
        end = head.indexOf('\n\n');
        sep = 2;
      }
      if (end < 0) return;
      headerDone = true;
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = Number(v.split(' ')[0]);
        else headers[k] = v;
      }
      res.writeHead(status, headers);
      send(head.subarray(end + sep));
    });
    cgi.on('close', () => {
      if (!headerDone) res.writeHead(502);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    urlOf: (rel) => `${base}/${rel}`,
    get bytesSent() {
      return state.bytesSent;
    },
    get requests() {
      return state.requests;
    },
    get refused() {
      return state.refused;
    },
    get withAuthorization() {
      return state.withAuthorization;
    },
    reset() {
      state.bytesSent = 0;
      state.requests = 0;
      state.refused = 0;
      state.withAuthorization = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  } as GitHttpServer;
}

/** Accepts TCP connections and never writes a byte: a git host that hangs. */
export async function startBlackHole(): Promise<{ url: (rel: string) => string; connections: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((s) => {
    connections++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (rel) => `http://127.0.0.1:${port}/${rel}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Answers every request with `302 Location: <target><same path and query>`, counting what it saw. */
export async function startRedirector(target: string): Promise<{ url: (rel: string) => string; requests: number; withAuthorization: number; close(): Promise<void> }> {
  const seen = { requests: 0, withAuthorization: 0 };
  const server = http.createServer((req, res) => {
    seen.requests++;
    if (req.headers.authorization !== undefined) seen.withAuthorization++;
    res.writeHead(302, { Location: `${target}${req.url ?? '/'}` });
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: (rel) => `http://127.0.0.1:${port}/${rel}`,
    get requests() {
      return seen.requests;
    },
    get withAuthorization() {
      return seen.withAuthorization;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
