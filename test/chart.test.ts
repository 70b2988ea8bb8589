// The chart's rendered objects, field by field, for hand-built values cases (test/support/chart-cases.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { CHART_DIR, byKind, find, helm, helmTemplate, render, renderFile, withValuesFile, type K8sObject } from './support/helm';
import { CASES, STATE_REPO_SET } from './support/chart-cases';
import { buildValues } from './support/values-builder';

const ORIGIN = 'ctx.targetFreight.origin.name';
const names = (objects: K8sObject[], kind: string): string[] => byKind(objects, kind).map((o) => o.metadata.name);
const varsOf = (step: any): Record<string, string> => Object.fromEntries(step.vars.map((v: any) => [v.name, v.value]));

test('no images: the Project, its config, both PromotionTasks and the analysis service, nothing else', async () => {
  const { objects } = await render(CASES['no images']());
  assert.equal(
    objects.map((o) => `${o.kind}/${o.metadata.name}`).sort(),
    [
      'ConfigMap/image-factory-analysis',
      'Deployment/image-factory-analysis',
      'NetworkPolicy/image-factory-analysis',
      'Project/image-factory',
      'ProjectConfig/image-factory',
      'PromotionTask/analyze',
      'PromotionTask/rebuild',
      'Service/image-factory-analysis',
      'ServiceAccount/image-factory-analysis',
    ],
  );
  for (const o of objects.filter((o) => o.kind !== 'Project')) assert.is(o.metadata.namespace, 'image-factory', `${o.kind}`);
  const pc = find(objects, 'ProjectConfig', 'image-factory');
  assert.equal(pc.spec.promotionPolicies, [
    { stageSelector: { matchLabels: { 'image-factory.dev/auto-promote': 'true' } }, autoPromotionEnabled: true },
  ]);
});

test('one image with three bases: base Warehouses and Stages, the rebuild Stage; a local image has no app Warehouse or analysis Stage', async () => {
  const { objects } = await render(CASES['one image, three bases']());
  assert.equal(names(objects, 'Warehouse'), [
    'base-ghcr.io-acme-tools-1.4--' + names(objects, 'Warehouse')[0].split('--')[1],
    'base-node-22-bookworm-slim',
    'base-python-3.12-slim',
  ]);
  const node = find(objects, 'Warehouse', 'base-node-22-bookworm-slim');
  assert.equal(node.spec, {
    interval: '1h',
    subscriptions: [{ image: { repoURL: 'docker.io/library/node', imageSelectionStrategy: 'Digest', constraint: '22-bookworm-slim' } }],
  });
  // api is local: generate analyzes it in the state repo's CI, so Kargo watches no commit for it.
  assert.equal(names(objects, 'Stage').filter((n) => n.startsWith('analyze-')), []);

  const base = find(objects, 'Stage', 'base-node-22-bookworm-slim');
  assert.equal(base.spec.requestedFreight, [{ origin: { kind: 'Warehouse', name: 'base-node-22-bookworm-slim' }, sources: { direct: true } }]);
  assert.equal(base.spec.promotionTemplate.spec.steps.map((s: any) => s.uses), ['compose-output', 'git-clone', 'yaml-parse', 'file-write', 'git-commit', 'git-push']);
  assert.is(base.spec.promotionTemplate.spec.steps[3].config.path, './state/digests/node-22-bookworm-slim.yaml');
  assert.is(base.metadata.labels['image-factory.dev/auto-promote'], 'true');

  const rebuild = find(objects, 'Stage', 'rebuild-api');
  const bases = names(objects, 'Warehouse').filter((n) => n.startsWith('base-'));
  assert.equal(
    rebuild.spec.requestedFreight,
    bases.map((name) => ({ origin: { kind: 'Warehouse', name }, sources: { direct: true } })),
  );
  const rv = varsOf(rebuild.spec.promotionTemplate.spec.steps[0]);
  assert.equal(rebuild.spec.promotionTemplate.spec.steps[0].task, { name: 'rebuild' });
  assert.is(rv.owner, 'acme');
  assert.is(rv.repo, 'images-state');
  assert.is(rv.workflow, 'build-api.yml');
  assert.is(rv.ref, 'main');
  assert.is(rv.stateFile, 'images/api.yaml');
  const refMap = `{ '${bases[0]}': 'ghcr.io/acme/tools:1.4', 'base-node-22-bookworm-slim': 'docker.io/library/node:22-bookworm-slim', 'base-python-3.12-slim': 'docker.io/library/python:3.12-slim' }[${ORIGIN}]`;
  const urlMap = `{ '${bases[0]}': 'ghcr.io/acme/tools', 'base-node-22-bookworm-slim': 'docker.io/library/node', 'base-python-3.12-slim': 'docker.io/library/python' }[${ORIGIN}]`;
  const keyMap = `{ '${bases[0]}': '${bases[0].slice('base-'.length).replace(/\./g, '_')}', 'base-node-22-bookworm-slim': 'node-22-bookworm-slim', 'base-python-3.12-slim': 'python-3_12-slim' }[${ORIGIN}]`;
  assert.is(rv.baseRef, `\${{ ${refMap} }}`);
  assert.is(rv.baseKey, `\${{ ${keyMap} }}`);
  assert.is(rv.baseDigest, `\${{ imageFrom(${urlMap}, warehouse(${ORIGIN})).Digest }}`);
  assert.is(rv.inputs, `\${{ { 'base_image': ${refMap}, 'base_digest': imageFrom(${urlMap}, warehouse(${ORIGIN})).Digest } }}`);
});

