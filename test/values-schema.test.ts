// One values contract: generator/schema/values.schema.json is the shape; the chart's
// values.schema.json and values-types.ts are written from it, and what `generate` writes is checked
// against it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checkValues } from '../generator/src/cli/values-file';
import { VALUES_SCHEMA_FILE } from '../generator/src/core/values-schema';
import { buildValues, syntheticSpecs } from './support/values-builder';
import { writtenValuesOf } from '../generator/src/core/written-values';

const ROOT = path.resolve(__dirname, '..');
const GENERATED = ['values.schema.json', 'generator/src/core/values-types.ts'];

function runScript(root: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [path.join(root, 'scripts', 'values-schema.js'), ...args], (e, _out, stderr) => resolve({ code: e ? Number(e.code ?? 1) : 0, stderr })),
  );
}

/** A copy of the script, the source schema and the files it writes, in a temp folder laid out like the repository. */
function copyOfGenerated(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'if-values-schema-'));
  for (const file of ['scripts/values-schema.js', VALUES_SCHEMA_FILE, ...GENERATED]) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.copyFileSync(path.join(ROOT, file), path.join(dir, file));
  }
  return dir;
}

test('the chart values.schema.json and values-types.ts are up to date with the source schema (scripts/values-schema.js --check)', async () => {
  const r = await runScript(ROOT, ['--check']);
  assert.is(r.code, 0, `run node scripts/values-schema.js: ${r.stderr}`);
});

test('--check fails when the source schema changed and the generated files were not written again', async () => {
  const dir = copyOfGenerated();
  try {
    const file = path.join(dir, VALUES_SCHEMA_FILE);
    const schema = JSON.parse(fs.readFileSync(file, 'utf8'));
    schema.properties.images.items.properties.name.description = 'Renamed';
    fs.writeFileSync(file, JSON.stringify(schema, null, 2));
    const stale = await runScript(dir, ['--check']);
    assert.is(stale.code, 1);
    assert.match(stale.stderr, 'generator/src/core/values-types.ts: out of date');
    assert.is((await runScript(dir, [])).code, 0);
    assert.is((await runScript(dir, ['--check'])).code, 0);
    assert.match(fs.readFileSync(path.join(dir, 'generator/src/core/values-types.ts'), 'utf8'), '/** Renamed */');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('values as generate writes them conform to the source schema', () => {
  assert.equal(checkValues(JSON.parse(JSON.stringify(writtenValuesOf(buildValues(syntheticSpecs(50))))), 'values.yaml'), []);
});

test('a values file off the schema is refused at the field, with the fix', () => {
  const values = writtenValuesOf(buildValues(syntheticSpecs(12))) as unknown as { images: Record<string, unknown>[]; bases: Record<string, unknown>[] };
  values.images[3].source = { ...(values.images[3].source as object), buildArgs: { V: '${{ secret("x") }}' } };
  delete values.bases[0].slug;
  values.images[5].surprise = 1;
  const messages = checkValues(values, 'values.yaml').map((p) => p.message);
  assert.ok(messages.some((m) => m.startsWith('images[3].source.buildArgs.V "${{ secret(\\"x\\") }}" must NOT be valid')), messages.join('\n'));
  assert.ok(messages.includes('bases[0].slug is required; run `image-factory generate` to write it again'), messages.join('\n'));
  assert.ok(messages.some((m) => m.startsWith('images[5].surprise is not a known field')), messages.join('\n'));
});

test('an external image must name its repository: a local image may leave repo and url to the state repository', () => {
  const values = writtenValuesOf(buildValues(syntheticSpecs(12))) as unknown as { images: Array<{ source: Record<string, unknown> }> };
  const local = values.images.findIndex((i) => i.source.local === undefined && i.source.url === undefined);
  const external = values.images.findIndex((i) => i.source.local === false);
  assert.ok(local >= 0 && external >= 0, 'the synthetic estate has both');
  delete values.images[external].source.url;
  const messages = checkValues(values, 'values.yaml').map((p) => p.message);
  assert.equal(messages, [`images[${external}].source.url is required; run \`image-factory generate\` to write it again`]);
});

test('a rebuildDelay that is no duration, an upstream that is no base, and a chain link to no enrolled image, are refused', () => {
  const values = writtenValuesOf(buildValues(syntheticSpecs(12))) as unknown as { images: Array<{ rebuildDelay: string; upstreams: string[] }>; bases: Array<{ image?: string }> };
  values.images[1].rebuildDelay = 'soon';
  values.images[2].upstreams[0] = 'gone-1.0';
  const link = values.bases.findIndex((b) => b.image !== undefined);
  values.bases[link].image = 'nobody';
  const messages = checkValues(values, 'values.yaml').map((p) => p.message);
  assert.ok(messages.includes('images[1].rebuildDelay must be a duration such as 7d, 12h or 0; run `image-factory generate` to write it again'), messages.join('\n'));
  assert.ok(messages.includes('images[2].upstreams[0] "gone-1.0" is not the slug of an entry of bases; run `image-factory generate` to write it again'), messages.join('\n'));
  assert.ok(messages.includes(`bases[${link}].image "nobody" is not an enrolled image; run \`image-factory generate\` to write it again`), messages.join('\n'));
});

test.run();
