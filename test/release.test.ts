// One version names a release everywhere (RELEASING.md): the package, the chart and its appVersion
// (the default image tag), the git tag the Argo CD example and the Action's `uses:` name, and every
// versioned example in the docs. A doc pointing at a tag or image that is not this release's is
// caught here, not by a user whose Application cannot sync.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';

const ROOT = path.resolve(__dirname, '..');
const read = (rel: string) => fs.readFileSync(path.join(ROOT, rel), 'utf8');
const pkg = JSON.parse(read('package.json')) as { name: string; version: string; repository: { url: string } };
const REPO = pkg.repository.url.replace(/^git\+https:\/\/github\.com\//, '').replace(/\.git$/, '');
const IMAGE = `ghcr.io/${REPO}`;

test('package, chart, Argo CD example and Action name the same release', () => {
  const chart = parse(read('Chart.yaml'));
  assert.is(chart.version, pkg.version);
  assert.is(chart.appVersion, pkg.version, 'appVersion is the default image tag');
  assert.is(REPO, 'image-factory/image-factory');
  const example = parse(read('chart/examples/application.yaml'));
  assert.is(example.spec.sources[0].repoURL, `https://github.com/${REPO}.git`);
  assert.is(example.spec.sources[0].targetRevision, `v${pkg.version}`);
  const action = parse(read('action.yml'));
  assert.is(action.inputs.version.default, `github:${REPO}#v${pkg.version}`);
  const values = parse(read('values.yaml'));
  assert.is(values.analysisService.image.repository, IMAGE);
  assert.is(values.analysisService.image.tag, '', 'the tag follows appVersion');
});

test('every versioned reference in the docs is this release', () => {
  const files = ['README.md', 'RELEASING.md', 'action.yml', 'analysis-step/Dockerfile', 'analysis-step/README.md', 'chart/README.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
  let seen = 0;
  for (const rel of files) {
    const text = read(rel);
    for (const m of text.matchAll(new RegExp(`${REPO.replace('/', '\\/')}(?::|@v|#v)([0-9][0-9A-Za-z.-]*)`, 'g'))) {
      seen++;
      assert.is(m[1].replace(/\.$/, ''), pkg.version, `${rel}: ${m[0]}`);
    }
    for (const m of text.matchAll(/kargo-image-factory-([0-9][0-9A-Za-z.-]*)\.tgz/g)) assert.is(m[1], pkg.version, `${rel}: ${m[0]}`);
  }
  assert.ok(seen >= 5, `versioned references found: ${seen}`);
});

test('the image runs the CLI: entrypoint image-factory, serve by default, and the Deployment says serve', () => {
  const dockerfile = read('analysis-step/Dockerfile');
  const runtime = dockerfile.slice(dockerfile.lastIndexOf('\nFROM '));
  assert.match(runtime, /^ENTRYPOINT \["node", "\/app\/bin\/image-factory\.js"\]$/m);
  assert.match(runtime, /^CMD \["serve"\]$/m);
  // init reads the Argo CD example from the package root: the image carries it as the package does.
  assert.match(runtime, /^COPY chart\/examples\/application\.yaml /m);
  assert.ok((JSON.parse(read('package.json')) as { files: string[] }).files.includes('chart/examples/application.yaml'));
  assert.match(read('templates/analysis-service/deployment.yaml'), /^\s+args: \["serve"\]$/m);
});

test.run();
