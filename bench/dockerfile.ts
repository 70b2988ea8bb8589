// Per-Dockerfile analysis time over the shared corpus: mean, p50, p99 and total, and beside it
// Renovate's Dockerfile extractor on the same files in the same run (the ratio of the per-file means
// is the figure: the machine is shared, so absolute times move with its load).
//
// Renovate is not a dependency. Install it once in a temp folder and name that folder:
//   mkdir /tmp/renovate && cd /tmp/renovate && npm init -y && npm i --no-save renovate   (785 packages, about 4 min)
//   node -r tsx/cjs bench/dockerfile.ts [rounds] --renovate /tmp/renovate
// Without --renovate (or RENOVATE_DIR) only image-factory's analysis is timed.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DockerfileError, baseImagesOf } from '../generator/src/core/dockerfile';
import { sharedPath } from '../test/support/shared';

type Extract = (text: string) => void;

function options(args: string[]): { rounds: number; renovateDir?: string } {
  let rounds = 20;
  let renovateDir = process.env.RENOVATE_DIR || undefined;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--renovate') renovateDir = args[++i];
    else rounds = Number(args[i]);
  }
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('usage: bench/dockerfile.ts [rounds] [--renovate <folder renovate is installed in>]');
  return { rounds, renovateDir };
}

/** Renovate's extractPackageFile from the folder it is installed in, or why it cannot be used. */
function renovateExtractor(dir: string | undefined): Extract | string {
  if (!dir) return 'Renovate not named (--renovate <folder> or RENOVATE_DIR)';
  let extractPackageFile: (content: string, file: string, config: object) => unknown;
  try {
    const entry = require.resolve('renovate/dist/modules/manager/dockerfile/extract.js', { paths: [path.resolve(dir)] });
    ({ extractPackageFile } = require(entry) as { extractPackageFile: typeof extractPackageFile });
  } catch (e) {
    return `Renovate not found in ${dir} (${(e as Error).message.split('\n')[0]}); install it there with \`npm i --no-save renovate\``;
  }
  return (text) => {
    extractPackageFile(text, 'Dockerfile', {});
  };
}

const analyze: Extract = (text) => {
  try {
    baseImagesOf(text);
  } catch (e) {
    if (!(e instanceof DockerfileError)) throw e;
  }
};

interface Timing {
  samples: number[];
  total: number;
}

function stats({ samples, total }: Timing): { mean: number; line: string } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
  const mean = sorted.reduce((a, b) => a + b, 0) / sorted.length;
  const ms = (v: number): string => `${v.toFixed(3)} ms`;
  return { mean, line: `mean ${ms(mean)}  p50 ${ms(at(0.5))}  p99 ${ms(at(0.99))}  max ${ms(sorted[sorted.length - 1])}  total ${ms(total)}` };
}

function main(): void {
  const corpus = sharedPath('corpus/dockerfiles', 'bench:dockerfile');
  if (!corpus) return;
  const { rounds, renovateDir } = options(process.argv.slice(2));
  const texts = fs
    .readdirSync(corpus)
    .filter((name) => name.endsWith('.Dockerfile'))
    .sort()
    .map((name) => fs.readFileSync(path.join(corpus, name), 'utf8'));
  const renovate = renovateExtractor(renovateDir);
  const contenders: [string, Extract][] = [['image-factory', analyze]];
  if (typeof renovate === 'function') contenders.push(['renovate', renovate]);
  else console.log(`renovate: skipped: ${renovate}`);

  // Warm-up: JIT and module loading out of the figures.
  for (const [, extract] of contenders) for (const text of texts) extract(text);
  const timings = new Map<string, Timing>(contenders.map(([name]) => [name, { samples: [], total: 0 }]));
  // Rounds interleave the contenders, so a burst of load on the shared machine hits both.
  for (let r = 0; r < rounds; r++) {
    for (const [name, extract] of contenders) {
      const timing = timings.get(name)!;
      const started = performance.now();
      for (const text of texts) {
        const t0 = performance.now();
        extract(text);
        timing.samples.push(performance.now() - t0);
      }
      timing.total += performance.now() - started;
    }
  }
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`dockerfile analysis: ${texts.length} files x ${rounds} rounds, ${os.cpus().length} cores, load average ${load}`);
  const means = new Map<string, number>();
  for (const [name, timing] of timings) {
    const { mean, line } = stats(timing);
    means.set(name, mean);
    console.log(`${name.padEnd(13)} ${line}`);
  }
  const theirs = means.get('renovate');
  if (theirs !== undefined) console.log(`per-file mean ratio, image-factory / renovate: ${(means.get('image-factory')! / theirs).toFixed(2)}x`);
}

main();
