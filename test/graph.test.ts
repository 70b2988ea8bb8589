import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { valuesOf } from '../generator/src/core/values';
import { writtenValuesOf } from '../generator/src/core/written-values';
import { edgesOf } from '../generator/src/core/edges';
import { analysisRecordOf, imageStateOf, type ImageState } from '../generator/src/core/state';
import { parseImageRef } from '../generator/src/core/image-ref';
import type { ImageEnrollment } from '../generator/src/core/types';
import type { ChartValues } from '../generator/src/core/values-types';
import { assertAcyclic, findCycles, rebuildOrder } from '../generator/src/core/graph';
import { formatDelay, impactOf, renderImpact } from '../generator/src/core/impact';
import { renderGraph } from '../generator/src/core/graph-render';
import { isUserError } from '../generator/src/core/errors';
import { loadValues } from '../generator/src/cli/values-file';
import { main } from '../generator/src/cli/cli';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

const FIXTURE = path.join(__dirname, 'fixtures', 'graph-12-images');
const fixtureValues = (): ChartValues => loadValues({ values: path.join(FIXTURE, 'values.yaml') });
const expected = (name: string) => fs.readFileSync(path.join(FIXTURE, name), 'utf8');

/** Values built by the real values builder from "image name → FROM refs" (ghcr.io/acme/<name> images). */
function valuesFrom(spec: Record<string, { from: string[]; delay?: string; auto?: boolean }>): ChartValues {
  const images: ImageEnrollment[] = Object.keys(spec)
    .sort()
    .map((name, i) => ({
      name,
      registry: 'ghcr.io',
      repository: `acme/${name}`,
      source: { provider: 'github', repo: 'acme/images', branch: 'main', dockerfile: `${name}/Dockerfile`, workflow: 'build.yml', buildArgs: {} },
      rebuildDelay: spec[name].delay ?? '1d',
      autoRebuild: spec[name].auto ?? true,
      subscription: { imageSelectionStrategy: 'NewestBuild' },
      dispatchInputs: {},
      local: false,
      position: { line: i + 1, col: 1 },
    }));
  const states = new Map<string, ImageState>();
  for (const image of images) {
    const bases = spec[image.name].from.map((f, i) => ({ ...parseImageRef(f), line: i + 1 }));
    states.set(image.name, imageStateOf(image, analysisRecordOf({ bases, copies: [], warnings: [] }, { commit: 'a'.repeat(40), analyzedAt: '2026-01-01T00:00:00Z' })));
  }
  return valuesOf({ file: 'images.yaml', images, baseImages: [] }, states);
}

function errorOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    assert.ok(isUserError(e), `expected a UserError, got ${String(e)}`);
    return (e as Error).message;
  }
  assert.unreachable('expected an error');
  return '';
}

test.after(removeTempDirs);

test('a two-image cycle is found and named from the smallest name', () => {
  const values = valuesFrom({ b: { from: ['ghcr.io/acme/a:1'] }, a: { from: ['ghcr.io/acme/b:1'] } });
  assert.equal(findCycles(values), [['a', 'b']]);
  assert.match(errorOf(() => assertAcyclic(values)), 'image cycle: a \u2192 b \u2192 a');
});

test('a three-image cycle with a tail reports only the cycle', () => {
  const values = valuesFrom({
    x: { from: ['ghcr.io/acme/z:1'] },
    y: { from: ['ghcr.io/acme/x:1'] },
    z: { from: ['ghcr.io/acme/y:1'] },
    tail: { from: ['ghcr.io/acme/x:1', 'node:22'] },
    root: { from: ['node:22'] },
  });
  assert.equal(findCycles(values), [['x', 'y', 'z']]);
  const message = errorOf(() => rebuildOrder(values));
  assert.match(message, 'image cycle: x \u2192 y \u2192 z \u2192 x');
  assert.not.match(message, 'tail');
});

