// ../shared beside the repository holds the Dockerfile corpus and kargo-sim. A user's plain clone
// does not have it: suites that need it are skipped there with a message, and under CI=true (where
// CI always lays it beside the clone) a missing ../shared is a failure, so a broken CI cannot pass
// by skipping.
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';

export const SHARED_DIR = path.resolve(__dirname, '../../../shared');

/**
 * The path of `../shared/<relative>` when it exists; otherwise prints
 * "<suite>: skipped: ../shared not found" and returns undefined, or throws under CI=true.
 */
export function sharedPath(relative: string, suite: string): string | undefined {
  const full = path.join(SHARED_DIR, relative);
  if (existsSync(full)) return full;
  if (process.env.CI === 'true') {
    throw new Error(`${suite}: ../shared/${relative} not found, and CI=true requires it (CI lays ../shared beside the clone)`);
  }
  console.log(`${suite}: skipped: ../shared not found (${full})`);
  return undefined;
}

/**
 * The full path of an executable found on PATH (a Debian package's binary: docker-registry,
 * chromium, htpasswd); otherwise prints "<suite>: skipped: <name> not found" and returns undefined,
 * or throws under CI=true, where .ci/run installs the package.
 */
export function requiredBinary(name: string, suite: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const full = path.join(dir, name);
    try {
      if (!statSync(full).isFile()) continue;
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not here
    }
  }
  if (process.env.CI === 'true') throw new Error(`${suite}: ${name} not found on PATH, and CI=true requires it (.ci/run installs its Debian package)`);
  console.log(`${suite}: skipped: ${name} not found`);
  return undefined;
}
