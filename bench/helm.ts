// Times `helm template` of the chart for 100, 1,000 and 10,000 synthetic images
// (test/support/values-builder.ts syntheticSpecs: two Docker Hub bases each from a pool of n/10,
// every tenth image chained on the previous one). Run: node -r tsx/cjs bench/helm.ts [sizes...]
import { buildValues, syntheticSpecs } from '../test/support/values-builder';
import { helmTemplate } from '../test/support/helm';

async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const runs = sizes.length ? sizes : [100, 1000, 10000];
  console.log('images  bases  documents  output MiB  helm template s (best of 3)  ms/image');
  for (const n of runs) {
    const values = buildValues(syntheticSpecs(n));
    let best = Infinity;
    let docs = 0;
    let bytes = 0;
    for (let i = 0; i < 3; i++) {
      const start = process.hrtime.bigint();
      const r = await helmTemplate(values);
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (r.code !== 0) throw new Error(r.stderr);
      best = Math.min(best, seconds);
      docs = (r.stdout.match(/^kind: /gm) ?? []).length;
      bytes = r.stdout.length;
    }
    console.log(
      `${String(n).padStart(6)}  ${String(values.bases.length).padStart(5)}  ${String(docs).padStart(9)}  ${(bytes / 2 ** 20).toFixed(1).padStart(10)}  ${best.toFixed(2).padStart(27)}  ${((best * 1000) / n).toFixed(3).padStart(8)}`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
