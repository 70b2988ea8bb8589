// The chart values as dist/values.yaml holds them, and back: upstreams as slugs of `bases`
// (values-upstreams.ts), a local image's source repo and url left out where they are the state
// repository's (values-local-source.ts), generated properties at their default left out
// (values-defaults.ts). The
// one writer is renderValues; the commands read through valuesOfWritten, so in memory every
// upstream is whole and every property is there.
import type { ChartValues } from './values-types';
import { withDefaults, withoutDefaults } from './values-defaults';
import { withUpstreamSlugs, withUpstreamsOfBases } from './values-upstreams';
import { withoutStateRepoSources, withStateRepoSources } from './values-local-source';

/** The values in the file's form; `keepDefaults` writes every property, even those that follow from others (tests compare both forms' renders). */
export function writtenValuesOf(values: ChartValues, options: { keepDefaults?: boolean } = {}): Record<string, unknown> {
  const compact = withUpstreamSlugs(values);
  return options.keepDefaults ? compact : withoutDefaults(withoutStateRepoSources(compact));
}

/** Values read from a file that checkValues (cli/values-file.ts) passed, as the commands hold them. */
export function valuesOfWritten(doc: Record<string, unknown>): ChartValues {
  return withStateRepoSources(withDefaults(withUpstreamsOfBases(doc)));
}
