// Inputs for the report suites (test/report.test.ts, test/report-browser.test.ts,
// test/report-bytes.test.ts): a status file for the exemplar as `image-factory status --json`
// documents it, a state repo whose every string tries to break out of the page, and a generated
// estate that reaches every part of the page at a size where the layout has work to do.
import { valuesOf } from '../../generator/src/core/values';
import type { ReportInput } from '../../generator/src/core/report-model';
import { IMAGE_STATES, type StatusDocument } from '../../generator/src/core/status-document';
import { recordKeyOf } from '../../generator/src/core/rebuild-record';
import { buildStateRepo, type ImageSpec } from './values-builder';
import { pick, seeded, type Random } from './random';

const digest = (c: string) => `sha256:${c.repeat(64)}`;

/** A status document for examples/exemplar: one image of each interesting state. */
export function exemplarStatusJson(): string {
  const doc = {
    images: [
      {
        name: 'api',
        state: 'waiting',
        bases: [
          { ref: 'ghcr.io/acme/python-base:3.12', currentDigest: digest('b'), builtOn: digest('a'), changedAt: '2026-11-28T10:00:00Z', dueAt: null },
          { ref: 'ghcr.io/astral-sh/uv:0.5.11', currentDigest: digest('c'), builtOn: digest('c'), changedAt: null, dueAt: null },
        ],
      },
      { name: 'image-factory-analysis', state: 'unresolved', bases: [] },
      {
        name: 'nginx',
        state: 'due',
        bases: [
          { ref: 'docker.io/library/nginx:1.27-alpine', currentDigest: digest('d'), builtOn: digest('e'), changedAt: '2026-11-20T08:00:00Z', dueAt: '2026-11-22T08:00:00Z' },
          { ref: 'docker.io/library/node:22-bookworm-slim', currentDigest: digest('f'), builtOn: digest('f'), changedAt: null, dueAt: null },
        ],
      },
      {
        name: 'python-base',
        state: 'up-to-date',
        bases: [{ ref: 'docker.io/library/python:3.12-slim-bookworm', currentDigest: digest('1'), builtOn: digest('1'), changedAt: null, dueAt: null }],
      },
    ],
    errors: [{ image: 'image-factory-analysis', registry: 'ghcr.io', message: 'GET /v2/: 401 Unauthorized' }],
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

export const HOSTILE = {
  name: '<script>window.pwned=1</script>',
  quote: '"onmouseover="window.pwned=2',
  js: 'javascript:window.pwned=3',
  img: '<img src=x onerror="window.pwned=4">',
};

/**
 * A report input no validated state repo could hold: names, paths, URLs and messages with markup,
 * quotes and `javascript:` URLs, as a hand-edited values file or a hostile status file might carry.
 */
export function hostileReportInput(): ReportInput {
  const { config, states } = buildStateRepo([
    { name: 'victim', bases: ['node:22'] },
    { name: 'child', bases: ['ghcr.io/acme/victim:latest', 'alpine@sha256:' + 'a'.repeat(64)] },
  ]);
  const values = valuesOf(config, states);
  const victim = values.images.find((i) => i.name === 'victim')!;
  const child = values.images.find((i) => i.name === 'child')!;
  const state = states.get('victim')!;
  // Rename victim everywhere it is referenced, so the graph stays consistent.
  victim.name = HOSTILE.name;
  child.upstreams.forEach((u) => u.image === 'victim' && (u.image = HOSTILE.name));
  values.bases.forEach((b) => b.image === 'victim' && (b.image = HOSTILE.name));
  victim.source.dockerfile = `${HOSTILE.quote}/Dockerfile`;
  victim.source.workflow = HOSTILE.js;
  victim.source.branch = HOSTILE.img;
  child.source.url = `${HOSTILE.js}//github.com/acme/x.git`;
  child.source.dockerfile = '../../../evil/Dockerfile';
  values.stateRepo = { url: HOSTILE.js, branch: HOSTILE.quote };
  state.analysis.warnings = [{ line: 1, col: 1, message: HOSTILE.img }];
  state.name = HOSTILE.name;
  const hostileStates = new Map([[HOSTILE.name, state], ['child', states.get('child')!]]);
  return {
    values,
    states: hostileStates,
    status: { images: [{ name: HOSTILE.name, state: 'due', bases: [{ ref: HOSTILE.quote, currentDigest: null, builtOn: null, changedAt: null, dueAt: null }] }], errors: [HOSTILE.name, HOSTILE.img] },
    generatedAt: '2026-12-01T00:00:00Z',
  };
}

const hexDigest = (random: Random) => `sha256:${Array.from({ length: 64 }, () => pick(random, [...'0123456789abcdef'])).join('')}`;

/** n images on 1-3 of 24 bases, 40% also on an earlier image (deep chains), 10% on a pinned base. */
function estateSpecs(random: Random, n: number): ImageSpec[] {
  const bases = Array.from({ length: 24 }, (_, i) => `${pick(random, ['node', 'python', 'alpine', 'ghcr.io/acme/tools'])}:${i}`);
  const specs: ImageSpec[] = [];
  for (let i = 0; i < n; i++) {
    // Base 36 names do not sort in the order they are made: ties in the layout and the order matter.
    const name = `svc-${(i * 7919).toString(36)}`;
    const from = Array.from({ length: 1 + Math.floor(random() * 3) }, () => pick(random, bases));
    if (i > 0 && random() < 0.4) from.push(`ghcr.io/acme/${specs[Math.floor(random() * i)].name}:latest`);
    if (random() < 0.1) from.push(`alpine@${hexDigest(random)}`);
    specs.push({ name, bases: from, rebuildDelay: pick(random, ['0', '30m', '7d']), autoRebuild: random() < 0.85, local: random() < 0.7, analyzed: random() < 0.97 });
  }
  return specs;
}

/**
 * A generated estate of n images (seeded): chains, shared and pinned bases, warnings, recorded
 * rebuilds and a status for most images, so every part of the page is drawn.
 */
export function estateReportInput(n: number, seed: number): ReportInput {
  const random = seeded(seed);
  const { config, states } = buildStateRepo(estateSpecs(random, n));
  const values = valuesOf(config, states);
  const status: StatusDocument = { images: [], errors: ['image svc-0, registry ghcr.io: GET /v2/: 401 Unauthorized'] };
  for (const image of values.images) {
    const state = states.get(image.name)!;
    if (random() < 0.1) state.analysis.warnings = [{ line: 2, col: 6, message: 'FROM ${BASE}: BASE has no default; the base is not watched' }];
    if (random() < 0.5 && image.upstreams.length > 0) {
      const cause = pick(random, image.upstreams);
      state.lastRebuild = { ...state.lastRebuild, at: '2026-11-29T12:00:00Z', base: cause.ref, digest: hexDigest(random) };
      const record = state.lastRebuild.bases[recordKeyOf(cause.slug)];
      if (record) Object.assign(record, { digest: state.lastRebuild.digest, at: '2026-11-29T11:58:00Z' });
    }
    if (random() < 0.2) continue;
    status.images.push({
      name: image.name,
      state: pick(random, IMAGE_STATES),
      bases: image.upstreams.map((up) => {
        const changed = random() < 0.3;
        const builtOn = hexDigest(random);
        return { ref: up.ref, currentDigest: changed ? hexDigest(random) : builtOn, builtOn, changedAt: changed ? '2026-11-20T08:00:00Z' : null, dueAt: changed ? '2026-11-27T08:00:00Z' : null };
      }),
    });
  }
  return { values, states, status, generatedAt: '2026-12-01T08:00:00Z' };
}