test('an image built FROM itself is a cycle of one', () => {
  const values = valuesFrom({ self: { from: ['ghcr.io/acme/self:1'] }, other: { from: ['node:22'] } });
  assert.equal(findCycles(values), [['self']]);
  const message = errorOf(() => impactOf(values, 'node:22'));
  assert.match(message, 'image cycle: self \u2192 self');
  assert.match(message, 'built FROM its own image');
});

test('two separate cycles are both reported, and the shortest way round is named', () => {
  const values = valuesFrom({
    a: { from: ['ghcr.io/acme/c:1'] },
    b: { from: ['ghcr.io/acme/a:1'] },
    c: { from: ['ghcr.io/acme/b:1', 'ghcr.io/acme/a:1'] },
    p: { from: ['ghcr.io/acme/q:1'] },
    q: { from: ['ghcr.io/acme/p:1'] },
  });
  // a → c (c builds on a) → a is shorter than a → b → c → a.
  assert.equal(findCycles(values), [['a', 'c'], ['p', 'q']]);
  const message = errorOf(() => renderGraph(values, 'mermaid'));
  assert.match(message, 'image cycle: a \u2192 c \u2192 a');
  assert.match(message, 'image cycle: p \u2192 q \u2192 p');
});

test('the fixture has no cycle and a rebuild order that puts every parent first, ties by name', () => {
  const values = fixtureValues();
  assert.equal(findCycles(values), []);
  const order = rebuildOrder(values);
  assert.equal(order.length, 12);
  for (const e of edgesOf(values).filter((x) => x.fromKind === 'image')) {
    assert.ok(order.indexOf(e.from) < order.indexOf(e.to), `${e.from} before ${e.to}`);
  }
  assert.equal(order, [
    'node-base', 'node-build', 'os-base', 'python-base', 'python-app-base', 'api',
    'tools', 'api-debug', 'web', 'web-e2e', 'worker', 'reporter',
  ]);
  // The list order of the values does not matter.
  const shuffled: ChartValues = { ...values, images: [...values.images].reverse() };
  assert.equal(rebuildOrder(shuffled), order);
});

test('impact of a shared base: rebuild order, own delay, shortest cumulative delay along the chain', () => {
  const impact = impactOf(fixtureValues(), 'python:3.12-slim');
  assert.is(impact.ref, 'docker.io/library/python:3.12-slim');
  assert.equal(impact.images.map((e) => [e.name, e.rebuildDelay, e.cumulativeDelay]), [
    ['python-base', '2d', '2d'],
    ['python-app-base', '12h', '2d12h'],
    ['api', '1d', '3d12h'],
    ['api-debug', '1h', '3d13h'],
    ['worker', '3d', '5d12h'],
    // reporter uses python:3.12-slim itself, so its own 6h wins over the chain through worker.
    ['reporter', '6h', '6h'],
  ]);
  const reporter = impact.images.find((e) => e.name === 'reporter')!;
  assert.is(reporter.triggerKind, 'base');
  assert.equal(impact.images.find((e) => e.name === 'worker')!.via, ['python-base', 'python-app-base']);
  assert.equal(JSON.parse(expected('impact-python-3.12-slim.json')), JSON.parse(JSON.stringify(impact)));
  // The canonical spelling asks the same question.
  assert.equal(impactOf(fixtureValues(), 'docker.io/library/python:3.12-slim').images, impact.images);
});

test('impact through a manual image is marked manual, and pinned users are listed apart', () => {
  const impact = impactOf(fixtureValues(), 'debian:bookworm-slim');
  assert.equal(impact.images.map((e) => e.name), ['node-build', 'os-base', 'tools', 'api-debug', 'web', 'web-e2e', 'worker', 'reporter']);
  const by = new Map(impact.images.map((e) => [e.name, e]));
  assert.is(by.get('tools')!.automatic, false);
  assert.is(by.get('api-debug')!.automatic, false);
  assert.is(by.get('api-debug')!.cumulativeDelay, '8d1h');
  assert.is(by.get('web-e2e')!.cumulativeDelay, '7d');
  assert.is(by.get('node-build')!.cumulativeSeconds, 0);
  assert.is(renderImpact(impact), expected('impact-debian-bookworm-slim.txt'));

  const alpine = impactOf(fixtureValues(), 'alpine');
  assert.equal(alpine.images, []);
  assert.equal(alpine.pinnedBy, ['web-e2e']);
  assert.is(alpine.anyTag, true);
  assert.equal(impactOf(fixtureValues(), 'alpine:3.20').pinnedBy, ['web-e2e']);
  assert.equal(impactOf(fixtureValues(), 'alpine:3.19').pinnedBy, []);
});

