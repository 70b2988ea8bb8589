// Every Stage and PromotionTask kind the chart renders, run by kargo-sim (Kargo v1.11.2's step and
// expression semantics) from the real `helm template` output of the exemplar state repo: against a
// bare state repository (file://), the real analysis service and a source repository on loopback,
// and a loopback GitHub that keeps the workflow_dispatch contract. Skipped on a plain clone
// (no ../shared); a failure under CI=true.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { main } from '../generator/src/cli/cli';
import { loadService, settingsOf } from '../analysis-step/src/config';
import { createAnalysisService, type AnalysisService } from '../analysis-step/src/server';
import { CHART_DIR, helm } from './support/helm';
import { git, makeRepo, type TestRepo } from './support/git-repos';
import { startGitHubServer, type GitHubServer } from './support/github-server';
import type { ScriptedAnswer } from './support/scripted-server';
import { kargoSim, promote, type Freight, type Promotion } from './support/kargo-sim';
import { captureOutput, removeTempDirs, tempDir } from './support/tree';
import { both, checkStateRepo as checkStateRepoOf, history, recorded, seedStateRepo, type SeedEdit } from './support/state-seed';

const SUITE = 'kargo-promotions';
const sim = kargoSim(SUITE);
const EXEMPLAR = path.join(CHART_DIR, 'examples/exemplar');
const STATE_URL = 'https://github.com/acme/images-state.git';
const SOURCE_URL = 'https://github.com/acme/image-factory.git';
const GH_TOKEN = 'ghp_dispatch_token_0123456789abcdef';
const AN_TOKEN = 'analysis-token-0123456789abcdef';
const SECRETS = { 'github-dispatch': { token: GH_TOKEN }, 'image-factory-analysis-token': { token: AN_TOKEN } };
const digest = (c: string) => `sha256:${c.repeat(64)}`;
const INPUTS = { refs: ['main'], inputs: ['base_image', 'base_digest'] };

let tmp: string;
let stateBare: string;
let source: TestRepo;
let github: GitHubServer;
let service: AnalysisService;
let manifests: string;
let rendered: string;
let runs = 0;
/** The analysis service's clock (the gate's now); tests move it. */
let clock = new Date('2026-11-30T12:00:00Z');

async function renderExemplar(valuesFile: string, extra: string[] = []): Promise<string> {
  const r = await helm(['template', 'image-factory', CHART_DIR, '-f', valuesFile, ...extra]);
  if (r.code !== 0) throw new Error(`helm template failed: ${r.stderr}`);
  return r.stdout;
}

/** A fresh bare state repository holding the exemplar, optionally with images/<name>.yaml edited. */
const seedState = (edit?: SeedEdit) => seedStateRepo(tmp, stateBare, EXEMPLAR, edit);

const stateFile = (rel: string) => git(tmp, ['--git-dir', stateBare, 'show', `main:${rel}`]);
const stateLog = () => git(tmp, ['--git-dir', stateBare, 'log', '--format=%s', 'main']).trim().split('\n');

const NODE = 'docker.io/library/node:22-bookworm-slim';
/** Seen long enough ago for any delay of the exemplar. */
const LONG_AGO = '2026-10-01T00:00:00Z';

function run(stage: string, freight: Freight[], maxPolls = 4): Promise<Promotion> {
  return promote({ sim: sim!, manifests, stage, freight, secrets: SECRETS, workDir: path.join(tmp, `run-${++runs}`), maxPolls });
}

const nodeFreight = (d: string): Freight => ({
  name: `node-${d.slice(7, 14)}`,
  warehouse: 'base-node-22-bookworm-slim',
  images: [{ repoURL: 'docker.io/library/node', tag: '22-bookworm-slim', digest: d }],
});

const dispatches = () => github.requests.filter((r) => r.method === 'POST');

const checkStateRepo = () => checkStateRepoOf(tmp, stateBare);

