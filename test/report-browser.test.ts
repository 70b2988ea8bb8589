// The report in a real headless Chromium (Debian's chromium package; .ci/run installs it): the
// exemplar's page loads with no console error and no request but for itself, its graph has a box
// per node and a curve per edge of `image-factory graph --format json`, every in-page link lands on
// an element, and its script ran under the page's Content Security Policy. A hostile page runs no
// script of its own making.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../generator/src/cli/cli';
import { renderGraph } from '../generator/src/core/graph-render';
import { renderReportHtml } from '../generator/src/cli/report-html';
import { reportView } from '../generator/src/core/report-model';
import { loadValues } from '../generator/src/cli/values-file';
import { Chromium } from './support/chromium';
import { exemplarStatusJson, hostileReportInput } from './support/report-cases';
import { requiredBinary } from './support/shared';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

const SUITE = 'report-browser';
const EXEMPLAR = path.resolve(__dirname, '../examples/exemplar');
const binary = requiredBinary('chromium', SUITE);

interface PageFacts {
  nodes: number;
  edges: number;
  imageNodes: number;
  scripts: number;
  ages: string | null;
  brokenAnchors: string[];
  externalLinks: string[];
  handlers: number;
  pwned: unknown;
  graphBox: { width: number; height: number };
}

const FACTS = `(() => {
  const anchors = [...document.querySelectorAll('a[href]')].map((a) => a.getAttribute('href'));
  const box = document.querySelector('svg.graph').getBoundingClientRect();
  return {
    nodes: document.querySelectorAll('svg.graph g.node').length,
    edges: document.querySelectorAll('svg.graph path.edge').length,
    imageNodes: document.querySelectorAll('svg.graph a > g.node.image').length,
    scripts: document.scripts.length,
    ages: document.documentElement.getAttribute('data-ages'),
    brokenAnchors: anchors.filter((h) => h.startsWith('#') && !document.getElementById(decodeURIComponent(h.slice(1)))),
    externalLinks: anchors.filter((h) => !h.startsWith('#')),
    handlers: [...document.querySelectorAll('*')].filter((e) => [...e.attributes].some((a) => a.name.startsWith('on'))).length,
    pwned: window.pwned,
    graphBox: { width: box.width, height: box.height },
  };
})()`;

if (binary !== undefined) {
  let browser: Chromium;
  test.before(() => {
    browser = Chromium.launch(binary);
  });
  test.after(async () => {
    await browser.close();
    removeTempDirs();
  });

  const load = async (file: string) => {
    const page = await browser.openPage();
    await page.goto(pathToFileURL(file).href);
    return { page, facts: await page.evaluate<PageFacts>(FACTS) };
  };

  test('the exemplar report loads without errors or requests, draws the whole graph, and every link resolves', async () => {
    const dir = tempDir(SUITE);
    const statusFile = path.join(dir, 'status.json');
    fs.writeFileSync(statusFile, exemplarStatusJson());
    for (const extra of [[], ['--status', statusFile]]) {
      const out = path.join(dir, `site${extra.length}`);
      const written = await captureOutput(() => main(['node', 'image-factory', 'report', '--root', EXEMPLAR, '--out', out, ...extra]));
      assert.is(written.result, 0, written.stderr);
      const file = path.join(out, 'index.html');
      const { page, facts } = await load(file);
      assert.equal(page.report.errors, [], 'no console error, exception or CSP violation');
      assert.equal(page.report.requests, [pathToFileURL(file).href], 'no request but for the page itself');
      const graph = JSON.parse(renderGraph(loadValues({ root: EXEMPLAR }), 'json')) as { nodes: { kind: string }[]; edges: unknown[] };
      assert.is(facts.nodes, graph.nodes.length, 'a box per node');
      assert.is(facts.edges, graph.edges.length, 'a curve per edge');
      assert.is(facts.imageNodes, graph.nodes.filter((n) => n.kind === 'image').length, 'every image box links to its section');
      assert.ok(facts.graphBox.width > 300 && facts.graphBox.height > 100, `the graph is drawn (${JSON.stringify(facts.graphBox)})`);
      assert.equal(facts.brokenAnchors, []);
      for (const link of facts.externalLinks) assert.match(link, /^https:\/\/github\.com\//);
      assert.ok(Number(facts.ages) > 0, 'the page script ran (its hash is in the CSP) and showed ages');
      assert.is(facts.scripts, 1);
    }
  });

  test('a hostile report runs nothing but its own script and keeps every link inside the page or on GitHub', async () => {
    const file = path.join(tempDir(SUITE), 'index.html');
    fs.writeFileSync(file, renderReportHtml(reportView(hostileReportInput())));
    const { page, facts } = await load(file);
    assert.is(facts.pwned, undefined, 'no injected script ran');
    assert.is(facts.scripts, 1);
    assert.is(facts.handlers, 0, 'no event handler attribute');
    assert.equal(facts.brokenAnchors, []);
    for (const link of facts.externalLinks) assert.match(link, /^https:\/\/github\.com\//);
    assert.equal(page.report.errors, []);
    assert.is(page.report.requests.length, 1, 'no request (the <img> in a message stayed text)');
  });
}

test.run();
