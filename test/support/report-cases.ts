// Inputs for the report suites (test/report.test.ts, test/report-browser.test.ts): a status file for
// the exemplar as `image-factory status --json` documents it, and a state repo whose every string
// tries to break out of the page.
import { valuesOf } from '../../generator/src/core/values';
import type { ReportInput } from '../../generator/src/core/report-model';
import { buildStateRepo } from './values-builder';

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
