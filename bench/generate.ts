// Times `generate` end to end on a synthetic state repo of N local images with Dockerfiles of
// realistic shapes (multi-stage, global ARGs, COPY --from, shared and distinct bases).
// The runs above are in this process, after the modules are loaded. Users run the CLI: one process
// per run, its JIT cold, its schemas compiled at start. So the run that changes nothing is also
// timed as `node bin/image-factory.js generate` (the build in dist/; `npm run build` first), beside
// a process that only starts node and reads the same files.
// Run: node -r tsx/cjs bench/generate.ts [N ...]   (default: 1000 2500 5000 10000)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { planGeneration, changesOfPlan } from '../generator/src/cli/generate';
import { applyChanges } from '../generator/src/cli/files';

const SHAPES = [
  (i: number) => `FROM node:${18 + (i % 5)}-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "index.js"]\n`,
  (i: number) =>
    `# syntax=docker/dockerfile:1\nARG GO_VERSION=1.2${i % 4}\nFROM golang:\${GO_VERSION}-bookworm AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app ./cmd/app\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n`,
  (i: number) =>
    `ARG PYTHON=3.1${i % 3}\nFROM python:\${PYTHON}-slim AS base\nRUN pip install --no-cache-dir uv\nCOPY --from=ghcr.io/astral-sh/uv:0.5.${i % 10} /uv /bin/uv\nFROM base AS final\nCOPY . /app\nRUN --mount=type=cache,target=/root/.cache \\\n    uv sync --frozen\nCMD ["python", "-m", "app"]\n`,
  (i: number) => `FROM registry.example.com:5000/team-${i % 50}/base:1.${i % 7}\nRUN <<EOF\nset -e\necho FROM not-an-image\nEOF\nUSER 1000\n`,
];

function buildRepo(n: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `if-bench-${n}-`));
  const lines = ['stateRepo:', '  url: https://github.com/acme/state.git', 'images:'];
  for (let i = 0; i < n; i++) {
    const name = `img-${String(i).padStart(5, '0')}`;
    const dockerfile = `images-src/${name}/Dockerfile`;
    fs.mkdirSync(path.join(root, 'images-src', name), { recursive: true });
    fs.writeFileSync(path.join(root, dockerfile), SHAPES[i % SHAPES.length](i));
    lines.push(
      `  - name: ${name}`,
      '    registry: ghcr.io',
      `    repository: acme/${name}`,
      '    source:',
      `      dockerfile: ${dockerfile}`,
      `      workflow: build-${name}.yml`,
      `    rebuildDelay: ${i % 3 === 0 ? '0' : i % 3 === 1 ? '12h' : '7d'}`,
    );
  }
  fs.writeFileSync(path.join(root, 'images.yaml'), `${lines.join('\n')}\n`);
  return root;
}

const elapsedMs = (start: bigint): number => Number(process.hrtime.bigint() - start) / 1e6;

/** Wall and CPU (user + system) time of `work`: on a loaded machine the CPU time is the steadier figure. */
interface Timing {
  ms: number;
  cpuMs: number;
}

async function timed(work: () => Promise<unknown> | unknown): Promise<Timing> {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  await work();
  const used = process.cpuUsage(cpu);
  return { ms: elapsedMs(start), cpuMs: (used.user + used.system) / 1000 };
}

const shown = (t: Timing): string => `${t.ms.toFixed(0)} ms (CPU ${t.cpuMs.toFixed(0)} ms)`;
const ratio = (a: Timing, b: Timing): string => `${(a.ms / b.ms).toFixed(2)}x (CPU ${(a.cpuMs / b.cpuMs).toFixed(2)}x)`;

async function timeGenerate(root: string): Promise<Timing & { files: number }> {
  let files = 0;
  const timing = await timed(async () => {
    const plan = await planGeneration({ root, now: () => new Date('2026-01-01T00:00:00Z') });
    const changes = changesOfPlan(plan, root);
    await applyChanges(root, changes);
    files = changes.length;
  });
  return { ...timing, files };
}

/** Every file below `root`, relative, with `/`, except the Dockerfile sources (`images-src/`). */
function outputsOf(root: string): string[] {
  return fs
    .readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join('/'))
    .filter((rel) => rel !== 'images.yaml' && !rel.startsWith('images-src/'))
    .sort();
}

/** The inputs generate reads: images.yaml, every Dockerfile, and (when `withOutputs`) every file it wrote. */
function readInputs(root: string, outputs: readonly string[], withOutputs: boolean): number {
  let bytes = fs.readFileSync(path.join(root, 'images.yaml')).length;
  for (const name of fs.readdirSync(path.join(root, 'images-src'))) bytes += fs.readFileSync(path.join(root, 'images-src', name, 'Dockerfile')).length;
  if (withOutputs) for (const rel of outputs) bytes += fs.readFileSync(path.join(root, rel)).length;
  return bytes;
}

