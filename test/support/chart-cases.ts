// The values cases the chart tests render: each a ChartValues built with values-builder.
import type { ChartValues } from '../../generator/src/core/values-types';
import { buildValues, syntheticSpecs } from './values-builder';

export const CASES: Record<string, () => ChartValues> = {
  'no images': () => buildValues([]),
  'one image, three bases': () =>
    buildValues([{ name: 'api', bases: ['node:22-bookworm-slim', 'python:3.12-slim', 'ghcr.io/acme/tools:1.4'] }]),
  'images sharing a base': () =>
    buildValues([
      { name: 'api', bases: ['node:22-bookworm-slim'] },
      { name: 'web', bases: ['node:22-bookworm-slim', 'nginx:1.27-alpine'] },
    ]),
  'digest-pinned base': () =>
    buildValues([{ name: 'api', bases: [`alpine@sha256:${'a'.repeat(64)}`, 'node:22-bookworm-slim'] }]),
  'delays 0, 30m, 7d': () =>
    buildValues([
      { name: 'now', bases: ['node:22'], rebuildDelay: '0' },
      { name: 'soon', bases: ['node:22'], rebuildDelay: '30m' },
      { name: 'weekly', bases: ['node:22'], rebuildDelay: '7d' },
    ]),
  'autoRebuild on and off': () =>
    buildValues([
      { name: 'auto', bases: ['node:22'], autoRebuild: true },
      { name: 'manual', bases: ['node:22'], autoRebuild: false, dispatchInputs: {} },
    ]),
  'three-level chain': () =>
    buildValues([
      { name: 'base-os', bases: ['debian:bookworm-slim'] },
      { name: 'python-base', bases: ['ghcr.io/acme/base-os:latest'], rebuildDelay: '1d' },
      { name: 'api', bases: ['ghcr.io/acme/python-base:latest', 'node:22'], rebuildDelay: '0' },
    ]),
  'external image, no stateRepo in values, only a pinned base': () =>
    buildValues(
      [
        { name: 'ext', repo: 'other/app', local: false, branch: 'release/2.x', dockerfile: 'docker/Dockerfile.prod', buildArgs: { VERSION: '1.2: beta' }, bases: [`busybox@sha256:${'b'.repeat(64)}`] },
        { name: 'localone', repo: '', bases: ['node:22'] },
      ],
      { stateRepo: null },
    ),
  '500 images': () => buildValues(syntheticSpecs(500)),
};

/** Chart settings a case is rendered with when its values do not name the state repository. */
export const STATE_REPO_SET = ['--set', 'stateRepo.url=https://github.com/acme/images-state.git'];