test('impact of an enrolled image is its chain; without a tag every tag in use matches', () => {
  const chain = impactOf(fixtureValues(), 'ghcr.io/acme/python-base:3.12');
  assert.is(chain.matchedImage, 'python-base');
  assert.equal(chain.images.map((e) => [e.name, e.cumulativeDelay]), [
    ['python-app-base', '12h'],
    ['api', '1d12h'],
    ['api-debug', '1d13h'],
    ['worker', '3d12h'],
    ['reporter', '3d18h'],
  ]);
  const values = valuesFrom({ a: { from: ['node:20'], delay: '1d' }, b: { from: ['node:22'], delay: '2h' }, c: { from: ['nodejs:22'] } });
  assert.equal(impactOf(values, 'node').matchedBases, ['docker.io/library/node:20', 'docker.io/library/node:22']);
  assert.equal(impactOf(values, 'node').images.map((e) => e.name), ['a', 'b']);
  assert.equal(impactOf(values, 'node:22').images.map((e) => e.name), ['b']);
  assert.equal(impactOf(values, 'node:18').images, []);
  assert.match(renderImpact(impactOf(values, 'node:18')), 'No enrolled image watches docker.io/library/node:18: nothing rebuilds.');
});

test('impact refuses a malformed reference with the reason', () => {
  assert.match(errorOf(() => impactOf(fixtureValues(), 'Node:22!')), 'invalid image reference');
  assert.match(errorOf(() => impactOf(fixtureValues(), '')), 'empty');
});

