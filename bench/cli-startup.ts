// Start-up time of the installed CLI (bin/image-factory.js, running dist/): `--version`, `--help`,
// and for contrast a command's own help, which loads that command's modules. Each run is a new node
// process, as a user's shell starts it: wall-clock time (min, median, p90), and the CPU time the
// process used (user + system, median), which shows the cost on a busy machine where the wall
// clock mostly measures waiting for a core. `node -e 0` is the floor.
// Run with `npm run bench:startup [runs]` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

const root = path.resolve(__dirname, '..');
const bin = path.join(root, 'bin', 'image-factory.js');
const runs = Number(process.argv[2] ?? 20);

if (!existsSync(path.join(root, 'dist', 'generator', 'src', 'cli', 'cli.js'))) {
  console.error('bench:startup: dist/ is missing; run `npm run build` first');
  process.exit(1);
}

interface Sample {
  wall: number;
  cpu: number;
}

/** One process: the CLI's bin with args, its CPU time reported on exit. */
function timeRun(args: string[]): Sample {
  const script = `process.on('exit', () => { const u = process.cpuUsage(); process.stderr.write('\\nCPU ' + (u.user + u.system) / 1000 + '\\n'); });
    ${args.length ? `process.argv = [process.execPath, ${JSON.stringify(bin)}, ...${JSON.stringify(args)}]; require(${JSON.stringify(bin)});` : ''}`;
  const t0 = performance.now();
  const result = spawnSync(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  const wall = performance.now() - t0;
  const cpu = /^CPU ([0-9.]+)$/m.exec(result.stderr);
  if (result.status !== 0 || !cpu) throw new Error(`image-factory ${args.join(' ')} exited ${result.status}: ${result.stderr}`);
  return { wall, cpu: Number(cpu[1]) };
}

const ms = (v: number): string => `${Math.round(v)} ms`;
const at = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

console.log(`CLI start-up, ${runs} runs each (node ${process.version})`);
for (const args of [['--version'], ['--help'], ['generate', '--help'], ['bases', '--help'], []]) {
  timeRun(args); // warm-up: the file system cache, not the process
  const samples = Array.from({ length: runs }, () => timeRun(args));
  const wall = samples.map((s) => s.wall).sort((a, b) => a - b);
  const cpu = samples.map((s) => s.cpu).sort((a, b) => a - b);
  const label = args.length ? `image-factory ${args.join(' ')}` : 'node -e 0 (the floor)';
  console.log(`${label.padEnd(30)} wall min ${ms(wall[0])}, median ${ms(at(wall, 0.5))}, p90 ${ms(at(wall, 0.9))}; CPU median ${ms(at(cpu, 0.5))}`);
}
