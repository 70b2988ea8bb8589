// The values file leaves out generated properties at their schema default (values-defaults.ts), and
// the templates read them back with image-factory.imageDefaults: the chart renders exactly the same
// objects either way, the commands read back exactly what generate computed, and the template's
// defaults are the schema's.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withoutDefaults } from '../generator/src/core/values-defaults';
import { valuesOfWritten, writtenValuesOf } from '../generator/src/core/written-values';
import { valuesSchema, type SchemaNode } from '../generator/src/core/values-schema';
import type { ChartValues } from '../generator/src/core/values-types';
import { CASES, STATE_REPO_SET } from './support/chart-cases';
import { CHART_DIR, helm, withValuesFile } from './support/helm';
import { buildValues, syntheticSpecs } from './support/values-builder';

/** Image properties the templates never read, or read with a default of their own (`buildArgs | default dict`). */
const NOT_READ_BY_TEMPLATES = ['analyzed', 'pinnedBases', 'source.buildArgs'];

function defaultsOf(node: SchemaNode, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, child] of Object.entries(node.properties ?? {})) {
    if ('default' in child) out.set(`${prefix}${key}`, child.default);
    else for (const [k, v] of defaultsOf(child, `${prefix}${key}.`)) out.set(k, v);
  }
  return out;
}

/** Every case with images, plus one whose images differ from every default: GitLab, webhook and no trigger, another branch, provider and subscription, autoRebuild off. */
function casesToRender(): Array<[string, ChartValues]> {
  const odd = buildValues([
    { name: 'gl', bases: ['node:22'], autoRebuild: false, branch: 'develop', subscription: { imageSelectionStrategy: 'SemVer', constraint: '^1' }, dispatchInputs: { baseImage: 'from' } },
    { name: 'hook', bases: ['node:22', 'alpine:3.20'], local: false, repo: 'acme/hook' },
    { name: 'quiet', bases: ['node:22'] },
  ]);
  const [gl, hook, quiet] = odd.images;
  gl.source = { ...gl.source, provider: 'gitlab', host: 'gitlab.example.com', tokenKey: 'gl-token', workflow: '' };
  gl.trigger = { kind: 'gitlab', url: 'https://gitlab.example.com/api/v4/projects/acme%2Fgl/trigger/pipeline' };
  hook.trigger = { kind: 'webhook', url: 'https://hooks.example.com/build' };
  quiet.trigger = { kind: 'none', url: '' };
  odd.rebuildTasks = ['gitlab', 'webhook'];
  const cases = Object.entries(CASES).filter(([name]) => name !== '500 images' && name !== 'no images').map(([name, make]): [string, ChartValues] => [name, make()]);
  return [...cases, ['every default differs', odd]];
}

test('the templates read a left-out property as the schema default: image-factory.imageDefaults is the schema defaults', () => {
  const helpers = fs.readFileSync(path.join(CHART_DIR, 'templates', '_helpers.tpl'), 'utf8');
  const body = /\{\{- define "image-factory\.imageDefaults" -\}\}\n(.*)\n\{\{- end -\}\}/.exec(helpers);
  assert.ok(body, 'image-factory.imageDefaults is defined on one line');
  const flat = (o: Record<string, unknown>, prefix = ''): Array<[string, unknown]> =>
    Object.entries(o).flatMap(([k, v]) => (k === 'source' && prefix === '' ? flat(v as Record<string, unknown>, 'source.') : [[`${prefix}${k}`, v] as [string, unknown]]));
  const templateDefaults = new Map(flat(JSON.parse(body![1])));
  const schemaDefaults = defaultsOf(valuesSchema().properties!.images.items!);
  for (const key of NOT_READ_BY_TEMPLATES) schemaDefaults.delete(key);
    assert.equal(Object.fromEntries(templateDefaults), Object.fromEntries(schemaDefaults));
});

test('the chart renders the same objects from values with every property written and from values as generate writes them', async () => {
  for (const [name, values] of casesToRender()) {
    const extra = values.stateRepo ? [] : STATE_REPO_SET;
    const render = (asIs: boolean) => withValuesFile(values, (file) => helm(['template', 'image-factory', CHART_DIR, '-f', file, ...extra]), { asIs });
    const full = await render(true);
    const written = await render(false);
    assert.is(full.code, 0, `${name}: ${full.stderr}`);
    assert.is(written.code, 0, `${name}: ${written.stderr}`);
    assert.is(written.stdout, full.stdout, name);
  }
});

test('generate leaves out what is at its default, keeps what differs (false, a non-default object), and the commands read back what it computed', () => {
  for (const [name, values] of [...casesToRender(), ['1,000 images', buildValues(syntheticSpecs(1000))] as [string, ChartValues]]) {
    assert.equal(valuesOfWritten(JSON.parse(JSON.stringify(writtenValuesOf(values)))), values, name);
  }
  const [gl, hook] = casesToRender().at(-1)![1].images;
  const written = withoutDefaults({ images: [gl, hook], bases: [] } as unknown as ChartValues) as { images: Array<Record<string, unknown>> };
  assert.equal(Object.keys(written.images[0]).filter((k) => ['autoRebuild', 'trigger', 'subscription', 'dispatchInputs'].includes(k)).sort(), ['autoRebuild', 'dispatchInputs', 'subscription', 'trigger']);
  assert.is(written.images[0].autoRebuild, false);
  assert.equal(Object.keys(written.images[1]).filter((k) => ['autoRebuild', 'subscription', 'dispatchInputs', 'analyzed', 'pinnedBases'].includes(k)), []);
  assert.equal(written.images[1].source, { repo: 'acme/hook', url: 'https://github.com/acme/hook.git', dockerfile: 'images/hook/Dockerfile', workflow: 'build-hook.yml', local: false });
});

test.run();