test('graph formats match the expected files and are well formed', () => {
  const values = fixtureValues();
  const mermaid = renderGraph(values, 'mermaid');
  const dot = renderGraph(values, 'dot');
  const json = renderGraph(values, 'json');
  assert.is(mermaid, expected('graph.mmd'));
  assert.is(dot, expected('graph.dot'));
  assert.is(json, expected('graph.json'));

  assert.ok(/^(graph|flowchart) /.test(mermaid));
  assert.ok(mermaid.endsWith('\n'));
  let depth = 0;
  let inString = false;
  for (let i = 0; i < dot.length; i++) {
    const c = dot[i];
    if (c === '\\' && inString) i++;
    else if (c === '"') inString = !inString;
    else if (!inString && c === '{') depth++;
    else if (!inString && c === '}') depth--;
    assert.ok(depth >= 0, 'a } closes nothing');
  }
  assert.is(depth, 0);
  assert.is(inString, false);
  assert.ok(dot.startsWith('digraph '));

  const doc = JSON.parse(json) as { nodes: { id: string; kind: string }[]; edges: { from: string; to: string; kind: string }[]; rebuildOrder: string[] };
  const ids = new Set(doc.nodes.map((n) => n.id));
  assert.is(ids.size, doc.nodes.length);
  assert.is(doc.nodes.filter((n) => n.kind === 'image').length, 12);
  assert.is(doc.nodes.filter((n) => n.kind === 'pinned').length, 1);
  for (const e of doc.edges) assert.ok(ids.has(e.from) && ids.has(e.to), `${e.from} -> ${e.to}`);
  assert.is(doc.edges.length, edgesOf(values).length);
  assert.equal(doc.rebuildOrder, rebuildOrder(values));
  // Node ids are safe in every format.
  for (const id of ids) assert.ok(/^[a-z][a-z0-9_]*$/.test(id), id);
  // Pinned bases are drawn apart from watched ones.
  assert.match(mermaid, /pin_0 -\.->\|"pinned"\| img_web_e2e/);
  assert.match(mermaid, /class pin_0 pinned;/);
  assert.match(dot, /"pin_0" -> "img_web_e2e" \[style=dashed/);
});

test('graph output does not depend on the order of the values lists', () => {
  const values = fixtureValues();
  const shuffled: ChartValues = {
    ...values,
    images: [...values.images].reverse(),
    bases: [...values.bases].reverse(),
  };
  for (const format of ['mermaid', 'dot', 'json'] as const) assert.is(renderGraph(shuffled, format), renderGraph(values, format));
});

test('formatDelay writes durations the way users do', () => {
  assert.is(formatDelay(0), '0');
  assert.is(formatDelay(7 * 86400), '7d');
  assert.is(formatDelay(2 * 86400 + 12 * 3600), '2d12h');
  assert.is(formatDelay(5400), '1h30m');
});

test('CLI: graph and impact read dist/values.yaml below --root', async () => {
  const root = tempDir('graph');
  fs.mkdirSync(path.join(root, 'dist'));
  fs.copyFileSync(path.join(FIXTURE, 'values.yaml'), path.join(root, 'dist', 'values.yaml'));
  const dot = await captureOutput(() => main(['node', 'image-factory', 'graph', '--root', root, '--format', 'dot']));
  assert.is(dot.result, 0);
  assert.is(dot.stdout, expected('graph.dot'));
  const json = await captureOutput(() => main(['node', 'image-factory', 'impact', 'python:3.12-slim', '--root', root, '--json']));
  assert.is(json.result, 0);
  assert.equal(JSON.parse(json.stdout), JSON.parse(expected('impact-python-3.12-slim.json')));
  const table = await captureOutput(() => main(['node', 'image-factory', 'impact', 'docker.io/library/debian:bookworm-slim', '--root', root]));
  assert.is(table.stdout, expected('impact-debian-bookworm-slim.txt'));
});

test('CLI: missing or malformed values and bad arguments fail clearly, without a stack trace', async () => {
  const root = tempDir('graph-bad');
  const missing = await captureOutput(() => main(['node', 'image-factory', 'graph', '--root', root]));
  assert.is(missing.result, 1);
  assert.match(missing.stderr, 'dist/values.yaml: no such file; run `image-factory generate');

  fs.mkdirSync(path.join(root, 'dist'));
  const file = path.join(root, 'dist', 'values.yaml');
  const doc = parseYaml(fs.readFileSync(path.join(FIXTURE, 'values.yaml'), 'utf8')) as ChartValues;
  (doc.images[2] as unknown as { upstreams: string[] }).upstreams[0] = 'Node:22';
  fs.writeFileSync(file, JSON.stringify(doc, null, 1));
  const bad = await captureOutput(() => main(['node', 'image-factory', 'impact', 'node:22', '--root', root]));
  assert.is(bad.result, 1);
  assert.match(bad.stderr, /values\.yaml:\d+:\d+: images\[2\]\.upstreams\[0\] "Node:22" does not match/);
  assert.match(bad.stderr, 'run `image-factory generate`');
  assert.not.match(bad.stderr, '    at ');

  fs.writeFileSync(file, '- just\n- a list\n');
  const notValues = await captureOutput(() => main(['node', 'image-factory', 'graph', '--values', file]));
  assert.is(notValues.result, 1);
  assert.match(notValues.stderr, 'is not chart values');

  const format = await captureOutput(() => main(['node', 'image-factory', 'graph', '--root', root, '--format', 'png']));
  assert.is.not(format.result, 0);
  assert.match(format.stderr, 'png');

  const cycle = valuesFrom({ a: { from: ['ghcr.io/acme/b:1'] }, b: { from: ['ghcr.io/acme/a:1'] } });
  fs.writeFileSync(file, JSON.stringify(writtenValuesOf(cycle)));
  const cyc = await captureOutput(() => main(['node', 'image-factory', 'graph', '--root', root]));
  assert.is(cyc.result, 1);
  assert.match(cyc.stderr, 'image cycle: a \u2192 b \u2192 a');
});

test.run();
