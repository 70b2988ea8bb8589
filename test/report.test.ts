// `image-factory report`: the page for the exemplar, written whole and only when it changes, the
// same bytes every run; --status read and refused with file:line:col; and every string from the
// state repo or the status file escaped (the browser suite loads the same pages in Chromium).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { main } from '../generator/src/cli/cli';
import { renderGraph } from '../generator/src/core/graph-render';
import { renderReportHtml } from '../generator/src/cli/report-html';
import { reportView } from '../generator/src/core/report-model';
import { loadValues } from '../generator/src/cli/values-file';
import { valuesOf } from '../generator/src/core/values';
import { exemplarStatusJson, HOSTILE, hostileReportInput } from './support/report-cases';
import { buildStateRepo } from './support/values-builder';
import { captureOutput, copyTree, removeTempDirs, tempDir } from './support/tree';

const EXEMPLAR = path.resolve(__dirname, '../examples/exemplar');
const run = (args: string[]) => captureOutput(() => main(['node', 'image-factory', ...args]));

/** Every href and src attribute value in the page, unescaped as a browser reads them. */
function links(html: string): string[] {
  return [...html.matchAll(/\s(?:href|src|xlink:href)="([^"]*)"/g)].map((m) => m[1].replace(/&amp;/g, '&').replace(/&#x3D;/g, '='));
}

test.after(removeTempDirs);