test('images sharing a base share one base Warehouse and Stage', async () => {
  const { objects } = await render(CASES['images sharing a base']());
  assert.equal(names(objects, 'Warehouse'), ['base-nginx-1.27-alpine', 'base-node-22-bookworm-slim']);
  assert.equal(names(objects, 'Stage'), ['base-nginx-1.27-alpine', 'base-node-22-bookworm-slim', 'rebuild-api', 'rebuild-web']);
  const origins = (n: string) => find(objects, 'Stage', n).spec.requestedFreight.map((r: any) => r.origin.name);
  assert.equal(origins('rebuild-api'), ['base-node-22-bookworm-slim']);
  assert.equal(origins('rebuild-web'), ['base-nginx-1.27-alpine', 'base-node-22-bookworm-slim']);
});

test('a digest-pinned base gets no Warehouse and is no upstream', async () => {
  const { objects } = await render(CASES['digest-pinned base']());
  assert.equal(names(objects, 'Warehouse'), ['base-node-22-bookworm-slim']);
  assert.equal(find(objects, 'Stage', 'rebuild-api').spec.requestedFreight.map((r: any) => r.origin.name), ['base-node-22-bookworm-slim']);
  const pinnedOnly = await render(CASES['external image, no stateRepo in values, only a pinned base'](), STATE_REPO_SET);
  assert.not.ok(names(pinnedOnly.objects, 'Stage').includes('rebuild-ext'), 'no rebuild Stage without upstreams');
});

test('rebuild delays: every rebuild Stage takes base Freight directly; the delay goes to the cooldown gate', async () => {
  const { objects } = await render(CASES['delays 0, 30m, 7d']());
  for (const [name, delay] of [['now', '0'], ['soon', '30m'], ['weekly', '7d']]) {
    const stage = find(objects, 'Stage', `rebuild-${name}`);
    assert.equal(stage.spec.requestedFreight[0].sources, { direct: true });
    assert.is(varsOf(stage.spec.promotionTemplate.spec.steps[0]).delay, delay);
    assert.is(stage.metadata.annotations['image-factory.dev/rebuild-delay'], delay);
  }
});

