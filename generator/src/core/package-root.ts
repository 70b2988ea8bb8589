// The package's own root folder, found from this file whether it runs from source (tsx) or from
// dist/, so schemas, the chart and package.json are located the same way in both.
import * as fs from 'node:fs';
import * as path from 'node:path';

function findRoot(from: string): string {
  let dir = from;
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'generator'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`package root not found above ${from}`);
    dir = parent;
  }
}

export const packageRoot: string = findRoot(__dirname);

interface PackageManifest {
  name: string;
  version: string;
  repository?: string | { url?: string };
}

function manifest(): PackageManifest {
  return JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as PackageManifest;
}

export function packageVersion(): string {
  return manifest().version;
}

/** The npm package's name (`kargo-image-factory`: the command is image-factory, the npm name is someone else's). */
export function packageName(): string {
  return manifest().name;
}

/** The project's web address, `https://github.com/<owner>/<name>`, from package.json's repository. */
export function projectURL(): string {
  const repository = manifest().repository;
  const url = (typeof repository === 'string' ? repository : repository?.url) ?? '';
  const m = /^(?:git\+)?(https:\/\/github\.com\/[A-Za-z0-9-]+\/[A-Za-z0-9._-]+?)(?:\.git)?$/.exec(url);
  if (!m) throw new Error(`package.json: repository.url ${JSON.stringify(url)} is not a GitHub https URL`);
  return m[1];
}

/**
 * Where a user reads one of this project's documents for the version being run: a URL, since a state
 * repo has no docs/ folder (a path like docs/images-yaml.md in a message led nowhere there).
 */
export function docURL(file: string, section?: string): string {
  return `${projectURL()}/blob/v${packageVersion()}/${file}${section ? `#${section}` : ''}`;
}
