// dist/values.yaml goes through Helm, whose YAML reader follows YAML 1.1: `no`, `on`, `Y`, `0b101`,
// `1_000`, `12:30`, `~` and dates are not strings there. Every string of images.yaml must reach the
// rendered chart as the same string.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../generator/src/cli/cli';
import { renderYaml } from '../generator/src/core/canonical-yaml';
import { CHART_DIR, find, helm, type K8sObject } from './support/helm';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';
import { parseAllDocuments } from 'yaml';

const TRICKY = ['no', 'No', 'NO', 'yes', 'on', 'Off', 'y', 'Y', 'n', '~', 'null', 'true', '0b101', '0x1F', '0o17', '017', '1_000', '12:30', '1:20:30', '.5', '1e3', '+1', '-0', '.inf', '.NaN', '2026-11-30', '2026-11-30T12:00:00Z', '<<', '='];

test.after(removeTempDirs);

test('YAML-1.1-looking strings in images.yaml arrive unchanged in the rendered chart', async () => {
  const root = tempDir('yaml11');
  const buildArgs = Object.fromEntries(TRICKY.map((v, i) => [`ARG_${i}`, v]));
  const images = {
    stateRepo: { url: 'https://github.com/acme/images-state.git', branch: 'main' },
    images: [
      {
        name: 'ext',
        registry: 'ghcr.io',
        repository: 'acme/ext',
        source: { provider: 'github', repo: 'acme/ext', branch: 'main', dockerfile: 'Dockerfile', workflow: 'build.yml', buildArgs },
      },
    ],
  };
  fs.writeFileSync(path.join(root, 'images.yaml'), JSON.stringify(images, null, 2));
  const gen = await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', root]));
  assert.is(gen.result, 0, gen.stderr);
  const r = await helm(['template', 'image-factory', CHART_DIR, '-f', path.join(root, 'dist/values.yaml')]);
  assert.is(r.code, 0, r.stderr);
  const objects = parseAllDocuments(r.stdout).map((d) => d.toJS()).filter(Boolean) as K8sObject[];
  const stage = find(objects, 'Stage', 'analyze-ext');
  const vars = Object.fromEntries(stage.spec.promotionTemplate.spec.steps[0].vars.map((v: { name: string; value: string }) => [v.name, v.value]));
  assert.equal(JSON.parse(vars.buildArgs), buildArgs);
});

test('the values writer quotes exactly what YAML 1.1 could read as a non-string, and nothing a plain tag needs', () => {
  for (const v of TRICKY) assert.match(renderYaml({ v }, undefined, { forYaml11: true }), `v: ${JSON.stringify(v)}\n`, v);
  for (const v of ['22-bookworm-slim', '1.27-alpine', '7d', '168h', 'latest', 'main', 'sha256:abc']) {
    assert.is(renderYaml({ v }, undefined, { forYaml11: true }), `v: ${v}\n`, v);
  }
});

test.run();