test('autoRebuild decides the auto-promotion label of the rebuild Stage; no dispatch inputs send {}', async () => {
  const { objects } = await render(CASES['autoRebuild on and off']());
  const label = (n: string) => find(objects, 'Stage', n).metadata.labels['image-factory.dev/auto-promote'];
  assert.is(label('rebuild-auto'), 'true');
  assert.is(label('rebuild-manual'), 'false');
  assert.is(label('base-node-22'), 'true');
  assert.is(varsOf(find(objects, 'Stage', 'rebuild-manual').spec.promotionTemplate.spec.steps[0]).inputs, '${{ {} }}');
  assert.match(varsOf(find(objects, 'Stage', 'rebuild-auto').spec.promotionTemplate.spec.steps[0]).inputs, /^\$\{\{ \{ 'base_image': /);
});

test('a three-level chain: each child watches the digest behind the exact tag of its parent that it names, in a base Warehouse', async () => {
  const { objects } = await render(CASES['three-level chain']());
  const rf = (n: string) => find(objects, 'Stage', n).spec.requestedFreight;
  const os = names(objects, 'Warehouse').find((n) => n.startsWith('base-ghcr.io-acme-base-os-latest--'))!;
  const py = names(objects, 'Warehouse').find((n) => n.startsWith('base-ghcr.io-acme-python-base-latest--'))!;
  assert.equal(rf('rebuild-base-os'), [{ origin: { kind: 'Warehouse', name: 'base-debian-bookworm-slim' }, sources: { direct: true } }]);
  assert.equal(rf('rebuild-python-base'), [{ origin: { kind: 'Warehouse', name: os }, sources: { direct: true } }]);
  assert.equal(rf('rebuild-api'), [
    { origin: { kind: 'Warehouse', name: py }, sources: { direct: true } },
    { origin: { kind: 'Warehouse', name: 'base-node-22' }, sources: { direct: true } },
  ]);
  assert.equal(find(objects, 'Warehouse', py).spec.subscriptions, [{ image: { repoURL: 'ghcr.io/acme/python-base', imageSelectionStrategy: 'Digest', constraint: 'latest' } }]);
  const v = varsOf(find(objects, 'Stage', 'rebuild-api').spec.promotionTemplate.spec.steps[0]);
  assert.match(v.baseDigest, `imageFrom({ '${py}': 'ghcr.io/acme/python-base', 'base-node-22': 'docker.io/library/node' }[${ORIGIN}]`);
  // Nothing watches the enrolled images' own commits or other tags.
  assert.not.ok(names(objects, 'Warehouse').some((n) => n.startsWith('app-')));
});

test('an external image: an app Warehouse on its Dockerfile commits only, and an analysis Stage; a local image uses the state repository', async () => {
  const { objects } = await render(CASES['external image, no stateRepo in values, only a pinned base'](), STATE_REPO_SET);
  const ext = find(objects, 'Warehouse', 'app-ext');
  assert.equal(ext.spec.subscriptions, [
    {
      git: {
        repoURL: 'https://github.com/other/app.git',
        commitSelectionStrategy: 'NewestFromBranch',
        branch: 'release/2.x',
        includePaths: ['docker/Dockerfile.prod'],
        discoveryLimit: 5,
      },
    },
  ]);
  assert.equal(find(objects, 'Stage', 'analyze-ext').spec.requestedFreight, [{ origin: { kind: 'Warehouse', name: 'app-ext' }, sources: { direct: true } }]);
  assert.is(varsOf(find(objects, 'Stage', 'analyze-ext').spec.promotionTemplate.spec.steps[0]).buildArgs, '{"VERSION":"1.2: beta"}');
  assert.is(find(objects, 'Stage', 'analyze-ext').metadata.labels['image-factory.dev/auto-promote'], 'true');
  assert.not.ok(names(objects, 'Warehouse').includes('app-localone'));
  const rv = varsOf(find(objects, 'Stage', 'rebuild-localone').spec.promotionTemplate.spec.steps[0]);
  assert.equal([rv.owner, rv.repo], ['acme', 'images-state']);
  // The service may fetch from external images' repositories only: the state repository is not among them.
  const config = JSON.parse(find(objects, 'ConfigMap', 'image-factory-analysis').data['allowlist-0000.json']);
  assert.equal(config, { allowedRepositories: ['https://github.com/other/app.git'] });
});

test('analyze PromotionTask: clone, read lastRebuild, call the service, write its state file as sent, commit, push', async () => {
  const { objects } = await render(CASES['no images'](), ['--set', 'stateRepo.branch=state']);
  const task = find(objects, 'PromotionTask', 'analyze');
  const steps = task.spec.steps;
  assert.equal(steps.map((s: any) => s.uses), ['git-clone', 'yaml-parse', 'http', 'file-write', 'git-commit', 'git-push']);
  assert.equal(steps[0].config, {
    repoURL: 'https://github.com/acme/images-state.git',
    checkout: [{ branch: 'state', path: './state' }],
    author: { name: 'image-factory', email: 'image-factory@users.noreply.github.com' },
  });
  // The rebuild record in the current state file is read first (as JSON text) and carried through the service.
  assert.equal(steps[1].config, { path: './state/${{ vars.stateFile }}', outputs: [{ name: 'lastRebuild', fromExpression: 'toJSON(lastRebuild)' }] });
  const http = steps[2].config;
  assert.is(http.method, 'POST');
  assert.is(http.url, 'http://image-factory-analysis.image-factory.svc.cluster.local:8080/v1/analyze');
  assert.equal(http.headers[0], { name: 'Authorization', value: "Bearer ${{ secret('image-factory-analysis-token').token }}" });
  assert.is(http.body, "${{ quote({ 'image': vars.image, 'repoURL': vars.repoURL, 'commit': vars.commit, 'dockerfile': vars.dockerfile, 'buildArgs': fromJSON(vars.buildArgs), 'enrollment': fromJSON(vars.enrollment), 'lastRebuild': fromJSON(task.outputs['current'].lastRebuild) }) }}");
  assert.is(http.successExpression, 'response.status == 200');
  assert.is(http.failureExpression, 'response.status != 200 && !(response.status in [429, 502, 503, 504])');
  assert.match(http.errorExpression, 'response.body?.error?.message');
  assert.is(http.pollInterval, '30s');
  assert.equal(http.outputs[0], { name: 'stateFile', fromExpression: 'response.body.stateFile' });
  assert.equal(http.outputs[1], { name: 'bases', fromExpression: "join(uniq(map(response.body.baseImages ?? [], #.ref)), ', ')" });
  assert.equal(steps[3].config.path, './state/${{ vars.stateFile }}');
  assert.is(steps[3].config.contents, "${{ task.outputs['analysis'].stateFile }}");
  assert.match(steps[4].config.message, /vars\.image.*vars\.commit.*bases/);
  assert.equal(steps[5].config, { path: './state', targetBranch: 'state', maxAttempts: 50 });
  assert.equal(task.spec.vars.map((v: any) => v.name), ['image', 'repoURL', 'commit', 'dockerfile', 'buildArgs', 'enrollment', 'stateFile']);
});

test('no var is declared or set twice, in a PromotionTask or in a Stage\u2019s task step', async () => {
  const { objects } = await render(CASES['external image, no stateRepo in values, only a pinned base'](), STATE_REPO_SET);
  const lists: Array<[string, { name: string }[]]> = [];
  for (const o of objects) {
    if (o.kind === 'PromotionTask') lists.push([`${o.metadata.name} vars`, o.spec.vars ?? []]);
    if (o.kind === 'Stage') for (const step of o.spec.promotionTemplate.spec.steps) lists.push([`${o.metadata.name} ${step.as}`, step.vars ?? []]);
  }
  assert.ok(lists.some(([, vars]) => vars.some((v) => v.name === 'enrollment')), 'the analyze task and Stage set enrollment');
  for (const [where, vars] of lists) {
    const names = vars.map((v) => v.name);
    assert.equal(names.filter((n, i) => names.indexOf(n) !== i), [], where);
  }
});

test('rebuild PromotionTask: read the record, decide, workflow_dispatch with GitHub headers, record, commit, push', async () => {
  const { objects } = await render(CASES['no images'](), ['--set', 'github.apiURL=https://ghe.example.com/api/v3', '--set', 'github.tokenSecret.name=gh-token', '--set', 'github.tokenSecret.key=pat']);
  const steps = find(objects, 'PromotionTask', 'rebuild').spec.steps;
  assert.equal(
    steps.map((s: any) => `${s.uses}:${s.as}`),
    ['git-clone:clone', 'yaml-parse:recorded', 'compose-output:decision', 'yaml-parse:history', 'compose-output:clock', 'http:gate', 'http:dispatch', 'yaml-update:record-rebuild', 'yaml-update:record-first-digest', 'git-commit:commit', 'git-push:push'],
  );
  const gate = steps[5];
  assert.is(gate.config.url, 'http://image-factory-analysis.image-factory.svc.cluster.local:8080/v1/rebuild-gate');
  assert.is(gate.config.pollInterval, '15m');
  assert.is(gate.config.successExpression, "response.status == 200 && response.body.action != 'wait'");
  assert.equal(gate.retry, { errorThreshold: 100 });
  const http = steps[6].config;
  assert.is(steps[6].if, "${{ success() && task.outputs['gate']?.action == 'dispatch' }}");
  assert.is(http.url, 'https://ghe.example.com/api/v3/repos/${{ vars.owner }}/${{ vars.repo }}/actions/workflows/${{ vars.workflow }}/dispatches');
  assert.equal(http.headers.slice(0, 3), [
    { name: 'Authorization', value: "Bearer ${{ secret('gh-token').pat }}" },
    { name: 'Accept', value: 'application/vnd.github+json' },
    { name: 'X-GitHub-Api-Version', value: '2022-11-28' },
  ]);
  assert.is(http.body, "${{ quote({ 'ref': vars.ref, 'inputs': vars.inputs }) }}");
  assert.is(http.successExpression, 'response.status >= 200 && response.status < 300');
  assert.match(http.errorExpression, 'response.body?.message');
  assert.equal(steps[6].retry, { timeout: '1h', errorThreshold: 5 });
  assert.equal(steps[7].config.updates.map((u: any) => u.key), [
    'lastRebuild.at',
    'lastRebuild.base',
    'lastRebuild.digest',
    'lastRebuild.bases.${{ vars.baseKey }}.digest',
    'lastRebuild.bases.${{ vars.baseKey }}.at',
  ]);
  assert.equal(steps[8].config.updates.map((u: any) => u.key), ['lastRebuild.bases.${{ vars.baseKey }}.digest', 'lastRebuild.bases.${{ vars.baseKey }}.at']);
  assert.is(steps[7].config.path, './state/${{ vars.stateFile }}');
  for (const step of steps.slice(5)) assert.match(step.if, /^\$\{\{ success\(\) && /);
  // rebuild.firstDigest: rebuild builds on the first digest seen too.
  const eager = await render(CASES['no images'](), ['--set', 'rebuild.firstDigest=rebuild']);
  const decision = find(eager.objects, 'PromotionTask', 'rebuild').spec.steps[2].config;
  assert.is(decision.dispatch, decision.record);
  assert.is.not(find(objects, 'PromotionTask', 'rebuild').spec.steps[2].config.dispatch, decision.dispatch);
});

test('rendered expressions: balanced, quoted, and no Helm delimiter left outside them', async () => {
  const values = buildValues([
    { name: 'api', bases: ['node:22', 'ghcr.io/acme/base:1'], rebuildDelay: '7d', buildArgs: { A: 'x: y', B: '{"k": 1}' } },
    { name: 'base', bases: ['debian:12'] },
  ]);
  const { text, objects } = await render(values);
  const spans = [...text.matchAll(/\$\{\{([\s\S]*?)\}\}/g)];
  assert.ok(spans.length > 20, `found ${spans.length} expressions`);
  for (const [whole, inner] of spans) {
    let depth = 0;
    let quote = '';
    for (const c of inner) {
      if (quote) {
        if (c === quote) quote = '';
      } else if (c === "'" || c === '"') quote = c;
      else if ('([{'.includes(c)) depth++;
      else if (')]}'.includes(c)) depth--;
      assert.ok(depth >= 0, `closes too early: ${whole}`);
    }
    assert.is(depth, 0, `unbalanced: ${whole}`);
    assert.is(quote, '', `unterminated string: ${whole}`);
  }
  const outside = text.replace(/\$\{\{[\s\S]*?\}\}/g, '');
  assert.not.match(outside, '{{');
  assert.not.match(outside, '}}');
  // Every line holding an expression is a quoted YAML scalar, so a ": " inside stays text.
  for (const line of text.split('\n').filter((l) => l.includes('${{'))) assert.match(line, /: "[^"]|^\s*- "/, line);
  const message = find(objects, 'PromotionTask', 'rebuild').spec.steps.find((st: any) => st.as === 'commit').config.message;
  assert.match(message, "'image-factory: rebuild '", 'an expression with ": " survives YAML');
});

test('schema: a wrong value fails helm template naming the key', async () => {
  const cases: Array<[unknown, RegExp]> = [
    [{ ...CASES['no images'](), project: { name: 'image-factory', create: 'yes' } }, /project\.create: Invalid type\. Expected: boolean/],
    [{ ...CASES['no images'](), warehouses: { base: { interval: '7d' }, app: { interval: '5m' } } }, /warehouses\.base\.interval: Does not match pattern/],
    [{ ...CASES['no images'](), statRepo: {} }, /Additional property statRepo is not allowed/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); (v.images[1] as any).autoRebuild = 'true'; return v; })(), /images\.1\.autoRebuild: Invalid type/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); v.images[0].upstreams[0].slug = "node'"; return v; })(), /images\.0\.upstreams\.0: Does not match pattern/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); v.bases[0].ref = "docker.io/library/node:22' + secret('x') + '"; return v; })(), /bases\.0\.ref: Does not match pattern/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); v.bases[0].ref = 'docker.io/library/node:${{ vars.x }}'; return v; })(), /bases\.0\.ref: Does not match pattern/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); v.bases[0].image = "web'"; return v; })(), /bases\.0\.image: Does not match pattern/],
    [(() => { const v = buildValues([{ name: 'ext', bases: ['node:22'], local: false, repo: 'acme/ext' }]); delete (v.images[0].source as Partial<typeof v.images[0]['source']>).url; return v; })(), /images\.0\.source: url is required/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); v.images[0].source.buildArgs = { X: "${{ secret('x').token }}" }; return v; })(), /images\.0\.source\.buildArgs\.X/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); v.bases[0].repoURL = "node'"; return v; })(), /bases\.0\.repoURL: Does not match pattern/],
    [(() => { const v = CASES['delays 0, 30m, 7d'](); (v.images[0].subscription as any).semverConstraint = '^1'; return v; })(), /images\.0\.subscription: Additional property semverConstraint/],
    [{ ...CASES['no images'](), analysisService: { port: 'http' } }, /analysisService\.port: Invalid type/],
    [{ ...CASES['no images'](), externalRepositories: ["https://github.com/acme/x'.git"] }, /externalRepositories\.0: Does not match pattern/],
  ];
  for (const [values, message] of cases) {
    const r = await helmTemplate(values);
    assert.is.not(r.code, 0, `accepted: ${message}`);
    assert.match(r.stderr, message);
  }
});