test('the exemplar: index.html with the whole graph, links inside the page or to GitHub, written once', async () => {
  const out = path.join(tempDir('report'), 'site');
  const first = await run(['report', '--root', EXEMPLAR, '--out', out]);
  assert.is(first.result, 0, first.stderr);
  assert.match(first.stdout, /wrote .*site\/index\.html/);
  assert.equal(fs.readdirSync(out), ['index.html'], 'only the page, no journal or temp file left');
  const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  const graph = JSON.parse(renderGraph(loadValues({ root: EXEMPLAR }), 'json')) as { nodes: unknown[]; edges: unknown[] };
  assert.is([...html.matchAll(/<g class="node /g)].length, graph.nodes.length, 'a box per graph node');
  assert.is([...html.matchAll(/<path class="edge /g)].length, graph.edges.length, 'a curve per graph edge');
  const ids = new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]));
  for (const link of links(html)) {
    if (link.startsWith('#')) assert.ok(ids.has(link.slice(1)), `${link} names an element of the page`);
    else assert.match(link, /^https:\/\/github\.com\/acme\/(images-state|image-factory)(\/|$)/, 'other links go to the source repositories');
  }
  assert.ok(links(html).includes('https://github.com/acme/images-state/blob/main/example-images/nginx/Dockerfile'));
  assert.ok(links(html).includes('https://github.com/acme/images-state/actions/workflows/build-nginx.yml'));
  assert.not.match(html, /\ssrc=|<link\s|@import|url\(http/, 'nothing loaded from anywhere');
  assert.not.match(html, /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z">[^<]*<\/time>\s*&middot;/, 'no time of making unless one is passed in');

  const again = await run(['report', '--root', EXEMPLAR, '--out', out]);
  assert.is(again.result, 0);
  assert.match(again.stdout, /index\.html is up to date/);
  assert.is(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), html, 'the same state repo, the same bytes');
  const stamped = await run(['report', '--root', EXEMPLAR, '--out', out, '--generated-at', '2026-12-01T08:00:00Z']);
  assert.is(stamped.result, 0);
  assert.match(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), /<time datetime="2026-12-01T08:00:00Z">2026-12-01 08:00 UTC<\/time>/);
});

test('--status: states, digests and registry errors shown; a bad file is refused at its line and column, nothing written', async () => {
  const dir = tempDir('report-status');
  const statusFile = path.join(dir, 'status.json');
  fs.writeFileSync(statusFile, exemplarStatusJson());
  const out = path.join(dir, 'site');
  const ok = await run(['report', '--root', EXEMPLAR, '--out', out, '--status', statusFile]);
  assert.is(ok.result, 0, ok.stderr);
  const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  assert.match(html, /<article class="image state-due" id="image-nginx">/);
  assert.match(html, /<li class="badge state-due">1 rebuild due<\/li>/);
  assert.match(html, /<tr class="base changed">[\s\S]*?nginx:1\.27-alpine[\s\S]*?sha256:eeeeeeeeeeee…[\s\S]*?sha256:dddddddddddd…[\s\S]*?<time datetime="2026-11-22T08:00:00Z">/);
  assert.match(html, /image image-factory-analysis, registry ghcr\.io: GET \/v2\/: 401 Unauthorized/);

  const bad = exemplarStatusJson().replace('"state": "due"', '"state": "late"');
  fs.writeFileSync(statusFile, bad);
  const line = bad.split('\n').findIndex((l) => l.includes('"late"')) + 1;
  const refused = await run(['report', '--root', EXEMPLAR, '--out', path.join(dir, 'other'), '--status', statusFile]);
  assert.is(refused.result, 1);
  assert.match(refused.stderr, new RegExp(`status\\.json:${line}:16: "state" must be one of up-to-date, due, waiting, pinned, unresolved, unknown; write the file again`));
  assert.not.ok(fs.existsSync(path.join(dir, 'other')), 'nothing written');
  assert.not.match(refused.stderr, /\n\s+at /, 'no stack trace');

  fs.writeFileSync(statusFile, exemplarStatusJson().replace('"nginx"', '"ngnix"'));
  const stranger = await run(['report', '--root', EXEMPLAR, '--out', out, '--status', statusFile]);
  assert.is(stranger.result, 1);
  assert.match(stranger.stderr, /status\.json:\d+:\d+: image "ngnix" is not enrolled/);
  assert.is(fs.readFileSync(path.join(out, 'index.html'), 'utf8'), html, 'the page written before is left as it was');

  fs.writeFileSync(statusFile, '{"images": [}');
  assert.match((await run(['report', '--root', EXEMPLAR, '--out', out, '--status', statusFile])).stderr, /status\.json:1:13: not valid JSON/);
  assert.match((await run(['report', '--root', EXEMPLAR, '--out', out, '--status', path.join(dir, 'nope.json')])).stderr, /nope\.json: no such file/);
});

test('what lastRebuild records is shown: the digest each base was built on, when, and the last rebuild', async () => {
  const root = path.join(tempDir('report-rebuilt'), 'repo');
  copyTree(EXEMPLAR, root);
  const stateFile = path.join(root, 'images', 'api.yaml');
  const uv = `sha256:${'7'.repeat(64)}`;
  fs.writeFileSync(
    stateFile,
    fs
      .readFileSync(stateFile, 'utf8')
      .replace(/lastRebuild:\n  at: ""\n  base: ""\n  digest: ""/, `lastRebuild:\n  at: "2026-11-29T12:00:00Z"\n  base: ghcr.io/astral-sh/uv:0.5.11\n  digest: ${uv}`)
      .replace(/(ref: ghcr\.io\/astral-sh\/uv:0\.5\.11\n      digest: )""\n      at: ""/, `$1${uv}\n      at: "2026-11-29T11:58:00Z"`),
  );
  const out = path.join(root, 'site');
  const written = await run(['report', '--root', root, '--out', out]);
  assert.is(written.result, 0, written.stderr);
  const html = fs.readFileSync(path.join(out, 'index.html'), 'utf8');
  const api = html.slice(html.indexOf('id="image-api"'), html.indexOf('</article>', html.indexOf('id="image-api"')));
  assert.match(api, /<dt>last rebuild<\/dt><dd><time datetime="2026-11-29T12:00:00Z">2026-11-29 12:00 UTC<\/time>, for <code>ghcr\.io\/astral-sh\/uv:0\.5\.11 @ sha256:777777777777…<\/code>/);
  assert.match(api, new RegExp(`uv:0\\.5\\.11</code>[\\s\\S]*?<code title="${uv}">sha256:777777777777…</code>[\\s\\S]*?<time datetime="2026-11-29T11:58:00Z">`));
});

test('--out names a file: refused; a missing state repo: refused', async () => {
  const dir = tempDir('report-out');
  fs.writeFileSync(path.join(dir, 'file'), 'x');
  const onFile = await run(['report', '--root', EXEMPLAR, '--out', path.join(dir, 'file')]);
  assert.is(onFile.result, 1);
  assert.match(onFile.stderr, /file: is a file, where the --out folder should be/);
  const badTime = await run(['report', '--root', EXEMPLAR, '--out', path.join(dir, 'site'), '--generated-at', 'yesterday']);
  assert.is(badTime.result, 1);
  assert.match(badTime.stderr, /^--generated-at: "yesterday" is not an RFC 3339 time/);
  const noRepo = await run(['report', '--root', path.join(dir, 'none'), '--out', path.join(dir, 'site')]);
  assert.is(noRepo.result, 1);
  assert.match(noRepo.stderr, /images\.yaml/);
});

test('hostile names, paths, URLs and messages are escaped; no link but to the page or https://github.com', () => {
  const html = renderReportHtml(reportView(hostileReportInput()));
  assert.is(html.split('<script').length - 1, 1, 'one script element: the page\u2019s own');
  assert.not.ok(html.includes(HOSTILE.name), 'the <script> name never appears unescaped');
  assert.not.ok(html.includes(HOSTILE.img), 'nor the <img> message');
  assert.not.ok(html.includes(HOSTILE.quote), 'nor the quote that would close an attribute');
  assert.ok(html.includes('&lt;script&gt;window.pwned&#x3D;1&lt;/script&gt;'), 'the name is shown, escaped');
  for (const link of links(html)) {
    assert.ok(link.startsWith('#') || link.startsWith('https://github.com/'), `link ${link}`);
    assert.not.match(link, /javascript:/i);
  }
  assert.not.match(html, /href="[^"#]*evil/, 'a path leaving the repository gets no link');
  assert.not.match(html, /\son[a-z]+="/, 'no event handler attribute');
});

test('the same input gives the same page; the order of the input does not matter', () => {
  const input = hostileReportInput();
  const reversed = { ...input, values: { ...input.values, images: [...input.values.images].reverse(), bases: [...input.values.bases].reverse() } };
  assert.is(renderReportHtml(reportView(reversed)), renderReportHtml(reportView(input)));
});

test('an image built on two tags of its parent is listed once under the parent', () => {
  const { config, states } = buildStateRepo([
    { name: 'base', bases: ['node:22'] },
    { name: 'app', bases: ['ghcr.io/acme/base:1', 'ghcr.io/acme/base:2'] },
  ]);
  const view = reportView({ values: valuesOf(config, states), states });
  assert.equal(view.images.find((i) => i.name === 'base')!.children, [{ name: 'app', href: '#image-app' }]);
  assert.match(renderReportHtml(view), /<dt>rebuilds<\/dt><dd><a href="#image-app">app<\/a><\/dd>/);
});

test.run();
