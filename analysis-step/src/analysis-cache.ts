// The analyses this replica made, by (repository, commit, path, build args): Kargo retries a step
// and re-promotes the same Freight, and each of those asks again for a commit whose file cannot
// have changed. Bounded by entries, the least recently used dropped first; an entry is a few KB
// (the base images, copies and warnings of one Dockerfile), so the default stays far under 10 MB.
import type { AnalysisCache, CachedAnalysis } from '../../generator/src/core/analysis';

export const DEFAULT_ANALYSIS_CACHE_ENTRIES = 1024;

export function createAnalysisCache(maxEntries = DEFAULT_ANALYSIS_CACHE_ENTRIES): AnalysisCache & { readonly size: number } {
  // A Map iterates in insertion order: deleting and setting again moves an entry to the end.
  const entries = new Map<string, CachedAnalysis>();
  return {
    get(key) {
      const found = entries.get(key);
      if (found !== undefined) {
        entries.delete(key);
        entries.set(key, found);
      }
      return found;
    },
    set(key, value) {
      entries.delete(key);
      entries.set(key, value);
      while (entries.size > maxEntries) entries.delete(entries.keys().next().value as string);
    },
    get size() {
      return entries.size;
    },
  };
}