test('an upstream that is not the slug of a base fails helm template naming the image and the slug', async () => {
  const values = CASES['delays 0, 30m, 7d']();
  values.images[0].upstreams[0].slug = 'not-a-base';
  const r = await helmTemplate(values);
  assert.is.not(r.code, 0);
  assert.match(r.stderr, `images: ${values.images[0].name}: upstream "not-a-base" is not the slug of an entry of bases; run \`image-factory generate\` to write the values again`);
});

test('an empty stateRepo.url fails with how to set it', async () => {
  const r = await helmTemplate(CASES['external image, no stateRepo in values, only a pinned base']());
  assert.is.not(r.code, 0);
  assert.match(r.stderr, 'stateRepo.url is required: set it to the HTTPS URL of the state repository');
});

test('project.create false renders no Project; the ProjectConfig stays', async () => {
  const { objects } = await render(CASES['no images'](), ['--set', 'project.create=false', '--set', 'project.name=factory']);
  assert.equal(names(objects, 'Project'), []);
  assert.equal(find(objects, 'ProjectConfig', 'factory').metadata.namespace, 'factory');
  assert.is(find(objects, 'PromotionTask', 'analyze').spec.steps[2].config.url, 'http://image-factory-analysis.factory.svc.cluster.local:8080/v1/analyze');
});

