// The report's bytes at a few hundred images, pinned by hash: the layout, the model and the HTML
// were made faster (issue 9) without changing a byte, and must stay so unless a change means to
// alter the page. When one does, `UPDATE_FIXTURES=1 node scripts/run-tests.js report-bytes`
// records the new hashes; look at the pages first (bench/report.ts writes none, this suite can:
// REPORT_BYTES_OUT=DIR keeps them).
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { renderReportHtml } from '../generator/src/cli/report-html';
import { reportView, type ReportInput } from '../generator/src/core/report-model';
import { valuesOf } from '../generator/src/core/values';
import { estateReportInput } from './support/report-cases';
import { buildStateRepo, syntheticSpecs } from './support/values-builder';

const FIXTURE = path.join(__dirname, 'fixtures', 'report-bytes.json');
const UPDATE = process.env.UPDATE_FIXTURES === '1';

function cases(): Record<string, () => ReportInput> {
  return {
    'estate of 300 images with a status file': () => estateReportInput(300, 300),
    'estate of 300 images, no status': () => {
      const { values, states } = estateReportInput(300, 300);
      return { values, states };
    },
    'estate of 40 images with a status file': () => estateReportInput(40, 40),
    'bench/report.ts synthetic, 300 images': () => {
      const { config, states } = buildStateRepo(syntheticSpecs(300));
      return { values: valuesOf(config, states), states };
    },
  };
}

test('each page hashes as recorded in test/fixtures/report-bytes.json', () => {
  const hashes: Record<string, string> = {};
  for (const [name, input] of Object.entries(cases())) {
    const html = renderReportHtml(reportView(input()));
    hashes[name] = createHash('sha256').update(html, 'utf8').digest('hex');
    if (process.env.REPORT_BYTES_OUT) fs.writeFileSync(path.join(process.env.REPORT_BYTES_OUT, `${name.replace(/[^a-z0-9]+/gi, '-')}.html`), html);
  }
  if (UPDATE) fs.writeFileSync(FIXTURE, `${JSON.stringify(hashes, null, 2)}\n`);
  const recorded = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as Record<string, string>;
  for (const name of Object.keys(hashes)) assert.is(hashes[name], recorded[name], `${name}: the page's bytes changed`);
  assert.equal(Object.keys(recorded).sort(), Object.keys(hashes).sort(), 'a hash per case, no stale ones');
});

test('the generated estate draws every part of the page the hashes stand for', () => {
  const html = renderReportHtml(reportView(estateReportInput(300, 300)));
  for (const part of ['class="edge image"', 'class="edge pinned"', 'class="edge base"', 'class="warnings"', 'class="base changed"', 'state-due', 'state-unchecked', 'Registry errors', 'not analyzed yet', '2026-11-29 12:00 UTC']) {
    assert.ok(html.includes(part), part);
  }
  // Bends: an edge crossing a column has more than one curve segment.
  assert.match(html, /d="M[\d.,]+ C[^"]* C[^"]*"/);
});

test.run();
