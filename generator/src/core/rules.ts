// Rules for strings that come from outside (images.yaml, requests, flags, servers), one function
// each. A rule returns why a value is wrong, phrased to follow `<field> "<value>"`, or undefined
// when it is fine; callers wrap the text in their own error (a positioned UserError, a 400, a
// GitFetchError). Keeping the rule itself in one place is what makes the CLI, the service and the
// GitHub client agree on what a branch name or a repository path is.

/** Image names: DNS-1123 labels of at most 48 characters, so `rebuild-<name>` stays a valid label. The JSON Schemas carry the same pattern (a test compares them). */
export const IMAGE_NAME_PATTERN = '^[a-z0-9]([-a-z0-9]{0,46}[a-z0-9])?$';
export const IMAGE_NAME = new RegExp(IMAGE_NAME_PATTERN);

export function imageNameProblem(name: string): string | undefined {
  return IMAGE_NAME.test(name) ? undefined : 'is not an image name (lower-case letters, digits and "-", starting and ending with a letter or digit, at most 48 characters)';
}

/** The most a Dockerfile may hold, wherever it is read from (state repo, git fetch, `bases`). */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;

/**
 * Why `name` is not a git branch or tag name, by `git check-ref-format` (and `--branch`: no leading
 * "-"), and never a leading "+", which a fetch refspec reads as "forced". `kind: 'branch'` also
 * refuses `HEAD`, which names no branch; a fetch may ask for `HEAD`.
 */
export function refNameProblem(name: string, kind: 'branch' | 'ref' = 'branch'): string | undefined {
  const noun = kind === 'branch' ? 'git branch names' : 'git ref names';
  const fix = kind === 'branch' ? 'e.g. main or release/1.2' : 'e.g. main or v1.2.3';
  if (name === '') return `is empty; write a ${kind === 'branch' ? 'branch' : 'branch or tag'} name, ${fix}`;
  if (name.length > 255) return `is ${name.length} characters long; ${noun} here are at most 255`;
  if (name === '@') return `is not a ${kind} name ("@" alone is reserved by git); ${fix}`;
  if (kind === 'branch' && name === 'HEAD') return `is not a branch name (HEAD is reserved by git); write the branch itself, ${fix}`;
  if (name.startsWith('-')) return `starts with "-"; ${noun} cannot, ${fix}`;
  if (name.startsWith('+')) return `starts with "+", which git would read as a forced fetch; ${fix}`;
  if (/[\x00-\x1f\x7f]/.test(name)) return `contains a control character; ${noun} cannot, ${fix}`;
  const bad = /[ ~^:?*[\\]/.exec(name);
  if (bad) return `contains ${bad[0] === ' ' ? 'a space' : `"${bad[0]}"`}; ${noun} cannot contain spaces or any of ~ ^ : ? * [ \\`;
  if (name.includes('..')) return `contains ".."; ${noun} cannot, ${fix}`;
  if (name.includes('@{')) return `contains "@{"; ${noun} cannot, ${fix}`;
  if (name.startsWith('/') || name.endsWith('/') || name.includes('//')) return `has an empty "/" component; ${noun} cannot start or end with "/" or contain "//"`;
  if (name.endsWith('.')) return `ends with "."; ${noun} cannot, ${fix}`;
  for (const component of name.split('/')) {
    if (component.startsWith('.')) return `has a component starting with "." ("${component}"); ${noun} cannot`;
    if (component.endsWith('.lock')) return `has a component ending with ".lock" ("${component}"); ${noun} cannot`;
  }
  return undefined;
}

/** Why `p` is not a safe path of a file inside a repository: relative, "/"-separated, no `.`/`..`/empty segments, not into `.git`. */
export function repoPathProblem(p: string): string | undefined {
  const fix = 'write the path from the repository root, e.g. images/nginx/Dockerfile';
  if (p === '') return `is empty; ${fix}`;
  if (p.length > 4096) return `is ${p.length} characters long; paths are at most 4096`;
  if (/[\x00-\x1f\x7f]/.test(p)) return `contains a control character; ${fix}`;
  if (p.includes('\\')) return `contains "\\"; use "/" between folders, e.g. images/nginx/Dockerfile`;
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return `is absolute; ${fix}`;
  if (p.startsWith('-')) return `starts with "-"; ${fix}`;
  const segments = p.split('/');
  if (segments.includes('..')) return `has a ".." segment; the Dockerfile must be inside the repository: ${fix}`;
  if (segments.includes('.')) return `has a "." segment; ${fix} (without "./")`;
  if (segments.includes('')) return `has an empty segment ("//" or a trailing "/"); ${fix}`;
  if (segments.some((s) => s.toLowerCase() === '.git')) return 'points into .git; name a file of the repository itself';
  return undefined;
}

/** How long a run of a secret's characters must be to be hidden on its own (a secret cut in two by a server still hides). */
const SECRET_WINDOW = 12;

/**
 * Hides every secret in `text`, and any run of SECRET_WINDOW or more of a secret's characters,
 * wherever it appears: for stderr, server bodies and messages before they reach a log or a user.
 * Secrets shorter than 3 characters are not hidden (they would hide ordinary text, and hide nothing).
 */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 3) out = out.split(s).join('***');
  const hidden = new Array<boolean>(out.length).fill(false);
  let any = false;
  for (const secret of secrets) {
    if (secret.length <= SECRET_WINDOW) continue;
    for (let i = 0; i + SECRET_WINDOW <= secret.length; i++) {
      const piece = secret.slice(i, i + SECRET_WINDOW);
      for (let at = out.indexOf(piece); at >= 0; at = out.indexOf(piece, at + 1)) {
        hidden.fill(true, at, at + SECRET_WINDOW);
        any = true;
      }
    }
  }
  if (any) out = out.replace(/[\s\S]/g, (c, i: number) => (hidden[i] ? (i === 0 || !hidden[i - 1] ? '***' : '') : c));
  return out;
}

/** Hides any user:password in a URL so a message never carries a secret. */
export function redactURL(text: string): string {
  return text.replace(/^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/@?#]*@/, '$1***@');
}

/** Levenshtein distance, for "did you mean". */
export function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/**
 * The known name closest to `key` (case ignored), when it is close enough to be a likely typo: at
 * most a third of its characters differ (1 to 3). Ties go to the name first in sort order.
 */
export function nearestKey(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of [...known].sort()) {
    const d = candidate.toLowerCase() === key.toLowerCase() ? 0 : editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  const allowed = Math.max(1, Math.min(3, Math.floor(key.length / 3)));
  return best !== undefined && bestDistance <= allowed ? best : undefined;
}

/** `owner/name` of an https://github.com URL (trailing `.git` or `/` dropped), else undefined. */
export function githubSlugOfURL(url: string): string | undefined {
  const m = /^https:\/\/github\.com\/([A-Za-z0-9](?:-?[A-Za-z0-9]){0,38})\/([A-Za-z0-9._-]{1,100}?)(?:\.git)?\/?$/.exec(url);
  if (!m || m[2] === '.' || m[2] === '..') return undefined;
  return `${m[1]}/${m[2]}`;
}
