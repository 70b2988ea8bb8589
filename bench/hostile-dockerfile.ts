// Worst-case Dockerfile analysis time over hostile input: every named attack of issue 11 and a run
// of the seeded hostile generator (test/hostile/hostile-dockerfiles.ts), each Dockerfile up to the
// 1 MiB cap. Each is analyzed `rounds` times and its best time kept (the machine's other load is
// noise, not the analyser); the figure is the slowest Dockerfile. Prints figures, asserts nothing.
// Run with `npm run bench:hostile [-- <generated cases> <rounds> <seed>]`.
import { performance } from 'node:perf_hooks';
import { baseImagesOf, DockerfileError } from '../generator/src/core/dockerfile';
import { generatedCase, NAMED_CASES, type HostileDockerfile } from '../test/hostile/hostile-dockerfiles';

const generated = Number(process.argv[2] ?? 200);
const rounds = Number(process.argv[3] ?? 3);
const seed = Number(process.argv[4] ?? 20261124);

interface Timing {
  name: string;
  bytes: number;
  ms: number;
  outcome: 'analyzed' | 'refused';
}

function time(dockerfile: HostileDockerfile): Timing {
  let best = Infinity;
  let outcome: Timing['outcome'] = 'analyzed';
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    try {
      baseImagesOf(dockerfile.text);
      outcome = 'analyzed';
    } catch (e) {
      if (!(e instanceof DockerfileError)) throw e;
      outcome = 'refused';
    }
    best = Math.min(best, performance.now() - t0);
  }
  return { name: dockerfile.name, bytes: Buffer.byteLength(dockerfile.text), ms: best, outcome };
}

// Warm-up: JIT and module loading out of the figures.
for (let i = 0; i < 20; i++) time({ name: 'warm-up', text: generatedCase(seed + 1, i).text });

const timings: Timing[] = [];
for (const [name, make] of Object.entries(NAMED_CASES)) timings.push(time({ name, text: make() }));
for (let i = 0; i < generated; i++) timings.push(time(generatedCase(seed, i)));

const byTime = [...timings].sort((a, b) => b.ms - a.ms);
const sorted = timings.map((t) => t.ms).sort((a, b) => a - b);
const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const mbPerSecond = (t: Timing) => (t.bytes / 1024 / 1024 / (t.ms / 1000)).toFixed(1);
console.log(`hostile Dockerfiles: ${Object.keys(NAMED_CASES).length} named + ${generated} generated (seed ${seed}), best of ${rounds} rounds each`);
console.log(`  refused with a DockerfileError: ${timings.filter((t) => t.outcome === 'refused').length}`);
console.log(`  p50 ${at(0.5).toFixed(1)} ms, p99 ${at(0.99).toFixed(1)} ms, worst ${byTime[0].ms.toFixed(1)} ms (${byTime[0].name})`);
console.log('  slowest:');
for (const t of byTime.slice(0, 8)) console.log(`    ${t.ms.toFixed(1).padStart(8)} ms  ${String(t.bytes).padStart(8)} bytes  ${mbPerSecond(t).padStart(5)} MiB/s  ${t.outcome.padEnd(8)}  ${t.name}`);
