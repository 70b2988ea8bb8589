// Kubernetes object names derived from image names and base slugs. One place, so the generator,
// the chart values and the docs never disagree about what a Warehouse or Stage is called.

export const appWarehouseName = (image: string): string => `app-${image}`;
export const analysisStageName = (image: string): string => `analyze-${image}`;
export const rebuildStageName = (image: string): string => `rebuild-${image}`;
export const baseWarehouseName = (slug: string): string => `base-${slug}`;
export const baseStageName = (slug: string): string => `base-${slug}`;
export const imageStatePath = (image: string): string => `images/${image}.yaml`;
export const baseStatePath = (slug: string): string => `base-images/${slug}.yaml`;
