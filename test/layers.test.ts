// The layers depend one way (docs/design.md, "Layers"): the core imports only the core; the CLI
// imports the core and itself; the analysis service imports the core and itself. Only the
// executable (bin/image-factory.js) and the tests see both front ends.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';

const root = path.resolve(__dirname, '..');

const LAYERS = [
  { name: 'core', dir: 'generator/src/core', may: ['generator/src/core'] },
  { name: 'cli', dir: 'generator/src/cli', may: ['generator/src/core', 'generator/src/cli'] },
  { name: 'service', dir: 'analysis-step/src', may: ['generator/src/core', 'analysis-step/src'] },
];

function sourcesBelow(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
    const rel = `${dir}/${entry.name}`;
    if (entry.isDirectory()) out.push(...sourcesBelow(rel));
    else if (entry.name.endsWith('.ts')) out.push(rel);
  }
  return out;
}

/** Every relative module a file names: import/export … from, import(), require(), import type. */
export function relativeImportsOf(text: string): string[] {
  const found: string[] = [];
  const pattern = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])(\.{1,2}\/[^'"]+)\1/gm;
  for (let m = pattern.exec(text); m; m = pattern.exec(text)) found.push(m[2]);
  return found;
}

test('the import reader sees every form a file can import by', () => {
  const text = [
    "import { a } from './a';",
    "import type { B } from '../b';",
    "export { c } from './c';",
    "import './side-effect';",
    "const d = require('../../d') as typeof import('../../d');",
    "const e = await import('./e');",
    "// prose that says from 'nowhere' is not a relative import",
  ].join('\n');
  assert.equal(relativeImportsOf(text), ['./a', '../b', './c', './side-effect', '../../d', '../../d', './e']);
});

for (const layer of LAYERS) {
  test(`${layer.name} (${layer.dir}) imports only ${layer.may.join(' and ')}`, () => {
    const files = sourcesBelow(layer.dir);
    assert.ok(files.length > 3, `${layer.dir} has its sources`);
    const crossings: string[] = [];
    for (const file of files) {
      for (const spec of relativeImportsOf(fs.readFileSync(path.join(root, file), 'utf8'))) {
        const target = path.posix.normalize(path.posix.join(path.posix.dirname(file), spec));
        if (!layer.may.some((dir) => target === dir || target.startsWith(`${dir}/`))) crossings.push(`${file} imports ${target}`);
      }
    }
    assert.equal(crossings, []);
  });
}

test('the executable is the one place both front ends meet', () => {
  const bin = fs.readFileSync(path.join(root, 'bin/image-factory.js'), 'utf8');
  assert.match(bin, /dist\/generator\/src\/cli\/cli\.js/);
  assert.match(bin, /dist\/analysis-step\/src\/command\.js/);
});

test.run();
