// State-repository paths derived from image names and base slugs, in one place. The Kubernetes
// object names (app-<name>, analyze-<name>, rebuild-<name>, base-<slug>) are the chart templates'
// own: the values do not carry them (docs/design.md "Chart values").

export const imageStatePath = (image: string): string => `images/${image}.yaml`;
export const baseStatePath = (slug: string): string => `base-images/${slug}.yaml`;
