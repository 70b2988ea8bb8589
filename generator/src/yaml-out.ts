// One YAML writer for every file the generator emits, so formatting never differs between the
// CLI and the analysis service: block style, two-space indent, no line folding, LF, final newline.
import { stringify } from 'yaml';

/** Drops undefined members so optional fields are absent rather than `null`. */
function withoutUndefined(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutUndefined);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (v !== undefined) out[k] = withoutUndefined(v);
    }
    return out;
  }
  return value;
}

/** Recursively sorts object keys; for data whose key order carries no meaning (maps from outside). */
export function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value as Record<string, unknown>).sort()) {
      out[k] = sortedKeys((value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}

export function renderYaml(value: unknown, headerComment?: string): string {
  const body = stringify(withoutUndefined(value), {
    indent: 2,
    lineWidth: 0,
    minContentWidth: 0,
    aliasDuplicateObjects: false,
    indentSeq: false,
  });
  const header = headerComment ? `${headerComment.split('\n').map((l) => `# ${l}`.trimEnd()).join('\n')}\n` : '';
  return `${header}${body}`;
}