test('analysis service: hardened pod, token as a file, optional git credentials, probes, only Kargo may call it', async () => {
  const { objects } = await render(CASES['no images']());
  const dep = find(objects, 'Deployment', 'image-factory-analysis');
  const pod = dep.spec.template.spec;
  const [c] = pod.containers;
  assert.equal(pod.securityContext, { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } });
  assert.equal(c.securityContext, { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, runAsNonRoot: true, capabilities: { drop: ['ALL'] } });
  assert.is(c.image, 'ghcr.io/image-factory/image-factory:0.1.0');
  // The image's entrypoint is the CLI (analysis-step/Dockerfile): the Deployment names the command.
  assert.equal(c.args, ['serve']);
  assert.equal(c.ports, [{ name: 'http', containerPort: 8080, protocol: 'TCP' }]);
  assert.is(c.readinessProbe.httpGet.path, '/readyz');
  assert.is(c.livenessProbe.httpGet.path, '/healthz');
  const vol = (n: string) => pod.volumes.find((v: any) => v.name === n);
  assert.equal(vol('token').secret, { secretName: 'image-factory-analysis-token', items: [{ key: 'token', path: 'token' }] });
  assert.equal(vol('git-credentials').secret, { secretName: 'image-factory-analysis-git', optional: true });
  assert.ok(c.volumeMounts.every((m: any) => m.name === 'tmp' || m.readOnly === true));
  assert.equal(dep.spec.selector.matchLabels, find(objects, 'Service', 'image-factory-analysis').spec.selector);
  assert.is(find(objects, 'Service', 'image-factory-analysis').spec.type, 'ClusterIP');
  const np = find(objects, 'NetworkPolicy', 'image-factory-analysis');
  assert.equal(np.spec.podSelector.matchLabels, dep.spec.selector.matchLabels);
  assert.equal(np.spec.ingress, [
    {
      from: [
        {
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kargo' } },
          podSelector: { matchLabels: { 'app.kubernetes.io/name': 'kargo', 'app.kubernetes.io/component': 'controller' } },
        },
      ],
      ports: [{ protocol: 'TCP', port: 'http' }],
    },
  ]);
  const off = await render(CASES['no images'](), ['--set', 'analysisService.networkPolicy.enabled=false', '--set', `analysisService.image.digest=sha256:${'c'.repeat(64)}`]);
  assert.equal(names(off.objects, 'NetworkPolicy'), []);
  assert.is(find(off.objects, 'Deployment', 'image-factory-analysis').spec.template.spec.containers[0].image, `ghcr.io/image-factory/image-factory@sha256:${'c'.repeat(64)}`);
});

