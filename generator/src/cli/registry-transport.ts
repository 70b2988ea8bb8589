// The registry client's HTTP I/O: node:http and node:https, one connection per request (no pooling
// across registries that answer at different speeds), with a time limit and a bounded body.
// Proxies are honoured as curl honours them (core/proxy.ts): Node 20's fetch reads no proxy
// variable, so the request goes through a CONNECT tunnel opened here — to the registry's host and
// port, for https (TLS inside the tunnel, certificate checked against the registry's name) and
// for plain http alike — and the proxy never sees a request line, a header or a credential.
import * as http from 'node:http';
import * as https from 'node:https';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { proxyAuthorization, proxyFor } from '../core/proxy';
import type { Transport, TransportRequest, TransportResponse } from '../core/registry-client';

export interface TransportOptions {
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** The most body bytes kept; the rest is not read. */
  maxBodyBytes: number;
}

/** Opens a CONNECT tunnel to host:port through an http proxy; resolves to the raw socket. */
function openTunnel(proxy: URL, variable: string, host: string, port: string, timeoutMs: number): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const authority = `${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
    const headers: Record<string, string> = { Host: authority };
    const auth = proxyAuthorization(proxy);
    if (auth) headers['Proxy-Authorization'] = auth;
    const req = http.request({ host: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxy.port || 80, method: 'CONNECT', path: authority, headers, timeout: timeoutMs });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) {
        resolve(socket);
      } else {
        socket.destroy();
        reject(new Error(`the proxy ${proxy.host} (${variable}) refused CONNECT to ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()));
      }
    });
    req.once('timeout', () => req.destroy(new Error(`the proxy ${proxy.host} (${variable}) did not answer within ${timeoutMs / 1000}s`)));
    req.once('error', (e: NodeJS.ErrnoException) => reject(new Error(`the proxy ${proxy.host} (${variable}): ${e.code ?? e.message}`)));
    req.end();
  });
}

function headerGetter(res: http.IncomingMessage): TransportResponse['headers'] {
  return {
    get(name: string): string | null {
      const value = res.headers[name.toLowerCase()];
      if (value === undefined) return null;
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

export function nodeTransport(opts: TransportOptions): Transport {
  return async (request: TransportRequest): Promise<TransportResponse> => {
    const url = new URL(request.url);
    const secure = url.protocol === 'https:';
    const port = url.port || (secure ? '443' : '80');
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const proxy = proxyFor(url, opts.env);
    const deadline = AbortSignal.timeout(opts.timeoutMs);
    let tunnel: Duplex | undefined;
    if (proxy) tunnel = await openTunnel(proxy.url, proxy.variable, hostname, port, opts.timeoutMs);
    return new Promise<TransportResponse>((resolve, reject) => {
      const common = { method: request.method, path: `${url.pathname}${url.search}`, headers: { ...request.headers, Host: url.host }, signal: deadline };
      let req: http.ClientRequest;
      if (tunnel !== undefined) {
        const socket = tunnel;
        const connection = secure ? () => tls.connect({ socket, servername: hostname }) : () => socket;
        req = http.request({ ...common, createConnection: connection as unknown as http.RequestOptions['createConnection'] });
      } else {
        req = (secure ? https : http).request({ ...common, host: hostname, port, agent: false });
      }
      req.once('error', (e: NodeJS.ErrnoException) => {
        tunnel?.destroy();
        const code = e.code ?? e.message;
        const untrusted = /CERT|UNABLE_TO_(GET|VERIFY)/.test(code) ? `${code}: the registry's TLS certificate is not trusted; if your own CA signs it, set NODE_EXTRA_CA_CERTS to that CA's PEM file` : undefined;
        reject(new Error(e.name === 'AbortError' ? `no answer within ${opts.timeoutMs / 1000}s` : untrusted ?? code));
      });
      req.once('response', (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          if (size >= opts.maxBodyBytes) return;
          chunks.push(chunk);
          size += chunk.length;
          if (size >= opts.maxBodyBytes) res.destroy();
        });
        const done = () => {
          tunnel?.destroy();
          resolve({ status: res.statusCode ?? 0, headers: headerGetter(res), body: Buffer.concat(chunks).subarray(0, opts.maxBodyBytes) });
        };
        res.once('end', done);
        res.once('close', done);
        res.once('error', () => undefined);
      });
      req.end();
    });
  };
}
