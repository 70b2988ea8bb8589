// `helm package` of the repository root: the package holds the chart and its READMEs and nothing of
// the generator, the service, tests or tools (.helmignore), and `helm show readme` prints the README.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { tarFiles } from '../scripts/archive';
import { CHART_DIR, helm } from './support/helm';

let dest = '';
let tgz = '';

test.before(async () => {
  dest = mkdtempSync(path.join(tmpdir(), 'if-package-'));
  const r = await helm(['package', CHART_DIR, '--destination', dest]);
  assert.is(r.code, 0, r.stderr);
  const chart = parse(readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { name: string; version: string };
  tgz = path.join(dest, `${chart.name}-${chart.version}.tgz`);
});

test.after(() => {
  rmSync(dest, { recursive: true, force: true });
});

test('helm package holds the chart and its READMEs only (.helmignore)', () => {
  const files = tarFiles(gunzipSync(readFileSync(tgz))).map((f) => f.name);
  const outside = files.filter(
    (f) => !/^image-factory\/(Chart\.yaml|values\.yaml|values\.schema\.json|\.helmignore|README\.md|chart\/README\.md|templates\/.+)$/.test(f),
  );
  assert.equal(outside, []);
  for (const f of ['Chart.yaml', 'values.yaml', 'values.schema.json', 'README.md', 'chart/README.md', 'templates/_helpers.tpl', 'templates/kargo/stages-rebuild.yaml']) {
    assert.ok(files.includes(`image-factory/${f}`), f);
  }
});

test('helm show readme on the package prints the README, which leads to the chart reference', async () => {
  const r = await helm(['show', 'readme', tgz]);
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout.trimEnd(), readFileSync(path.join(CHART_DIR, 'README.md'), 'utf8').trimEnd());
  assert.match(r.stdout, 'chart/README.md');
  const packaged = tarFiles(gunzipSync(readFileSync(tgz))).find((f) => f.name === 'image-factory/chart/README.md');
  assert.is(packaged?.data.toString('utf8'), readFileSync(path.join(CHART_DIR, 'chart', 'README.md'), 'utf8'));
});

test.run();
