// Every object the chart renders, for every values case, against Kargo v1.11.2: the CRD schema of
// its kind (strict: unknown fields fail), the CEL rules that matter here, each Warehouse
// subscription against its subscription schema, and each promotion step's config against its step
// schema (a string that is wholly an expression stands for any type).
import { test } from 'uvu';
import * as path from 'node:path';
import * as assert from 'uvu/assert';
import { render, renderFile, type K8sObject } from './support/helm';
import { crdValidators, stepValidators, subscriptionValidators } from './support/kargo-schemas';
import { CASES, STATE_REPO_SET } from './support/chart-cases';

const KARGO_API = 'kargo.akuity.io/v1alpha1';
const CORE: Record<string, string> = {
  ServiceAccount: 'v1',
  ConfigMap: 'v1',
  Service: 'v1',
  Deployment: 'apps/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
};
const LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/version',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/managed-by',
  'helm.sh/chart',
];

function stepProblems(where: string, steps: any[], inTask: boolean): string[] {
  const problems: string[] = [];
  const steppers = stepValidators();
  steps.forEach((step, i) => {
    const at = `${where} step ${i} (${step.as ?? step.uses ?? step.task?.name})`;
    const hasUses = step.uses !== undefined;
    const hasTask = step.task !== undefined;
    if (hasUses === hasTask) problems.push(`${at}: exactly one of uses/task`);
    if (inTask && hasTask) problems.push(`${at}: a PromotionTask cannot nest a task`);
    if (hasTask && (step.retry !== undefined || step.continueOnError !== undefined)) {
      problems.push(`${at}: a task step cannot set retry or continueOnError`);
    }
    if (hasUses) {
      const validate = steppers.get(step.uses);
      if (!validate) problems.push(`${at}: no step named ${step.uses} in Kargo v1.11.2`);
      else {
        const err = validate(step.config ?? {});
        if (err) problems.push(`${at}: config: ${err}`);
      }
    }
  });
  return problems;
}

/** Every problem of every object: empty when all is valid. */
export function problemsOf(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const crds = crdValidators();
  const subs = subscriptionValidators();
  for (const o of objects) {
    const where = `${o.kind} ${o.metadata?.name}`;
    if (!o.metadata?.name) problems.push(`${where}: no metadata.name`);
    for (const l of LABELS) if (!o.metadata?.labels?.[l]) problems.push(`${where}: label ${l} missing`);
    if (o.apiVersion === KARGO_API) {
      const validate = crds.get(o.kind);
      if (!validate) {
        problems.push(`${where}: not a Kargo v1.11.2 kind`);
        continue;
      }
      const err = validate(o);
      if (err) problems.push(`${where}: ${err}`);
      if (o.kind === 'Stage') problems.push(...stepProblems(where, o.spec.promotionTemplate?.spec?.steps ?? [], false));
      if (o.kind === 'PromotionTask') problems.push(...stepProblems(where, o.spec.steps ?? [], true));
      if (o.kind === 'ProjectConfig') {
        for (const p of o.spec.promotionPolicies ?? []) {
          if ((p.stage === undefined) === (p.stageSelector === undefined)) problems.push(`${where}: policy needs exactly one of stage/stageSelector`);
        }
      }
      if (o.kind === 'Warehouse') {
        const seen = new Set<string>();
        for (const sub of o.spec.subscriptions) {
          const keys = Object.keys(sub);
          if (keys.length !== 1) {
            problems.push(`${where}: a subscription has keys ${keys.join(',')}`);
            continue;
          }
          const validate = subs.get(keys[0]);
          if (!validate) problems.push(`${where}: unknown subscription type ${keys[0]}`);
          else {
            const err = validate(sub[keys[0]]);
            if (err) problems.push(`${where}: ${keys[0]} subscription: ${err}`);
          }
          const id = `${keys[0]} ${sub[keys[0]].repoURL}`;
          if (seen.has(id)) problems.push(`${where}: two subscriptions for ${id}`);
          seen.add(id);
        }
      }
    } else if (CORE[o.kind] !== undefined) {
      if (o.apiVersion !== CORE[o.kind]) problems.push(`${where}: apiVersion ${o.apiVersion}`);
    } else {
      problems.push(`${where}: unexpected kind`);
    }
  }
  return problems;
}

