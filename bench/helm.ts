// Times `helm template` of the chart against helm's own floor for the same documents, in one run.
//
// Values: test/support/values-builder.ts syntheticSpecs (two Docker Hub bases each from a pool of
// n/10, every tenth image chained on the previous one), written as `generate` writes them (no
// property at its default; test/support/helm.ts withValuesFile). The floor is a chart built here from this
// run's output: no values, no schema, and one template that ranges over the rendered documents,
// stored as chart files (helm refuses a chart file over 5 MiB, hence several). It is what helm
// costs to load, split, sort and print exactly these documents, with no template work and no
// values to parse. Each size is timed `--runs` times (default 3), the three renders interleaved,
// best of each kept: the chart as shipped, the chart with --skip-schema-validation (what the
// schema costs), and the floor. Wall time is the figure; helm's CPU time (user + system, best of the
// runs) is printed beside it, since it moves far less with the machine's load.
//
// Run: node -r tsx/cjs bench/helm.ts [sizes...] [--runs N]
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildValues, syntheticSpecs } from '../test/support/values-builder';
import { CHART_DIR, helm, withValuesFile } from '../test/support/helm';

/** Below helm's 5 MiB limit for one chart file. */
const FLOOR_FILE_BYTES = 4 * 1024 * 1024;

/** The documents of a `helm template` output, without helm's `# Source:` lines (they name the template). */
function documentsOf(output: string): string[] {
  return output
    .split(/^---$/m)
    .map((doc) => doc.replace(/^# Source: .*\n/m, '').trim())
    .filter((doc) => doc !== '');
}

/** A chart that prints exactly these documents from no values: files of `---`-joined documents, and one template ranging over them. */
function buildFloorChart(dir: string, documents: string[]): void {
  fs.mkdirSync(path.join(dir, 'templates'), { recursive: true });
  fs.mkdirSync(path.join(dir, 'files'));
  fs.writeFileSync(path.join(dir, 'Chart.yaml'), 'apiVersion: v2\nname: floor\nversion: 0.1.0\n');
  fs.writeFileSync(path.join(dir, 'templates', 'documents.yaml'), '{{- range $path, $_ := .Files.Glob "files/*.yaml" }}\n{{ $.Files.Get $path }}\n{{- end }}\n');
  let part: string[] = [];
  let size = 0;
  let n = 0;
  const flush = () => {
    fs.writeFileSync(path.join(dir, 'files', `part-${String(n++).padStart(4, '0')}.yaml`), `---\n${part.join('\n---\n')}\n`);
    part = [];
    size = 0;
  };
  for (const doc of documents) {
    if (size + doc.length > FLOOR_FILE_BYTES && part.length) flush();
    part.push(doc);
    size += doc.length + 5;
  }
  if (part.length) flush();
}

/** Clock ticks per second of /proc's times. */
const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/**
 * CPU seconds (user + system) of this process's waited-for children so far, from /proc/self/stat
 * (cutime and cstime, the 14th and 15th fields after the command name). On a machine others load,
 * helm's CPU time moves far less than its wall time (it collects garbage on a second core when it can).
 */
function childrenCpuSeconds(): number {
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[13]) + Number(fields[14])) / CLOCK_TICKS;
}

interface Timing {
  seconds: number;
  cpu: number;
}

async function timed(args: string[]): Promise<Timing & { stdout: string }> {
  const start = process.hrtime.bigint();
  const cpuBefore = childrenCpuSeconds();
  const r = await helm(args);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (r.code !== 0) throw new Error(`helm ${args.join(' ')}: ${r.stderr}`);
  return { seconds, cpu: childrenCpuSeconds() - cpuBefore, stdout: r.stdout };
}

/** The fastest of each figure over the runs. */
const best = (a: Timing, b: Timing): Timing => ({ seconds: Math.min(a.seconds, b.seconds), cpu: Math.min(a.cpu, b.cpu) });
const NONE: Timing = { seconds: Infinity, cpu: Infinity };

function sameDocuments(a: string[], b: string[]): boolean {
  const x = [...a].sort();
  const y = [...b].sort();
  return x.length === y.length && x.every((doc, i) => doc === y[i]);
}

/** Sizes and `--runs N` from the command line. */
function options(args: string[]): { sizes: number[]; runs: number } {
  let runs = 3;
  const sizes: number[] = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--runs') runs = Number(args[++i]);
    else sizes.push(Number(args[i]));
  }
  if (!Number.isInteger(runs) || runs < 1 || sizes.some((n) => !Number.isInteger(n) || n < 1)) throw new Error('usage: bench/helm.ts [sizes...] [--runs N]');
  return { sizes: sizes.length ? sizes : [100, 1000, 10000], runs };
}

async function main(): Promise<void> {
  const { sizes, runs } = options(process.argv.slice(2));
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`helm template, best of ${runs}, ${os.cpus().length} cores, load average ${load}`);
  console.log('images  documents  output MiB  floor s  chart s  ratio  chart, no schema s  ratio  schema s  CPU s: floor / chart / no schema  ratio  ratio');
  for (const n of sizes) {
    const values = buildValues(syntheticSpecs(n));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'if-floor-'));
    try {
      await withValuesFile(values, async (file) => {
        const chart = ['template', 'image-factory', CHART_DIR, '-f', file];
        const first = await timed(chart);
        const documents = documentsOf(first.stdout);
        buildFloorChart(dir, documents);
        const floorArgs = ['template', 'image-factory', dir];
        const floorDocs = documentsOf((await timed(floorArgs)).stdout);
        if (!sameDocuments(documents, floorDocs)) throw new Error('the floor chart does not print the same documents');
        let chartTime: Timing = first;
        let noSchema = NONE;
        let floor = NONE;
        for (let i = 0; i < runs; i++) {
          floor = best(floor, await timed(floorArgs));
          if (i > 0) chartTime = best(chartTime, await timed(chart));
          noSchema = best(noSchema, await timed([...chart, '--skip-schema-validation']));
        }
        const mib = Buffer.byteLength(first.stdout) / 2 ** 20;
        const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`.padStart(5);
        console.log(
          [
            String(n).padStart(6),
            String(documents.length).padStart(9),
            mib.toFixed(1).padStart(10),
            floor.seconds.toFixed(2).padStart(7),
            chartTime.seconds.toFixed(2).padStart(7),
            ratio(chartTime.seconds, floor.seconds),
            noSchema.seconds.toFixed(2).padStart(18),
            ratio(noSchema.seconds, floor.seconds),
            (chartTime.seconds - noSchema.seconds).toFixed(2).padStart(8),
            `${floor.cpu.toFixed(2)} / ${chartTime.cpu.toFixed(2)} / ${noSchema.cpu.toFixed(2)}`.padStart(25),
            ratio(chartTime.cpu, floor.cpu),
            ratio(noSchema.cpu, floor.cpu),
          ].join('  '),
        );
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
