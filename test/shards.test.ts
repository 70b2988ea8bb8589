// Sharding a large estate over several chart releases (images.yaml `shards`): which shard each
// image goes to, what is refused and where, generate's dist/values-<shard>.yaml files, and that the
// shards' rendered objects together are exactly the whole estate's (modulo each release's Project).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { parseImagesConfig } from '../generator/src/core/config';
import { UserError } from '../generator/src/core/errors';
import { main } from '../generator/src/cli/cli';
import { shardOfImages, shardValuesOf } from '../generator/src/core/shards';
import { valuesOf } from '../generator/src/core/values';
import type { ImagesConfig } from '../generator/src/core/types';
import { asWritten, buildStateRepo, syntheticSpecs } from './support/values-builder';
import { render, type K8sObject } from './support/helm';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';

test.after(removeTempDirs);

const HEAD = `stateRepo:
  url: https://github.com/acme/images-state.git
`;
const entry = (name: string) => `  - name: ${name}
    registry: ghcr.io
    repository: acme/${name}
    source: {dockerfile: ${name}/Dockerfile, workflow: build.yml}
`;

function configOf(shards: string, names: string[]): ImagesConfig {
  return parseImagesConfig(`${HEAD}${shards}images:\n${names.map(entry).join('')}`, 'images.yaml');
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof UserError) return e.problems.map((p) => `${p.line}:${p.col}: ${p.message}`);
    throw e;
  }
  assert.unreachable('expected a UserError');
  return [];
}

test('each image goes to the shard with the longest prefix of its name; "" takes the rest', () => {
  const config = configOf(
    `shards:
  - name: payments
    prefixes: [pay-, billing-]
  - name: payments-gateway
    prefixes: [pay-gw-]
  - name: rest
    prefixes: [""]
`,
    ['pay-api', 'pay-gw-edge', 'billing-worker', 'web', 'payroll'],
  );
  assert.equal(config.shards?.map((s) => [s.name, s.prefixes.map((p) => p.prefix), s.position.line]), [
    ['payments', ['pay-', 'billing-'], 4],
    ['payments-gateway', ['pay-gw-'], 6],
    ['rest', [''], 8],
  ]);
  const shardOf = shardOfImages(config);
  assert.equal(Object.fromEntries(shardOf), { 'billing-worker': 'payments', 'pay-api': 'payments', 'pay-gw-edge': 'payments-gateway', payroll: 'rest', web: 'rest' });
});

test('refused, each at its line and column: an unmatched image, a name or prefix used twice', () => {
  const shards = `shards:
  - name: a
    prefixes: [api-]
  - name: a
    prefixes: [web-, api-]
`;
  const config = configOf(shards, ['api-one', 'web-two', 'tool']);
  assert.equal(problemsOf(() => shardOfImages(config)), [
    '6:5: shard name "a" is used twice (first at line 4, column 5); give each shard its own name',
    '7:22: prefix "api-" is already taken by shard "a" (line 5, column 16); a prefix belongs to one shard',
  ]);
  const unmatched = configOf('shards:\n  - name: a\n    prefixes: [api-]\n', ['api-one', 'tool-x']);
  assert.equal(problemsOf(() => shardOfImages(unmatched)), [
    '11:5: image "tool-x" matches no shard\'s prefixes; add a prefix for it to a shard (e.g. "tool-"), or give one shard the prefix "" to take every image left over',
  ]);
  const badName = problemsOf(() => configOf('shards:\n  - name: Payments\n    prefixes: []\n', ['api-one']));
  assert.equal(badName.length, 2, badName.join('\n'));
  assert.match(badName.join('\n'), /4:11: .*"Payments" is not a valid shard name/);
});

/** Objects keyed kind/name, with the release's Project named as the whole's, so releases compare. */
function byKey(objects: K8sObject[], project: string): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const o of objects) {
    if (o.kind === 'Project' || o.kind === 'ProjectConfig') continue;
    const text = JSON.stringify(o).replace(new RegExp(`${project}(?![a-z0-9-])`, 'g'), 'image-factory');
    out.set(`${o.kind}/${o.metadata.name}`, JSON.parse(text));
  }
  return out;
}

