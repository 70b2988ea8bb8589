// Which proxy a request goes through, read from the environment the way curl reads it: https URLs
// use https_proxy (or HTTPS_PROXY), http URLs http_proxy (or HTTP_PROXY), lower case first;
// no_proxy (or NO_PROXY) lists hosts that are reached directly: `*` for all, a host name (which also
// covers its subdomains; a leading dot is allowed), an IP address, either with `:port`. Loopback
// hosts are proxied like any other unless listed, as curl does. Node's own fetch reads none of
// these, which is why the registry client does. Pure: the caller passes the environment.

export interface ProxyChoice {
  /** The proxy's URL (http: only). */
  url: URL;
  /** The variable it came from, for messages. */
  variable: string;
}

/** A proxy variable that cannot be used: its name and why (never its value, which may hold a password). */
export class ProxyConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProxyConfigError';
  }
}

function firstSet(env: NodeJS.ProcessEnv, names: readonly string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value.trim() !== '') return { name, value: value.trim() };
  }
  return undefined;
}

const defaultPort = (protocol: string): string => (protocol === 'https:' ? '443' : '80');

/** Whether no_proxy exempts this host and port. */
export function bypassesProxy(hostname: string, port: string, noProxy: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase().replace(/\.$/, '');
  for (const raw of noProxy.split(/[\s,]+/)) {
    let entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
    if (bracketed) {
      entry = bracketed[1];
      entryPort = bracketed[2];
    } else {
      const withPort = /^([^:]+):(\d+)$/.exec(entry);
      if (withPort) {
        entry = withPort[1];
        entryPort = withPort[2];
      }
    }
    if (entryPort !== undefined && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '').replace(/\.$/, '');
    if (host === entry || host.endsWith(`.${entry}`)) return true;
  }
  return false;
}

/** The proxy for a URL, or undefined to connect directly. Throws ProxyConfigError for a proxy variable it cannot use. */
export function proxyFor(target: URL, env: NodeJS.ProcessEnv): ProxyChoice | undefined {
  const names = target.protocol === 'https:' ? ['https_proxy', 'HTTPS_PROXY'] : ['http_proxy', 'HTTP_PROXY'];
  const set = firstSet(env, names);
  if (set === undefined) return undefined;
  const noProxy = firstSet(env, ['no_proxy', 'NO_PROXY']);
  if (noProxy !== undefined && bypassesProxy(target.hostname, target.port || defaultPort(target.protocol), noProxy.value)) return undefined;
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(set.value) ? set.value : `http://${set.value}`);
  } catch {
    throw new ProxyConfigError(`${set.name} is not a URL; write it as http://HOST:PORT`);
  }
  if (url.protocol !== 'http:') {
    throw new ProxyConfigError(`${set.name} uses ${url.protocol.replace(/:$/, '')}://; only a plain http:// proxy (reached with CONNECT) is supported`);
  }
  return { url, variable: set.name };
}

/** `Basic …` for a proxy URL with a user name, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (proxy.username === '' && proxy.password === '') return undefined;
  const user = decodeURIComponent(proxy.username);
  const password = decodeURIComponent(proxy.password);
  return `Basic ${Buffer.from(`${user}:${password}`, 'utf8').toString('base64')}`;
}
