// `image-factory catalog`: Backstage Resource entities for the exemplar (names and dependsOn edges
// checked one by one), names valid and distinct for hostile image names and base references, the
// owner checked, the file written through the generator's writer, the same bytes every run.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments } from 'yaml';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { baseEntityName, catalogEntities, imageEntityName, isEntityName, ownerProblem, renderCatalog, type CatalogEntity } from '../generator/src/core/catalog';
import { main } from '../generator/src/cli/cli';
import { loadValues } from '../generator/src/cli/values-file';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';
import { buildValues } from './support/values-builder';

const EXEMPLAR = path.resolve(__dirname, '../examples/exemplar');
const run = (args: string[]) => captureOutput(() => main(['node', 'image-factory', ...args]));
const edgesOf = (entities: CatalogEntity[]) => Object.fromEntries(entities.map((e) => [e.metadata.name, e.spec.dependsOn ?? []]));

test.after(removeTempDirs);

test('the exemplar: one Resource per image and per base image, dependsOn the bases and parent images', () => {
  const entities = catalogEntities(loadValues({ root: EXEMPLAR }), 'group:platform');
  assert.equal(edgesOf(entities), {
    api: ['resource:base_ghcr.io-astral-sh-uv-0.5.11_63cfc95462', 'resource:python-base'],
    'image-factory-analysis': [],
    nginx: ['resource:base_nginx-1.27-alpine', 'resource:base_node-22-bookworm-slim'],
    'python-base': ['resource:base_python-3.12-slim-bookworm'],
    'base_ghcr.io-astral-sh-uv-0.5.11_63cfc95462': [],
    'base_nginx-1.27-alpine': [],
    'base_node-22-bookworm-slim': [],
    'base_python-3.12-slim-bookworm': [],
  });
  for (const e of entities) {
    assert.is(e.apiVersion, 'backstage.io/v1alpha1');
    assert.is(e.kind, 'Resource');
    assert.is(e.spec.type, 'container-image');
    assert.is(e.spec.owner, 'group:platform');
    assert.ok(isEntityName(e.metadata.name), e.metadata.name);
  }
  const names = new Set(entities.map((e) => e.metadata.name));
  for (const e of entities) for (const d of e.spec.dependsOn ?? []) assert.ok(names.has(d.replace(/^resource:/, '')), `${d} is an entity of the file`);
  const nginx = entities.find((e) => e.metadata.name === 'nginx')!;
  assert.equal(nginx.metadata.links, [
    { url: 'https://github.com/acme/images-state/blob/main/example-images/nginx/Dockerfile', title: 'Dockerfile' },
    { url: 'https://github.com/acme/images-state/actions/workflows/build-nginx.yml', title: 'Build workflow' },
  ]);
  assert.is(entities.find((e) => e.metadata.name === 'base_node-22-bookworm-slim')!.metadata.title, 'docker.io/library/node:22-bookworm-slim');
});