test('the shards\u2019 rendered objects together are the whole estate\u2019s, each shard in its own Project', async () => {
  // 60 images, chains within tens (img-09 on img-08), bases shared across shards, every fourth image
  // external; shard "odd" takes two chained children away from their parents.
  const specs = syntheticSpecs(60).map((s, i) => (i % 4 === 0 ? { ...s, local: false, repo: `acme/${s.name}` } : s));
  const { config, states } = buildStateRepo(specs);
  config.shards = [
    { name: 'north', prefixes: [{ prefix: 'img-0', position: { line: 1, col: 1 } }, { prefix: 'img-1', position: { line: 1, col: 1 } }], position: { line: 1, col: 1 } },
    { name: 'south', prefixes: [{ prefix: 'img-2', position: { line: 1, col: 1 } }], position: { line: 1, col: 1 } },
    { name: 'odd', prefixes: [{ prefix: 'img-09', position: { line: 1, col: 1 } }, { prefix: 'img-19', position: { line: 1, col: 1 } }], position: { line: 1, col: 1 } },
    { name: 'rest', prefixes: [{ prefix: '', position: { line: 1, col: 1 } }], position: { line: 1, col: 1 } },
  ];
  const wholeValues = valuesOf(config, states);
  const whole = await render(asWritten(wholeValues));
  const shards = shardValuesOf(config, wholeValues);
  assert.equal([...shards.keys()], ['north', 'south', 'odd', 'rest']);
  assert.equal([...shards.values()].map((v) => v.images.length), [18, 10, 2, 30]);
  assert.equal(shards.get('odd')!.images.map((i) => i.upstreams.find((u) => u.kind === 'image')?.image), ['img-08', 'img-18'], 'a chain across shards keeps its link');
  for (const v of shards.values()) {
    const own = new Set(v.images.map((i) => i.name));
    const used = new Set(v.images.flatMap((i) => i.upstreams.map((u) => u.ref)));
    assert.equal(v.bases.map((b) => b.ref), wholeValues.bases.map((b) => b.ref).filter((ref) => used.has(ref)), 'a shard polls exactly the bases its own images use');
  }

  const wholeObjects = byKey(whole.objects, 'image-factory');
  const allowlist = (objects: K8sObject[]) => objects.filter((o) => o.kind === 'ConfigMap').flatMap((o) => Object.values(o.data).flatMap((t) => JSON.parse(String(t)).allowedRepositories as string[]));
  const union = new Set<string>();
  const allowed: string[] = [];
  for (const [name, values] of shards) {
    const project = `image-factory-${name}`;
    assert.is(values.project.name, project);
    const { objects } = await render(asWritten(values));
    assert.ok(objects.filter((o) => o.kind !== 'Project').every((o) => o.metadata.namespace === project), `${name}: every object in its Project`);
    allowed.push(...allowlist(objects));
    for (const [key, object] of byKey(objects, project)) {
      union.add(key);
      if (key.startsWith('ConfigMap/')) continue;
      const expected = structuredClone(wholeObjects.get(key)) as K8sObject | undefined;
      assert.ok(expected, `${name}: ${key} is not in the whole`);
      // The pods roll on their own allowlist, the one object a shard holds differently.
      if (key.startsWith('Deployment/')) delete expected.spec.template.metadata.annotations['checksum/allowlist'], delete (object as K8sObject).spec.template.metadata.annotations['checksum/allowlist'];
      assert.equal(object, expected, `${name}: ${key}`);
    }
  }
  assert.equal([...union].sort(), [...wholeObjects.keys()].sort());
  assert.equal(allowed.sort(), allowlist(whole.objects).sort());
  assert.is(allowed.length, wholeValues.externalRepositories.length);
  assert.ok(allowed.length > 0);
});

test('generate writes dist/values-<shard>.yaml for each shard, removes a dropped shard\u2019s file, and leaves other files alone', async () => {
  const root = tempDir('shards');
  const names = ['api-one', 'api-two', 'web'];
  for (const n of names) {
    fs.mkdirSync(path.join(root, n));
    fs.writeFileSync(path.join(root, n, 'Dockerfile'), n === 'api-two' ? 'FROM ghcr.io/acme/api-one:1\n' : 'FROM node:22\n');
  }
  const write = (shards: string) => fs.writeFileSync(path.join(root, 'images.yaml'), `${HEAD}${shards}images:\n${names.map(entry).join('')}`);
  const generate = async () => {
    const { result, stdout, stderr } = await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', root, '--summary']));
    assert.is(result, 0, stderr);
    return stdout;
  };
  write('shards:\n  - name: api\n    prefixes: [api-]\n  - name: rest\n    prefixes: [""]\n');
  fs.mkdirSync(path.join(root, 'dist'));
  fs.writeFileSync(path.join(root, 'dist', 'values-mine.yaml'), 'project: {name: mine}\n');
  const summary = await generate();
  assert.match(summary, '2 shard(s), one release and Kargo Project each; shared bases are polled once per shard: 3 base Warehouse(s) in all for 2 base image(s)');
  const api = parse(fs.readFileSync(path.join(root, 'dist', 'values-api.yaml'), 'utf8'));
  assert.is(api.project.name, 'image-factory-api');
  assert.equal(api.images.map((i: { name: string }) => i.name), ['api-one', 'api-two']);
  assert.equal(parse(fs.readFileSync(path.join(root, 'dist', 'values-rest.yaml'), 'utf8')).images.map((i: { name: string }) => i.name), ['web']);
  assert.equal(parse(fs.readFileSync(path.join(root, 'dist', 'values.yaml'), 'utf8')).images.length, 3, 'the whole estate is still written');

  write('shards:\n  - name: all\n    prefixes: [""]\n');
  await generate();
  assert.equal(fs.readdirSync(path.join(root, 'dist')).sort(), ['values-all.yaml', 'values-mine.yaml', 'values.yaml']);
});

test.run();