/**
 * The floor for a cold run, in the same process and moment: read the inputs, then write the same
 * files into a fresh folder as durably as generate does (each written and flushed), 16 at a time
 * as generate writes them.
 */
async function coldFloor(root: string, outputs: readonly string[]): Promise<Timing> {
  const contents = outputs.map((rel) => [rel, fs.readFileSync(path.join(root, rel))] as const);
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'if-bench-floor-'));
  const timing = await timed(async () => {
    readInputs(root, outputs, false);
    for (const dir of new Set(outputs.map((rel) => path.posix.dirname(rel)))) fs.mkdirSync(path.join(target, dir), { recursive: true });
    let next = 0;
    const writer = async (): Promise<void> => {
      while (next < contents.length) {
        const [rel, bytes] = contents[next++];
        const handle = await fs.promises.open(path.join(target, rel), 'wx');
        await handle.writeFile(bytes);
        await handle.sync();
        await handle.close();
      }
    };
    await Promise.all(Array.from({ length: 16 }, writer));
  });
  fs.rmSync(target, { recursive: true, force: true });
  return timing;
}

/** The floor for a run where nothing changed: read every input and every file generate compares. */
function unchangedFloor(root: string, outputs: readonly string[]): Promise<Timing> {
  return timed(() => readInputs(root, outputs, true));
}

/** Reports, as the last line of stderr, the CPU time the process used (loaded with `node -r`). */
const USAGE_REPORTER = path.join(__dirname, 'report-usage.js');

/** A fresh node process's wall time and the CPU time it reported. */
function timedProcess(args: string[]): Timing {
  const start = process.hrtime.bigint();
  const run = spawnSync(process.execPath, ['-r', USAGE_REPORTER, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = elapsedMs(start);
  if (run.status !== 0) throw new Error(`node ${args.join(' ')}: ${run.stderr}`);
  const usage = /cpu-ms (\d+)\s*$/.exec(run.stderr);
  if (!usage) throw new Error(`node ${args.join(' ')} reported no CPU time`);
  return { ms, cpuMs: Number(usage[1]) };
}

/** `image-factory generate` as users run it, and node reading the same files, each in a fresh process. */
function freshProcesses(root: string, outputs: readonly string[]): { cli: Timing; floor: Timing } {
  const cli = path.join(__dirname, '..', 'bin', 'image-factory.js');
  const files = ['images.yaml', ...fs.readdirSync(path.join(root, 'images-src')).map((name) => `images-src/${name}/Dockerfile`), ...outputs];
  const list = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'if-bench-list-')), 'files.json');
  fs.writeFileSync(list, JSON.stringify(files));
  const reader = `const fs = require('fs'); for (const f of JSON.parse(fs.readFileSync(${JSON.stringify(list)}, 'utf8'))) fs.readFileSync(${JSON.stringify(root)} + '/' + f);`;
  const best = { cli: { ms: Infinity, cpuMs: Infinity }, floor: { ms: Infinity, cpuMs: Infinity } };
  for (let i = 0; i < 3; i++) {
    const c = timedProcess([cli, 'generate', '--root', root]);
    const f = timedProcess(['-e', reader]);
    if (c.ms < best.cli.ms) best.cli = c;
    if (f.ms < best.floor.ms) best.floor = f;
  }
  fs.rmSync(path.dirname(list), { recursive: true, force: true });
  return best;
}

const load = (): string => os.loadavg().map((l) => l.toFixed(2)).join(' ');

export { buildRepo };
async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  console.log(`generate against its floor, measured in the same run on ${os.cpus().length} cores; load average (1, 5, 15 min) at the start: ${load()}`);
  const rows: string[] = [
    'images | files | cold | cold floor (read inputs, write files durably) | cold ratio | nothing changed | its floor (read every input and output) | ratio | CLI process, nothing changed (best of 3) | its floor (node reading the same files) | ratio',
  ];
  for (const n of sizes.length ? sizes : [1000, 2500, 5000, 10000]) {
    const root = buildRepo(n);
    const first = await timeGenerate(root);
    const second = await timeGenerate(root);
    const outputs = outputsOf(root);
    const cold = await coldFloor(root, outputs);
    const unchanged = await unchangedFloor(root, outputs);
    if (second.files !== 0) throw new Error(`the second run changed ${second.files} file(s)`);
    const fresh = freshProcesses(root, outputs);
    rows.push(
      `${n} | ${first.files} | ${shown(first)} | ${shown(cold)} | ${ratio(first, cold)} | ${shown(second)} | ${shown(unchanged)} | ${ratio(second, unchanged)} | ${shown(fresh.cli)} | ${shown(fresh.floor)} | ${ratio(fresh.cli, fresh.floor)}`,
    );
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(rows.join('\n'));
  console.log(`load average at the end: ${load()}`);
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
