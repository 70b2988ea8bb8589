// Start-up time of the installed CLI (bin/image-factory.js, running dist/): `--version`, `--help`,
// and for contrast a command's own help, which loads that command's modules. Wall-clock per run,
// each in a new node process as a user's shell starts it; min, median and p90 over the runs.
// Run with `npm run bench:startup [runs]` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'image-factory.js');
const runs = Number(process.argv[2] ?? 20);

if (!existsSync(path.join(root, 'dist', 'generator', 'src', 'cli.js'))) {
  console.error('bench:startup: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

function timeRun(args: string[]): number {
  const t0 = performance.now();
  const result = spawnSync(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const elapsed = performance.now() - t0;
  if (result.status !== 0) throw new Error(`image-factory ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return elapsed;
}

const ms = (v: number): string => `${Math.round(v)} ms`;

console.log(`CLI start-up, ${runs} runs each (node ${process.version})`);
for (const args of [['--version'], ['--help'], ['generate', '--help'], ['bases', '--help']]) {
  timeRun(args); // warm-up: the file system cache, not the process
  const samples = Array.from({ length: runs }, () => timeRun(args)).sort((a, b) => a - b);
  const at = (q: number): number => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))];
  console.log(`image-factory ${args.join(' ').padEnd(16)} min ${ms(samples[0])}, median ${ms(at(0.5))}, p90 ${ms(at(0.9))}`);
}
const node = Array.from({ length: runs }, () => {
  const t0 = performance.now();
  spawnSync(process.execPath, ['-e', '0']);
  return performance.now() - t0;
}).sort((a, b) => a - b);
console.log(`node -e 0 (the floor)              min ${ms(node[0])}, median ${ms(node[Math.floor(runs / 2)])}`);
