// Git credentials per host: what the analysis service (a mounted Secret) and `generate
// --fetch-external` (the environment) send when they read a Dockerfile. A host's own pair wins over
// the default one, so a GitLab token never goes to GitHub and the other way round.
import type { GitCredentials } from '../git';

export interface CredentialSet {
  /** Sent to any host without a pair of its own. */
  fallback?: GitCredentials;
  /** By host as it appears in a URL (`gitlab.example.com`, `git.example.com:8443`), lower case. */
  byHost: ReadonlyMap<string, GitCredentials>;
}

/** The host of an http(s) URL, lower case, with its port; undefined for other URLs. */
function hostOf(repoURL: string): string | undefined {
  const m = /^https?:\/\/(?:[^/@]*@)?([^/?#]+)/i.exec(repoURL);
  return m ? m[1].toLowerCase() : undefined;
}

/** The pair to send to the repository's host, or undefined (then nothing is sent). */
export function credentialsFor(set: CredentialSet | undefined, repoURL: string): GitCredentials | undefined {
  if (!set) return undefined;
  const host = hostOf(repoURL);
  return (host !== undefined ? set.byHost.get(host) : undefined) ?? set.fallback;
}

/**
 * A host as a Secret key prefix (keys allow letters, digits, `-`, `_`, `.`): the port's `:` becomes
 * `_` (`git.example.com:8443` → `git.example.com_8443`).
 */
export function secretKeyOfHost(host: string): string {
  return host.toLowerCase().replace(':', '_');
}

/** A host as an environment variable suffix: upper case, anything but letters and digits `_` (`GITLAB_EXAMPLE_COM`). */
export function envSuffixOfHost(host: string): string {
  return host.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** Every secret a set holds, and their Basic-auth forms: what a log must never show. */
export function secretsOf(set: CredentialSet | undefined): string[] {
  if (!set) return [];
  const pairs = [...(set.fallback ? [set.fallback] : []), ...set.byHost.values()];
  return pairs.flatMap((p) => [p.password, Buffer.from(`${p.username}:${p.password}`).toString('base64')]);
}

/**
 * From the environment: GIT_USERNAME/GIT_PASSWORD for any host, GIT_USERNAME_<HOST>/GIT_PASSWORD_<HOST>
 * for one (`GIT_PASSWORD_GITLAB_EXAMPLE_COM`), looked up for the hosts given.
 */
export function credentialsFromEnv(env: NodeJS.ProcessEnv, hosts: readonly string[]): CredentialSet {
  const pair = (user: string | undefined, password: string | undefined): GitCredentials | undefined => (user && password ? { username: user, password } : undefined);
  const byHost = new Map<string, GitCredentials>();
  for (const host of hosts) {
    const own = pair(env[`GIT_USERNAME_${envSuffixOfHost(host)}`], env[`GIT_PASSWORD_${envSuffixOfHost(host)}`]);
    if (own) byHost.set(host.toLowerCase(), own);
  }
  const fallback = pair(env.GIT_USERNAME, env.GIT_PASSWORD);
  return fallback ? { fallback, byHost } : { byHost };
}

export { hostOf as hostOfRepoURL };