test('a per-base interval wins over warehouses.base.interval', async () => {
  const values = buildValues([{ name: 'api', bases: ['node:22', 'python:3'] }], { intervals: { 'docker.io/library/node:22': '4h' } });
  const { objects } = await render(values, ['--set', 'warehouses.base.interval=2h']);
  assert.is(find(objects, 'Warehouse', 'base-node-22').spec.interval, '4h');
  assert.is(find(objects, 'Warehouse', 'base-python-3').spec.interval, '2h');
});

test('output is deterministic', async () => {
  const values = CASES['three-level chain']();
  const a = await helmTemplate(values);
  const b = await helmTemplate(values);
  assert.is(a.code, 0);
  assert.is(a.stdout, b.stdout);
});

test('500 images: one rebuild Stage each, an app Warehouse and analysis Stage for each external one', async () => {
  const values = CASES['500 images']();
  const external = values.images.filter((i) => !i.source.local).length;
  assert.is(external, 100);
  const { objects } = await render(values);
  assert.is(byKind(objects, 'Stage').filter((o) => o.metadata.labels['image-factory.dev/role'] === 'analyze').length, external);
  assert.is(byKind(objects, 'Stage').filter((o) => o.metadata.labels['image-factory.dev/role'] === 'rebuild').length, 500);
  assert.is(byKind(objects, 'Warehouse').length, external + values.bases.length);
  assert.is(find(objects, 'ProjectConfig', 'image-factory').spec.promotionPolicies.length, 1);
});