test('names: Backstage form, distinct by construction, even where image names and base slugs meet', () => {
  const values = buildValues([
    { name: 'node-22', bases: ['node:22'] }, // the image's name equals the base's slug
    { name: 'a--b', bases: ['ghcr.io/acme/a-b:1'] }, // "--" is not allowed in a Backstage name
    { name: 'a-b', bases: ['ghcr.io/acme/a--b:1', `alpine@sha256:${'e'.repeat(64)}`] },
    { name: 'x'.repeat(48), bases: [`registry.example.com:5000/${'deep/'.repeat(20)}name:${'t'.repeat(100)}`] },
    { name: 'chained', bases: ['ghcr.io/acme/a-b:latest'] },
  ]);
  const entities = catalogEntities(values, 'platform');
  const names = entities.map((e) => e.metadata.name);
  for (const n of names) assert.ok(isEntityName(n), `${n} is a valid Backstage name`);
  assert.is(new Set(names.map((n) => n.toLowerCase())).size, names.length, 'no two entities share a name, case aside');
  assert.ok(names.includes('node-22') && names.includes('base_node-22'));
  assert.ok(names.includes('a.2.b') && names.includes('a-b'));
  assert.equal(edgesOf(entities).chained, ['resource:a-b'], 'a chain link points at the image entity, not a base');
  assert.equal(edgesOf(entities)['a-b'].length, 2, 'a pinned base is an entity and an edge too');
  assert.ok(entities.some((e) => e.metadata.tags.includes('pinned-base-image')));
  // The rules, reversible: an image name never holds "." or "_"; base names all start "base_".
  assert.is(imageEntityName('a---b--c'), 'a.3.b.2.c');
  assert.is(baseEntityName('ghcr.io-acme-x--0123456789'), 'base_ghcr.io-acme-x_0123456789');
  assert.is(baseEntityName('x--0123456789'), 'base_x_0123456789');
  assert.throws(() => imageEntityName(Array.from({ length: 17 }, () => 'a').join('--')), /over 63 characters/);
});

test('the owner must be a Backstage entity reference', () => {
  for (const ok of ['platform', 'group:platform-team', 'group:default/platform', 'user:j.doe']) assert.is(ownerProblem(ok), undefined, ok);
  for (const bad of ['', 'group:', 'a b', 'group:platform--team', '-x', 'x'.repeat(64), 'group:ns/x/y', '<script>']) assert.ok(ownerProblem(bad), bad);
});

test('catalog --out FILE|DIR: multi-document YAML through the writer, deterministic; bad input refused without writing', async () => {
  const dir = tempDir('catalog');
  const toStdout = await run(['catalog', '--root', EXEMPLAR, '--owner', 'group:platform']);
  assert.is(toStdout.result, 0, toStdout.stderr);
  const docs = parseAllDocuments(toStdout.stdout);
  assert.is(docs.length, 8);
  assert.equal(docs.map((d) => d.errors), docs.map(() => []));
  assert.equal(docs.map((d) => d.toJS() as CatalogEntity), JSON.parse(JSON.stringify(catalogEntities(loadValues({ root: EXEMPLAR }), 'group:platform'))));
  assert.is(toStdout.stdout, renderCatalog(catalogEntities(loadValues({ root: EXEMPLAR }), 'group:platform')));

  const intoDir = await run(['catalog', '--root', EXEMPLAR, '--owner', 'group:platform', '--out', `${dir}/`]);
  assert.is(intoDir.result, 0, intoDir.stderr);
  assert.is(fs.readFileSync(path.join(dir, 'catalog-info.yaml'), 'utf8'), toStdout.stdout);
  const again = await run(['catalog', '--root', EXEMPLAR, '--owner', 'group:platform', '--out', dir]);
  assert.match(again.stdout, /unchanged: .*catalog-info\.yaml \(8 entities\)/);
  const file = path.join(dir, 'sub', 'images.catalog.yaml');
  assert.is((await run(['catalog', '--root', EXEMPLAR, '--owner', 'group:platform', '--out', file])).result, 0);
  assert.is(fs.readFileSync(file, 'utf8'), toStdout.stdout);
  assert.equal(fs.readdirSync(dir).sort(), ['catalog-info.yaml', 'sub'], 'no journal or temp file left');

  const badOwner = await run(['catalog', '--root', EXEMPLAR, '--owner', 'a b', '--out', path.join(dir, 'x.yaml')]);
  assert.is(badOwner.result, 1);
  assert.match(badOwner.stderr, /^--owner: "a b" is not a Backstage entity reference; write e\.g\. group:platform-team/);
  assert.not.ok(fs.existsSync(path.join(dir, 'x.yaml')));
  const noOwner = await run(['catalog', '--root', EXEMPLAR]);
  assert.is(noOwner.result, 1);
  assert.match(noOwner.stderr, /required option '--owner <entity-ref>'/);
});

test.run();