if (sim !== undefined) {
  test.before(async () => {
    tmp = tempDir('kargo-sim');
    stateBare = path.join(tmp, 'state.git');
    source = makeRepo(tmp, 'image-factory-src');
    source.commit({ 'analysis-step/Dockerfile': fs.readFileSync(path.join(CHART_DIR, 'analysis-step/Dockerfile'), 'utf8') }, 'analysis-step Dockerfile');
    github = await startGitHubServer({
      token: GH_TOKEN,
      repos: {
        'acme/images-state': { 'build-nginx.yml': INPUTS, 'build-api.yml': INPUTS, 'build-python-base.yml': INPUTS },
        'acme/image-factory': { 'analysis-step.yml': INPUTS },
      },
    });
    const raw = await renderExemplar(path.join(EXEMPLAR, 'dist/values.yaml'), ['--set', `github.apiURL=${github.url}`]);
    // The analysis service: configured from the rendered ConfigMap, reading the source repository from disk.
    const configDir = path.join(tmp, 'service');
    fs.mkdirSync(configDir);
    const local = (text: string) => text.split(STATE_URL).join(`file://${stateBare}`).split(SOURCE_URL).join(source.url);
    // Every allowlist part, one file each, as the Deployment mounts them.
    for (const doc of parseAllDocuments(raw)) {
      const obj = doc.toJS() as { kind?: string; data?: Record<string, string> } | null;
      if (obj?.kind === 'ConfigMap') for (const [key, text] of Object.entries(obj.data ?? {})) fs.writeFileSync(path.join(configDir, key), local(text));
    }
    fs.writeFileSync(path.join(configDir, 'token'), AN_TOKEN);
    service = createAnalysisService(
      loadService(settingsOf({ IMAGE_FACTORY_CONFIG: configDir, IMAGE_FACTORY_TOKEN_FILE: path.join(configDir, 'token'), IMAGE_FACTORY_ALLOW_FILE_URLS: 'true', TMPDIR: tmp })),
      { logger: { log: () => undefined }, now: () => clock },
    );
    const port = await service.listen(0, '127.0.0.1');
    rendered = local(raw).replace(/http:\/\/image-factory-analysis\.image-factory\.svc\.cluster\.local:8080/g, `http://127.0.0.1:${port}`);
    manifests = path.join(tmp, 'rendered.yaml');
    fs.writeFileSync(manifests, rendered);
  });

  test.after(async () => {
    await github?.close();
    await service?.close();
    removeTempDirs();
  });

  test('rebuild: the first digest seen is recorded without a build (no dispatch storm at install), and generate keeps it', async () => {
    seedState();
    const before = dispatches().length;
    const p = await run('rebuild-nginx', [nodeFreight(digest('1'))]);
    assert.is(p.phase, 'Succeeded', p.message + p.stdout);
    assert.is(p.step['rebuild::dispatch'].status, 'Skipped');
    assert.is(p.step['rebuild::record-first-digest'].status, 'Succeeded');
    assert.is(dispatches().length, before, 'no workflow_dispatch');
    const state = parseYaml(stateFile('images/nginx.yaml'));
    assert.is(state.lastRebuild.bases['node-22-bookworm-slim'].digest, digest('1'));
    assert.is(state.lastRebuild.at, '', 'no rebuild happened');
    assert.match(stateLog()[0], /nginx is built on docker\.io\/library\/node:22-bookworm-slim@sha256:1{64} \(first digest seen; no rebuild\)/);
    const check = await checkStateRepo();
    assert.is(check.code, 0, check.out);
  });

  test('rebuild: a new digest that has been out for the delay dispatches once with the right body, is recorded, and can be recorded again; the same digest twice does nothing', async () => {
    seedState(both(recorded('nginx', 'node-22-bookworm-slim', digest('1')), history('node-22-bookworm-slim', NODE, ['3', '2', '1'].map((c) => ({ digest: digest(c), seenAt: LONG_AGO })))));
    const before = dispatches().length;
    const p = await run('rebuild-nginx', [nodeFreight(digest('2'))]);
    assert.is(p.phase, 'Succeeded', p.message + p.stdout);
    const sent = dispatches().slice(before);
    assert.is(sent.length, 1);
    assert.is(sent[0].path, '/repos/acme/images-state/actions/workflows/build-nginx.yml/dispatches');
    assert.is(sent[0].headers.authorization, `Bearer ${GH_TOKEN}`);
    assert.is(sent[0].headers['x-github-api-version'], '2022-11-28');
    assert.equal(sent[0].json, { ref: 'main', inputs: { base_image: 'docker.io/library/node:22-bookworm-slim', base_digest: digest('2') } });
    let state = parseYaml(stateFile('images/nginx.yaml'));
    assert.is(state.lastRebuild.base, 'docker.io/library/node:22-bookworm-slim');
    assert.is(state.lastRebuild.digest, digest('2'));
    assert.match(state.lastRebuild.at, /^2026-11-30T12:00:00Z$/);
    assert.is(state.lastRebuild.bases['node-22-bookworm-slim'].digest, digest('2'));
    assert.is(state.lastRebuild.bases['nginx-1_27-alpine'].digest, '', 'the other base is untouched');
    assert.match(stateLog()[0], /^image-factory: rebuild nginx for docker\.io\/library\/node:22-bookworm-slim@sha256:2{64}$/);
    assert.is((await checkStateRepo()).code, 0, 'generate --check is clean after Kargo wrote the record');

    // The same digest again (a re-promotion): no dispatch, no commit.
    const commits = stateLog().length;
    const again = await run('rebuild-nginx', [nodeFreight(digest('2'))]);
    assert.is(again.phase, 'Succeeded', again.message);
    assert.is(again.step['rebuild::dispatch'].status, 'Skipped');
    assert.is(again.step['rebuild::decision'].outputs!.reason, `already built on ${digest('2')}`);
    assert.is(dispatches().length, before + 1);
    assert.is(stateLog().length, commits);

    // The next digest: the record written by yaml-update is changed by yaml-update again.
    const third = await run('rebuild-nginx', [nodeFreight(digest('3'))]);
    assert.is(third.phase, 'Succeeded', third.message);
    assert.is(dispatches().length, before + 2);
    state = parseYaml(stateFile('images/nginx.yaml'));
    assert.is(state.lastRebuild.digest, digest('3'));
    assert.is(state.lastRebuild.bases['node-22-bookworm-slim'].digest, digest('3'));
  });

  const statusCases: { name: string; answers: ScriptedAnswer[]; phase: string; posts: number; message?: RegExp; recordedAfter: boolean }[] = [
    { name: '200 (a 2xx other than 204)', answers: [{ status: 200, body: { workflow_run_id: 1 } }], phase: 'Succeeded', posts: 1, recordedAfter: true },
    { name: '400', answers: [{ status: 400, body: { message: 'Problems parsing JSON' } }], phase: 'Failed', posts: 1, message: /GitHub: Problems parsing JSON/, recordedAfter: false },
    { name: '401', answers: [{ status: 401, body: { message: 'Bad credentials' } }], phase: 'Failed', posts: 1, message: /GitHub: Bad credentials/, recordedAfter: false },
    { name: '404', answers: [{ status: 404, body: { message: 'Not Found' } }], phase: 'Failed', posts: 1, message: /GitHub: Not Found/, recordedAfter: false },
    { name: '422', answers: [{ status: 422, body: { message: "Workflow does not have 'workflow_dispatch' trigger" } }], phase: 'Failed', posts: 1, message: /GitHub: Workflow does not have 'workflow_dispatch' trigger/, recordedAfter: false },
    { name: 'a plain 403 (not a rate limit)', answers: [{ status: 403, body: { message: 'Resource not accessible by integration' } }], phase: 'Failed', posts: 1, message: /Resource not accessible by integration/, recordedAfter: false },
    { name: '429 then 204', answers: [{ status: 429, headers: { 'retry-after': '1' }, body: { message: 'slow down' } }], phase: 'Succeeded', posts: 2, recordedAfter: true },
    { name: '503 then 204', answers: [{ status: 503, body: 'unavailable' }], phase: 'Succeeded', posts: 2, recordedAfter: true },
    { name: 'a rate-limited 403 then 204', answers: [{ status: 403, headers: { 'x-ratelimit-remaining': '0' }, body: { message: 'API rate limit exceeded' } }], phase: 'Succeeded', posts: 2, recordedAfter: true },
    { name: '503 on every attempt', answers: Array.from({ length: 4 }, () => ({ status: 503, body: { message: 'down' } })), phase: 'Failed', posts: 4, recordedAfter: false },
  ];
  for (const c of statusCases) {
    test(`rebuild: GitHub answers ${c.name} → ${c.phase}, ${c.posts} POST(s), ${c.recordedAfter ? 'recorded' : 'nothing recorded'}`, async () => {
      seedState(both(recorded('nginx', 'node-22-bookworm-slim', digest('1')), history('node-22-bookworm-slim', NODE, [{ digest: digest('4'), seenAt: LONG_AGO }])));
      const before = dispatches().length;
      const commits = stateLog().length;
      github.script(...c.answers);
      const p = await run('rebuild-nginx', [nodeFreight(digest('4'))], 4);
      assert.is(p.phase, c.phase, `${p.message}\n${p.stdout}`);
      assert.is(dispatches().length - before, c.posts, 'one POST per attempt, never more');
      assert.is(github.pending(), 0);
      if (c.message) assert.match(p.step['rebuild::dispatch'].message ?? '', c.message);
      const state = parseYaml(stateFile('images/nginx.yaml'));
      assert.is(state.lastRebuild.bases['node-22-bookworm-slim'].digest, c.recordedAfter ? digest('4') : digest('1'));
      assert.is(stateLog().length - commits, c.recordedAfter ? 1 : 0);
      assert.not.match(p.stdout, GH_TOKEN, 'the token is masked');
    });
  }

  test('rebuild of a chained child: its upstream is the digest behind the exact parent tag, watched by a base Warehouse; an unchanged digest dispatches nothing', async () => {
    const docs = parseAllDocuments(rendered).map((d) => d.toJS()).filter(Boolean) as any[]; // eslint-disable-line @typescript-eslint/no-explicit-any
    const stage = docs.find((d) => d.kind === 'Stage' && d.metadata.name === 'rebuild-api');
    const origins: string[] = stage.spec.requestedFreight.map((r: { origin: { name: string } }) => r.origin.name);
    const parentWarehouse = 'base-ghcr.io-acme-python-base-3.12--a74243b32f';
    assert.ok(origins.includes(parentWarehouse), origins.join(', '));
    const wh = docs.find((d) => d.kind === 'Warehouse' && d.metadata.name === parentWarehouse);
    assert.equal(wh.spec.subscriptions, [{ image: { repoURL: 'ghcr.io/acme/python-base', imageSelectionStrategy: 'Digest', constraint: '3.12' } }]);
    // No Warehouse watches the state repository (a commit there, including Kargo's own, makes no Freight).
    const gitSubs = docs.filter((d) => d.kind === 'Warehouse').flatMap((d) => d.spec.subscriptions.filter((s: { git?: unknown }) => s.git));
    assert.equal(gitSubs.map((s: { git: { repoURL: string } }) => s.git.repoURL), [source.url]);

    const parent = (d: string): Freight => ({ name: `pb-${d.slice(7, 14)}`, warehouse: parentWarehouse, images: [{ repoURL: 'ghcr.io/acme/python-base', tag: '3.12', digest: d }] });
    seedState(recorded('api', 'ghcr_io-acme-python-base-3_12--a74243b32f', digest('5')));  // api: rebuildDelay 0
    const before = dispatches().length;
    const same = await run('rebuild-api', [parent(digest('5'))]);
    assert.is(same.phase, 'Succeeded', same.message);
    assert.is(dispatches().length, before, 'an unchanged parent digest rebuilds nothing');
    const changed = await run('rebuild-api', [parent(digest('6'))]);
    assert.is(changed.phase, 'Succeeded', changed.message);
    assert.is(dispatches().length, before + 1);
    assert.equal(dispatches().at(-1)!.json, { ref: 'main', inputs: { base_image: 'ghcr.io/acme/python-base:3.12', base_digest: digest('6') } });
  });

  test('base Stage: records when each digest was first seen in digests/<key>.yaml, newest first, once', async () => {
    seedState();
    const first = await run('base-node-22-bookworm-slim', [nodeFreight(digest('7'))]);
    assert.is(first.phase, 'Succeeded', first.message + first.stdout);
    assert.equal(first.step.base.outputs, { ref: NODE, digest: digest('7') });
    const read = () => parseYaml(stateFile('digests/node-22-bookworm-slim.yaml'));
    assert.equal(read(), { ref: NODE, seen: [{ digest: digest('7'), seenAt: '2026-11-30T12:00:00Z' }] });
    assert.is(stateLog()[0], `image-factory: ${NODE} is now ${digest('7')}`);
    const commits = stateLog().length;
    const again = await run('base-node-22-bookworm-slim', [nodeFreight(digest('7'))]);
    assert.is(again.phase, 'Succeeded', again.message);
    assert.is(stateLog().length, commits, 'a digest already recorded is not recorded again');
    const next = await promote({ sim: sim!, manifests, stage: 'base-node-22-bookworm-slim', freight: [nodeFreight(digest('8'))], secrets: SECRETS, workDir: path.join(tmp, `run-${++runs}`), now: '2026-12-03T08:00:00Z' });
    assert.is(next.phase, 'Succeeded', next.message);
    assert.equal(read().seen, [{ digest: digest('8'), seenAt: '2026-12-03T08:00:00Z' }, { digest: digest('7'), seenAt: '2026-11-30T12:00:00Z' }]);
    assert.is((await checkStateRepo()).code, 0, 'generate leaves digests/ alone');
  });

  test('rebuild: the cooldown gate keeps a digest waiting until it has been out for rebuildDelay, then dispatches; a newer due digest is built instead of an older one', async () => {
    // nginx: rebuildDelay 2d. Seen 1 day before the service's clock: the gate says wait, nothing is sent.
    const seenRecently = new Date(clock.getTime() - 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    seedState(both(recorded('nginx', 'node-22-bookworm-slim', digest('1')), history('node-22-bookworm-slim', NODE, [{ digest: digest('2'), seenAt: seenRecently }])));
    const before = dispatches().length;
    const waiting = await run('rebuild-nginx', [nodeFreight(digest('2'))], 3);
    assert.is(waiting.step['rebuild::gate'].status, 'Failed', 'still running after the polls kargo-sim allows (Kargo keeps polling)');
    assert.is(waiting.step['rebuild::gate'].polls, 3);
    assert.is(dispatches().length, before, 'no dispatch before the digest is due');
    assert.is(parseYaml(stateFile('images/nginx.yaml')).lastRebuild.bases['node-22-bookworm-slim'].digest, digest('1'));
    // Three days later the same Promotion's gate opens.
    clock = new Date(clock.getTime() + 2 * 86_400_000);
    try {
      const due = await run('rebuild-nginx', [nodeFreight(digest('2'))]);
      assert.is(due.phase, 'Succeeded', due.message + due.stdout);
      assert.is(due.step['rebuild::gate'].outputs!.action, 'dispatch');
      assert.is(dispatches().length, before + 1);
      assert.is(parseYaml(stateFile('images/nginx.yaml')).lastRebuild.digest, digest('2'));
    } finally {
      clock = new Date(clock.getTime() - 2 * 86_400_000);
    }
    // A queued Promotion of an older digest, when a newer one is due too: skipped, nothing recorded.
    seedState(both(recorded('nginx', 'node-22-bookworm-slim', digest('1')), history('node-22-bookworm-slim', NODE, [{ digest: digest('3'), seenAt: LONG_AGO.replace('10-01', '10-05') }, { digest: digest('2'), seenAt: LONG_AGO }])));
    const commits = stateLog().length;
    const older = await run('rebuild-nginx', [nodeFreight(digest('2'))]);
    assert.is(older.phase, 'Succeeded', older.message);
    assert.is(older.step['rebuild::gate'].outputs!.action, 'skip');
    assert.is(older.step['rebuild::dispatch'].status, 'Skipped');
    assert.is(dispatches().length, before + 1);
    assert.is(stateLog().length, commits);
  });

  const analysisFreight = (): Freight => ({
    name: 'ifa-1',
    warehouse: 'app-image-factory-analysis',
    commits: [{ repoURL: source.url, id: source.head(), branch: 'main' }],
  });

  test('analyze: the state file written is byte for byte what the service answered, generate --check is clean, and a second analysis reads lastRebuild back', async () => {
    seedState();
    const p = await run('analyze-image-factory-analysis', [analysisFreight()]);
    assert.is(p.phase, 'Succeeded', `${p.message}\n${p.stdout}`);
    const answered = p.step['analyze::analysis'].outputs!.stateFile as string;
    const written = stateFile('images/image-factory-analysis.yaml');
    assert.is(written, answered);
    assert.ok(written.split('\n').length > 20, 'a multi-line file, not a quoted one-liner');
    assert.match(stateLog()[0], /^image-factory: analyze image-factory-analysis at [0-9a-f]{40} \(bases: docker\.io\/library\/node:20-bookworm-slim\)$/, stateLog()[0]);
    // generate accepts the file as written: what it lists is only the new base's file and the values.
    const check = await checkStateRepo();
    assert.is(check.code, 1, check.out);
    assert.not.match(check.out, /images\/image-factory-analysis\.yaml/);
    assert.match(check.out, /create  base-images\/node-20-bookworm-slim\.yaml/);

    // Kargo records a rebuild; the next analysis carries that record through the service.
    const nodeBase = { name: 'n20', warehouse: 'base-node-20-bookworm-slim', images: [{ repoURL: 'docker.io/library/node', tag: '20-bookworm-slim', digest: digest('8') }] };
    const manifestsBefore = manifests;
    // The exemplar's values know nothing of the analysis service's base yet: render again from the state repo as CI would.
    const clone = fs.mkdtempSync(path.join(tmp, 'regen-'));
    git(tmp, ['clone', '--quiet', stateBare, clone]);
    const regen = await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', clone]));
    assert.is(regen.result, 0, regen.stderr);
    git(clone, ['add', '-A']);
    git(clone, ['commit', '--quiet', '-m', 'image-factory: regenerate']);
    git(clone, ['push', '--quiet', 'origin', 'HEAD:main']);
    manifests = path.join(tmp, 'rendered-2.yaml');
    const raw = await renderExemplar(path.join(clone, 'dist/values.yaml'), ['--set', `github.apiURL=${github.url}`]);
    fs.writeFileSync(manifests, raw.split(STATE_URL).join(`file://${stateBare}`).split(SOURCE_URL).join(source.url).replace(/http:\/\/image-factory-analysis\.image-factory\.svc\.cluster\.local:8080/g, rendered.match(/http:\/\/127\.0\.0\.1:\d+/)![0]));
    try {
      const first = await run('rebuild-image-factory-analysis', [nodeBase]);
      assert.is(first.phase, 'Succeeded', first.message);
      // Unrecorded digest: the gate counts from the Promotion's start; a month later it is due.
      clock = new Date(clock.getTime() + 30 * 86_400_000);
      const second = await run('rebuild-image-factory-analysis', [{ ...nodeBase, name: 'n20b', images: [{ ...nodeBase.images[0], digest: digest('9') }] }]).finally(() => {
        clock = new Date(clock.getTime() - 30 * 86_400_000);
      });
      assert.is(second.phase, 'Succeeded', second.message);
      assert.is(parseYaml(stateFile('images/image-factory-analysis.yaml')).lastRebuild.digest, digest('9'));
      source.commit({ 'analysis-step/Dockerfile': `${fs.readFileSync(path.join(CHART_DIR, 'analysis-step/Dockerfile'), 'utf8')}\n# touched\n` }, 'touch');
      const again = await run('analyze-image-factory-analysis', [analysisFreight()]);
      assert.is(again.phase, 'Succeeded', again.message);
      const state = parseYaml(stateFile('images/image-factory-analysis.yaml'));
      assert.is(state.analysis.commit, source.head());
      assert.is(state.lastRebuild.digest, digest('9'), 'lastRebuild survives the re-analysis');
      assert.is(state.lastRebuild.bases['node-20-bookworm-slim'].digest, digest('9'));
      const clean = await checkStateRepo();
      assert.is(clean.code, 0, clean.out);
    } finally {
      manifests = manifestsBefore;
      fs.rmSync(clone, { recursive: true, force: true });
    }
  });

  test('analyze: a refusal ends the step with the service\'s own message; nothing is committed', async () => {
    seedState();
    const commits = stateLog().length;
    const p = await promote({ sim: sim!, manifests, stage: 'analyze-image-factory-analysis', freight: [analysisFreight()], secrets: { ...SECRETS, 'image-factory-analysis-token': { token: 'wrong-token-0123456789' } }, workDir: path.join(tmp, `run-${++runs}`) });
    assert.is(p.phase, 'Failed', p.message);
    assert.is(p.step['analyze::analysis'].status, 'Failed');
    assert.match(p.step['analyze::analysis'].message ?? '', /HTTP \(401\) response met failure criteria: "analysis service: /);
    assert.is(stateLog().length, commits);
  });
}

test.run();