for (const [name, build] of Object.entries(CASES)) {
  test(`every object is valid for Kargo v1.11.2: ${name}`, async () => {
    const { objects } = await render(build(), STATE_REPO_SET);
    assert.ok(objects.length >= 9, `rendered ${objects.length} objects`);
    assert.equal(problemsOf(objects), []);
  });
}

test('the validation itself catches what Kargo would refuse', async () => {
  const { objects } = await render(CASES['one image, three bases'](), STATE_REPO_SET);
  const broken = structuredClone(objects);
  const stage = broken.find((o) => o.kind === 'Stage' && o.metadata.name === 'rebuild-api')!;
  stage.spec.requestedFreight[0].sources = { stages: ['x'], requiredSoakTime: '7d' }; // no "d" unit in Kargo durations
  const wh = broken.find((o) => o.kind === 'Warehouse' && o.metadata.name.startsWith('base-'))!;
  wh.spec.subscriptions.push({ image: { repoURL: wh.spec.subscriptions[0].image.repoURL } });
  wh.spec.subscriptions[0].image.semverConstraint = '^1'; // removed in v1.9
  const task = broken.find((o) => o.kind === 'PromotionTask' && o.metadata.name === 'rebuild')!;
  const step = (alias: string) => task.spec.steps.find((s: { as: string }) => s.as === alias);
  step('dispatch').config.method = 'FETCH';
  step('dispatch').config.timeout = '${{ vars.timeout }}'; // wholly an expression: accepted
  step('clone').config.checkout[0].pathh = './x'; // unknown field
  const rebuildStage = broken.find((o) => o.kind === 'Stage' && o.metadata.name === 'rebuild-api')!;
  rebuildStage.spec.promotionTemplate.spec.steps[0].retry = { errorThreshold: 2 };
  const problems = problemsOf(broken).join('\n');
  assert.match(problems, /Stage rebuild-api: .*requiredSoakTime/);
  assert.match(problems, new RegExp(`two subscriptions for image ${wh.spec.subscriptions[0].image.repoURL}`));
  assert.match(problems, /semverConstraint/);
  assert.match(problems, /PromotionTask rebuild step 6 \(dispatch\): config: \/method/);
  assert.not.match(problems, /\/timeout/);
  assert.match(problems, /pathh/);
  assert.match(problems, /rebuild-api step 0 \(rebuild\): a task step cannot set retry/);
});


// Values straight from `image-factory generate`: the exemplar state repo's committed dist/values.yaml
// and a fixture's expected output, rendered as Argo CD would and held to the same rules.
const GENERATED_VALUES: Record<string, string> = {
  'examples/exemplar': path.resolve(__dirname, '../examples/exemplar/dist/values.yaml'),
  // GitLab, webhook and watch-only images: the rebuild-gitlab and rebuild-webhook tasks are rendered.
  'examples/providers': path.resolve(__dirname, '../examples/providers/dist/values.yaml'),
  'test/fixtures/generate-basic': path.resolve(__dirname, 'fixtures/generate-basic/expected/dist/values.yaml'),
};

for (const [name, file] of Object.entries(GENERATED_VALUES)) {
  test(`every object is valid for Kargo v1.11.2: generated values of ${name}`, async () => {
    const { objects } = await renderFile(file, STATE_REPO_SET);
    assert.ok(objects.some((o) => o.kind === 'Stage' && o.metadata.name.startsWith('rebuild-')), 'rebuild Stages rendered');
    assert.equal(problemsOf(objects), []);
  });
}

test.run();
