// `npm run bench:report`: `image-factory report`'s work on synthetic state repos of 100 to 10,000
// images (test/support/values-builder.ts syntheticSpecs), against its floor, in one run. Prints
// figures; asserts nothing.
//
// Timed: the view (report-model.ts, graph layout included), the HTML (Handlebars) and writing the
// page to a file. Not timed: reading the state repo, which `generate` and its bench cover.
//
// The floor is what any page showing the same things must cost: writing the same bytes to a file,
// plus one pass over the model's nodes and edges (every image, each of its upstreams and pinned
// bases, and its state file's strings), touching each string once. The report does more than
// that on purpose (it lays the graph out, sorts, escapes, formats dates), so the ratio says how
// much that costs, not how far from ideal the code is; what matters is that it stays linear.
//
// Each size is timed `--runs` times (default 3), report and floor interleaved, the best of each
// kept (wall and CPU, user + system); the first run of each size is printed beside (for the
// first size, a cold JIT as the CLI runs it). The load average is printed: the machine is shared.
//
// Run: node -r tsx/cjs bench/report.ts [sizes...] [--runs N]
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { renderReportHtml } from '../generator/src/cli/report-html';
import { countCrossings, layoutGraph } from '../generator/src/core/graph-layout';
import { graphModel } from '../generator/src/core/graph-render';
import { reportView, type ReportInput } from '../generator/src/core/report-model';
import { valuesOf } from '../generator/src/core/values';
import { buildStateRepo, syntheticSpecs } from '../test/support/values-builder';

interface Timing {
  ms: number;
  cpuMs: number;
}

function timed(work: () => void): Timing {
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  work();
  const used = process.cpuUsage(cpu);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, cpuMs: (used.user + used.system) / 1000 };
}

const best = (a: Timing | undefined, b: Timing): Timing => (a === undefined ? b : { ms: Math.min(a.ms, b.ms), cpuMs: Math.min(a.cpuMs, b.cpuMs) });
const shown = (t: Timing): string => `${t.ms.toFixed(0)} ms (CPU ${t.cpuMs.toFixed(0)})`;
const ratio = (a: Timing, b: Timing): string => `${(a.ms / b.ms).toFixed(1)}x (CPU ${(a.cpuMs / b.cpuMs).toFixed(1)}x)`;
const load = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' ');

/** The floor's pass: every image, its upstreams, pinned bases and state strings, each touched once. */
function passOverModel(input: ReportInput): number {
  let chars = 0;
  for (const image of input.values.images) {
    chars += image.name.length + image.rebuildDelay.length + image.source.dockerfile.length + image.source.workflow.length;
    for (const up of image.upstreams) chars += up.ref.length + up.slug.length;
    for (const ref of image.pinnedBases) chars += ref.length;
    const state = input.states.get(image.name);
    if (state) {
      chars += state.analysis.status.length + (state.analysis.commit ?? '').length + state.lastRebuild.at.length;
      for (const w of state.analysis.warnings) chars += w.message.length;
      for (const key of Object.keys(state.lastRebuild.bases)) chars += key.length + state.lastRebuild.bases[key].digest.length;
    }
  }
  return chars;
}

/** The page's parts by size, in MB: where its bytes go. */
function pageParts(html: string): string {
  const at = (marker: string, from = 0) => html.indexOf(marker, from);
  const order = at('<p class="meta">Rebuild order');
  const parts: [string, number, number][] = [
    ['graph edges', at('<g class="edges">'), at('<g class="nodes">')],
    ['graph nodes', at('<g class="nodes">'), at('</svg>')],
    ['rebuild order', order, at('</section>', order)],
    ['image sections', at('<section id="images">'), at('<section id="base-images">')],
    ['base images', at('<section id="base-images">'), at('</main>')],
  ];
  const listed = parts.map(([name, a, b]) => `${name} ${((b - a) / 1e6).toFixed(2)}`);
  const indentation = (html.match(/\n[ \t]+/g) ?? []).reduce((sum, run) => sum + run.length - 1, 0);
  return `${listed.join(', ')}; of all, line indentation ${(indentation / 1e6).toFixed(2)}`;
}

function benchSize(n: number, runs: number, dir: string): void {
  const { config, states } = buildStateRepo(syntheticSpecs(n));
  const input: ReportInput = { values: valuesOf(config, states), states };
  const file = path.join(dir, `report-${n}.html`);
  let html = '';
  let report: Timing | undefined;
  let view: Timing | undefined;
  let render: Timing | undefined;
  let write: Timing | undefined;
  let floor: Timing | undefined;
  let first: Timing | undefined;
  let checksum = 0;
  for (let run = 0; run < runs; run++) {
    let v: ReturnType<typeof reportView> | undefined;
    const tv = timed(() => (v = reportView(input)));
    const th = timed(() => (html = renderReportHtml(v!)));
    const tw = timed(() => fs.writeFileSync(file, html));
    const total = { ms: tv.ms + th.ms + tw.ms, cpuMs: tv.cpuMs + th.cpuMs + tw.cpuMs };
    first ??= total;
    [report, view, render, write] = [best(report, total), best(view, tv), best(render, th), best(write, tw)];
    const floorFile = path.join(dir, `floor-${n}.html`);
    floor = best(
      floor,
      timed(() => {
        checksum += passOverModel(input);
        fs.writeFileSync(floorFile, html);
      }),
    );
  }
  const model = graphModel(input.values);
  const crossings = n <= 1000 ? String(countCrossings(layoutGraph({ nodes: model.nodes.map((x) => ({ id: x.id, width: 100, height: 28 })), edges: model.edges }))) : 'not counted';
  console.log(
    `${n} images, ${model.nodes.length} nodes, ${model.edges.length} edges, page ${(html.length / 1e6).toFixed(1)} MB (load ${load()}):\n` +
      `  report ${shown(report!)} = view ${shown(view!)} + HTML ${shown(render!)} + write ${shown(write!)}; first of the runs ${shown(first!)}\n` +
      `  floor ${shown(floor!)}: ${ratio(report!, floor!)}   [pass checksum ${checksum}]\n` +
      `  page MB: ${pageParts(html)}; crossings ${crossings}`,
  );
}

function main(): void {
  const args = process.argv.slice(2);
  const runsAt = args.indexOf('--runs');
  const runs = runsAt >= 0 ? Number(args.splice(runsAt, 2)[1]) : 3;
  const sizes = args.length > 0 ? args.map(Number) : [100, 1000, 10000];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'if-bench-report-'));
  try {
    console.log(`node ${process.version}, ${os.cpus().length} cores, ${runs} runs per size, best kept`);
    for (const n of sizes) benchSize(n, runs, dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();
