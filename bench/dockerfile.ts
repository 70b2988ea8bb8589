// Per-Dockerfile analysis time over the shared corpus: mean, p50, p99 and total.
// Run with `node -r tsx/cjs bench/dockerfile.ts [rounds]`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { DockerfileError, baseImagesOf } from '../generator/src/core/dockerfile';
import { sharedPath } from '../test/support/shared';

const corpus = sharedPath('corpus/dockerfiles', 'bench:dockerfile');
if (!corpus) process.exit(0);
const rounds = Number(process.argv[2] ?? 20);
const texts = fs
  .readdirSync(corpus)
  .filter((name) => name.endsWith('.Dockerfile'))
  .sort()
  .map((name) => fs.readFileSync(path.join(corpus, name), 'utf8'));

function analyze(text: string): void {
  try {
    baseImagesOf(text);
  } catch (e) {
    if (!(e instanceof DockerfileError)) throw e;
  }
}

for (const text of texts) analyze(text); // warm-up: JIT and module loading out of the figures

const samples: number[] = [];
const started = performance.now();
for (let r = 0; r < rounds; r++) {
  for (const text of texts) {
    const t0 = performance.now();
    analyze(text);
    samples.push(performance.now() - t0);
  }
}
const total = performance.now() - started;
samples.sort((a, b) => a - b);
const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
const ms = (v: number): string => `${v.toFixed(3)} ms`;
console.log(`dockerfile analysis: ${texts.length} files x ${rounds} rounds = ${samples.length} analyses`);
console.log(`mean ${ms(mean)}  p50 ${ms(at(0.5))}  p99 ${ms(at(0.99))}  max ${ms(samples[samples.length - 1])}  total ${ms(total)}`);
