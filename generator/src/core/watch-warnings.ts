// What `generate` and `validate` warn about: every warning of every image's analysis, and each image
// that no Warehouse watches (it would never be rebuilt, while CI stays green). Pure: the callers print
// the lines and decide (with --strict) whether they fail the run.
import { isUnresolvedFromWarning } from './dockerfile';
import { formatProblem } from './errors';
import type { ImageState } from './state';
import type { ImageEnrollment } from './types';
import type { ChartValues } from './values-types';

/** Where a warning of this image's Dockerfile points: its path, and for an external image the commit. */
function dockerfileLabel(image: ImageEnrollment, state: ImageState): string {
  if (image.local) return image.source.dockerfile;
  const at = state.analysis.commit ? `@${state.analysis.commit.slice(0, 12)}` : '';
  return `${image.source.repo ?? ''}${at}:${image.source.dockerfile}`;
}

/** Why an analyzed image has no watched base, phrased to follow "no watched base image: ". */
function unwatchedReason(state: ImageState, pinned: readonly string[]): string {
  const analysis = state.analysis;
  const unresolved = analysis.warnings.filter((w) => isUnresolvedFromWarning(w.message));
  if (unresolved.length > 0) {
    const lines = unresolved.map((w) => w.line).join(', ');
    return `its FROM on line ${lines} of ${state.source.dockerfile} names an image through an ARG with no value (see the warning above); give the ARG a default or set it in source.buildArgs`;
  }
  if (pinned.length > 0) {
    return `every image it builds on is pinned by digest (${pinned.join(', ')}), and a digest never changes; name a tag without a digest to have it watched`;
  }
  return 'it builds only FROM scratch or earlier stages; nothing outside the Dockerfile can change under it';
}

/** One `file:line:col: warning: ...` line per warning, then one per analyzed image that nothing watches, in images.yaml order. */
export function watchWarningsOf(images: readonly ImageEnrollment[], states: ReadonlyMap<string, ImageState>, values: ChartValues, imagesFile: string): string[] {
  const lines: string[] = [];
  const valuesByName = new Map(values.images.map((v) => [v.name, v]));
  for (const image of images) {
    const state = states.get(image.name);
    if (!state || state.analysis.status !== 'analyzed') continue;
    const file = dockerfileLabel(image, state);
    for (const w of state.analysis.warnings) {
      lines.push(formatProblem({ subject: file, line: w.line, col: w.col, message: `warning: ${w.message} (image "${image.name}")` }));
    }
    const watched = valuesByName.get(image.name);
    if (watched && watched.upstreams.length === 0) {
      const reason = unwatchedReason(state, watched.pinnedBases);
      lines.push(formatProblem({ subject: imagesFile, line: image.position.line, col: image.position.col, message: `warning: image "${image.name}" has no watched base image, so nothing will rebuild it: ${reason}` }));
    }
  }
  return lines;
}
