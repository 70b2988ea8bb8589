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

export function packageVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
