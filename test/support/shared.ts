// ../shared beside the repository holds the Dockerfile corpus and kargo-sim. A user's plain clone
// does not have it: suites that need it are skipped there with a message, and under CI=true (where
// CI always lays it beside the clone) a missing ../shared is a failure, so a broken CI cannot pass
// by skipping.
import { accessSync, constants, existsSync } from 'node:fs';
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
 * The path of a program from a Debian package (chromium, docker-registry, ...) found on PATH;
 * otherwise prints "<suite>: skipped: <binary> not found" and returns undefined, or throws under
 * CI=true, where .ci/run installs it.
 */
export function requiredBinary(binary: string, suite: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const full = path.join(dir, binary);
    try {
      accessSync(full, constants.X_OK);
      return full;
    } catch {
      // not in this folder
    }
  }
  if (process.env.CI === 'true') {
    throw new Error(`${suite}: ${binary} not found on PATH, and CI=true requires it (.ci/run installs it)`);
  }
  console.log(`${suite}: skipped: ${binary} not found`);
  return undefined;
}
