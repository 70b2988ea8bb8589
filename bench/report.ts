// `npm run bench:report`: the report's view (layout included) and its HTML for synthetic state
// repos of 100 to 10,000 images (test/support/values-builder.ts syntheticSpecs). Prints figures;
// asserts nothing.
import { renderReportHtml } from '../generator/src/cli/report-html';
import { countCrossings, layoutGraph } from '../generator/src/core/graph-layout';
import { graphModel } from '../generator/src/core/graph-render';
import { reportView } from '../generator/src/core/report-model';
import { valuesOf } from '../generator/src/core/values';
import { buildStateRepo, syntheticSpecs } from '../test/support/values-builder';

for (const n of [100, 1000, 10000]) {
  const { config, states } = buildStateRepo(syntheticSpecs(n));
  const values = valuesOf(config, states);
  const t0 = process.hrtime.bigint();
  const view = reportView({ values, states });
  const t1 = process.hrtime.bigint();
  const html = renderReportHtml(view);
  const t2 = process.hrtime.bigint();
  const model = graphModel(values);
  const crossings = n <= 1000 ? String(countCrossings(layoutGraph({ nodes: model.nodes.map((x) => ({ id: x.id, width: 100, height: 28 })), edges: model.edges }))) : 'not counted';
  const ms = (a: bigint, b: bigint) => (Number(b - a) / 1e6).toFixed(0);
  console.log(`${n} images, ${model.nodes.length} nodes, ${model.edges.length} edges: view (layout included) ${ms(t0, t1)} ms, HTML ${ms(t1, t2)} ms, ${(html.length / 1e6).toFixed(1)} MB, crossings ${crossings}`);
}