test('templates stay linear: no loop over images or bases inside another', () => {
  const dir = path.join(CHART_DIR, 'templates');
  const files = readdirSync(dir, { recursive: true }).map(String).filter((f) => /\.(yaml|tpl|txt)$/.test(f));
  assert.ok(files.length >= 10);
  for (const file of files) {
    const text = readFileSync(path.join(dir, file), 'utf8');
    const tokens = [...text.matchAll(/\{\{-?\s*(range|if|with|define|end)\b([^}]*)\}\}/g)];
    const stack: boolean[] = [];
    for (const [, word, rest] of tokens) {
      if (word === 'end') stack.pop();
      else {
        const overAll = word === 'range' && /\.Values\.(images|bases|edges)\b/.test(rest);
        assert.not.ok(overAll && stack.includes(true), `${file}: a range over all ${rest.trim()} inside another`);
        stack.push(overAll);
      }
    }
  }
});

test('helm lint --strict is clean', async () => {
  await withValuesFile(CASES['three-level chain'](), async (file) => {
    const r = await helm(['lint', '--strict', CHART_DIR, '-f', file]);
    assert.is(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, '1 chart(s) linted, 0 chart(s) failed');
    assert.not.match(r.stdout, /\[(WARNING|ERROR)\]/);
  });
});

