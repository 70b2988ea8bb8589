// Links to a GitHub repository's pages, built only from parts that are checked first: a report or a
// catalog puts them in front of people, so a hostile path or branch must not turn into a link
// somewhere else (or a `javascript:` one). A part that fails its check gives no link.
import { isWorkflowName } from './providers/github';
import { githubSlugOfURL, refNameProblem, repoPathProblem } from './rules';

/** The result as a URL object says it is: https on github.com, or nothing. */
function onGitHub(url: string): string | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'https:' && parsed.hostname === 'github.com' && !parsed.username && !parsed.password ? parsed.href : undefined;
  } catch {
    return undefined;
  }
}

/** `https://github.com/<owner>/<name>` for a repository's git URL on github.com. */
export function githubRepoLink(repoURL: string): string | undefined {
  const slug = githubSlugOfURL(repoURL);
  return slug === undefined ? undefined : onGitHub(`https://github.com/${slug}`);
}

/** A file at a branch, tag or commit, optionally at a line: `.../blob/<ref>/<path>#L<line>`. */
export function githubFileLink(repoURL: string, ref: string, file: string, line?: number): string | undefined {
  const repo = githubRepoLink(repoURL);
  if (repo === undefined || repoPathProblem(file) !== undefined || refNameProblem(ref, 'ref') !== undefined) return undefined;
  const parts = file.split('/');
  const refPath = ref.split('/').map(encodeURIComponent).join('/');
  const anchor = line !== undefined && Number.isInteger(line) && line > 0 ? `#L${line}` : '';
  return onGitHub(`${repo}/blob/${refPath}/${parts.map(encodeURIComponent).join('/')}${anchor}`);
}

/** A workflow's page of runs: `.../actions/workflows/<file>`. */
export function githubWorkflowLink(repoURL: string, workflow: string): string | undefined {
  const repo = githubRepoLink(repoURL);
  if (repo === undefined || !isWorkflowName(workflow)) return undefined;
  return onGitHub(`${repo}/actions/workflows/${encodeURIComponent(workflow)}`);
}
