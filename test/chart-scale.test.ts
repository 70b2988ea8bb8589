// The chart at 10,000 images, every one external in its own repository (the worst case for the
// analysis service's allowlist): every rendered object fits what the API server and its clients
// accept, and the allowlist ConfigMaps are exactly what the service reads. One render; helm takes
// a while at this size, which is the point.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readAllowlist } from '../analysis-step/src/config';
import { byKind, find, render, type K8sObject } from './support/helm';
import { buildValues, syntheticSpecs } from './support/values-builder';
import { CASES } from './support/chart-cases';
import { removeTempDirs, tempDir } from './support/tree';

const KiB = 1024;
const MiB = 1024 * KiB;
/** etcd's default request limit (--max-request-bytes): no object can be stored above it. */
const ETCD_LIMIT = 1.5 * MiB;
/** The API server refuses a ConfigMap or Secret whose data is larger. */
const CONFIG_DATA_LIMIT = 1 * MiB;
/** Client-side apply (kubectl apply, Argo CD's default) copies the object into an annotation, and all annotations together must stay under 256 KiB. */
const CLIENT_SIDE_APPLY_LIMIT = 256 * KiB;

const bytes = (o: unknown) => Buffer.byteLength(JSON.stringify(o));
const dataBytes = (o: K8sObject) => Object.entries({ ...(o.data ?? {}), ...(o.binaryData ?? {}) }).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(String(v)), 0);

/** The allowlist ConfigMaps as the Deployment mounts them: each data key a file of one folder. */
function mountedAllowlist(objects: K8sObject[]): string {
  const dep = find(objects, 'Deployment', 'image-factory-analysis');
  const sources = dep.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'config').projected.sources;
  const dir = tempDir('allowlist');
  for (const { configMap } of sources) {
    for (const [key, text] of Object.entries(find(objects, 'ConfigMap', configMap.name).data)) fs.writeFileSync(path.join(dir, key), String(text));
  }
  return dir;
}

test.after(removeTempDirs);

test('10,000 external images: every object within the API server limits; the service reads the whole allowlist', async () => {
  const specs = syntheticSpecs(10_000).map((s, i) => ({ ...s, local: false, repo: `acme-team-${String(i % 97).padStart(2, '0')}/${s.name}-service` }));
  const values = buildValues(specs);
  assert.is(values.externalRepositories.length, 10_000);
  const { objects } = await render(values);
  assert.ok(objects.length > 30_000, `${objects.length} objects`);

  const tooBig: string[] = [];
  let largest = { what: '', size: 0 };
  for (const o of objects) {
    const size = bytes(o);
    const what = `${o.kind}/${o.metadata.name}`;
    if (size > largest.size) largest = { what, size };
    if (size > ETCD_LIMIT) tooBig.push(`${what}: ${size} bytes, over etcd's 1.5 MiB`);
    if (size > CLIENT_SIDE_APPLY_LIMIT) tooBig.push(`${what}: ${size} bytes, over the 256 KiB client-side apply can annotate`);
    if ((o.kind === 'ConfigMap' || o.kind === 'Secret') && dataBytes(o) > CONFIG_DATA_LIMIT) tooBig.push(`${what}: data of ${dataBytes(o)} bytes, over 1 MiB`);
  }
  assert.equal(tooBig, [], `largest: ${largest.what} ${largest.size} bytes`);

  // 10 parts of at most 1,000 URLs, named so that the first keeps its name as the list grows.
  const parts = byKind(objects, 'ConfigMap').map((o) => o.metadata.name);
  assert.equal(parts, ['image-factory-analysis', ...Array.from({ length: 9 }, (_, i) => `image-factory-analysis-${i + 1}`)]);
  const loaded = readAllowlist(mountedAllowlist(objects), false);
  assert.equal([...loaded.allowedRepositories].sort(), values.externalRepositories);
  assert.equal(loaded.allowedHosts, ['github.com']);
});

test('the allowlist: one ConfigMap when empty, a new part past 1,000 URLs; the pods roll when it changes, and only then', async () => {
  const none = await render(CASES['no images']());
  assert.equal(byKind(none.objects, 'ConfigMap').map((o) => [o.metadata.name, o.data]), [['image-factory-analysis', { 'allowlist-0000.json': '{"allowedRepositories":[]}' }]]);
  assert.equal([...readAllowlist(mountedAllowlist(none.objects), false).allowedRepositories], []);

  const base = CASES['images sharing a base']();
  const urls = Array.from({ length: 1001 }, (_, i) => `https://github.com/acme/app-${String(i).padStart(4, '0')}.git`);
  const many = await render({ ...base, externalRepositories: urls });
  assert.equal(byKind(many.objects, 'ConfigMap').map((o) => o.metadata.name), ['image-factory-analysis', 'image-factory-analysis-1']);
  assert.equal(JSON.parse(find(many.objects, 'ConfigMap', 'image-factory-analysis-1').data['allowlist-0001.json']), { allowedRepositories: [urls[1000]] });
  assert.equal([...readAllowlist(mountedAllowlist(many.objects), false).allowedRepositories], urls);

  const checksum = (objects: K8sObject[]) => find(objects, 'Deployment', 'image-factory-analysis').spec.template.metadata.annotations['checksum/allowlist'];
  const fewer = await render({ ...base, externalRepositories: urls.slice(0, 1000) });
  const otherImages = await render({ ...CASES['delays 0, 30m, 7d'](), externalRepositories: urls });
  assert.match(checksum(many.objects), /^[0-9a-f]{64}$/);
  assert.is.not(checksum(fewer.objects), checksum(many.objects), 'a changed allowlist rolls the pods');
  assert.is(checksum(otherImages.objects), checksum(many.objects), 'other values leave the pods alone');
});

test.run();