test('chart/README.md values table matches values.yaml (scripts/chart-readme.js --check)', async () => {
  const { execFile } = await import('node:child_process');
  const code = await new Promise<number>((resolve) =>
    execFile(process.execPath, [path.join(CHART_DIR, 'scripts', 'chart-readme.js'), '--check'], (e) => resolve(e ? Number(e.code ?? 1) : 0)),
  );
  assert.is(code, 0, 'run node scripts/chart-readme.js');
  const readme = readFileSync(path.join(CHART_DIR, 'chart', 'README.md'), 'utf8');
  for (const key of ['project.name', 'stateRepo.url', 'warehouses.base.interval', 'github.tokenSecret.name', 'gitlab.triggerTokenSecret.name', 'webhook.secret.name', 'analysisService.tokenSecret.name']) {
    assert.match(readme, `| \`${key}\``);
  }
  assert.match(readme, 'akuity/kargo#4586');
});

test('the example values and Argo CD Application are valid', async () => {
  const { objects } = await renderFile(path.join(CHART_DIR, 'chart', 'examples', 'values.yaml'));
  assert.ok(byKind(objects, 'Stage').length > 0);
  const app = parse(readFileSync(path.join(CHART_DIR, 'chart', 'examples', 'application.yaml'), 'utf8'));
  assert.is(app.kind, 'Application');
  const [chart, values] = app.spec.sources;
  assert.is(chart.path, '.');
  assert.equal(chart.helm.valueFiles, ['$values/dist/values.yaml']);
  assert.is(values.ref, 'values');
});

test.run();
