// `image-factory init [DIR]`: scaffolds a state repo (core/scaffold.ts says what). It never replaces
// a file that exists: a second run, or a run in a repo that has some of the files, writes only
// what is missing and says which files it kept.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { stateRepoURLProblem } from '../../core/config';
import { UserError } from '../../core/errors';
import { docURL, packageName, packageRoot, packageVersion, projectURL } from '../../core/package-root';
import { redactURL, refNameProblem } from '../../core/rules';
import { httpsRemoteURL, scaffoldFiles, SCAFFOLD_FILES } from '../../core/scaffold';
import { applyChanges, type FileChange } from '../files';

interface InitFlags {
  repoUrl?: string;
  branch?: string;
}

const APPLICATION_EXAMPLE = 'chart/examples/application.yaml';

/** `git <args>` in dir; undefined when git fails (no repository, no such remote) or is missing. */
function gitOutput(dir: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 10_000 }).trim();
  } catch {
    return undefined;
  }
}

/** --repo-url, else the https form of `git remote get-url origin`; refused with the fix when neither is usable. */
function stateRepoURL(dir: string, flag: string | undefined): string {
  if (flag !== undefined) {
    const problem = stateRepoURLProblem(flag);
    if (problem) throw new UserError({ subject: '--repo-url', message: `${JSON.stringify(redactURL(flag))} ${problem}` });
    return flag;
  }
  const origin = gitOutput(dir, ['remote', 'get-url', 'origin']);
  if (!origin) {
    throw new UserError({ subject: dir, message: 'has no git remote "origin" to read the state repo\u2019s URL from; pass --repo-url https://github.com/<owner>/<name>.git' });
  }
  const url = httpsRemoteURL(origin);
  const problem = stateRepoURLProblem(url);
  if (problem) throw new UserError({ subject: 'git remote origin', message: `${JSON.stringify(url)} ${problem}; or pass --repo-url` });
  return url;
}

/** --branch, else the branch checked out in dir, else main. */
function stateBranch(dir: string, flag: string | undefined): string {
  if (flag !== undefined) {
    const problem = refNameProblem(flag, 'branch');
    if (problem) throw new UserError({ subject: '--branch', message: `${JSON.stringify(flag)} ${problem}` });
    return flag;
  }
  const current = gitOutput(dir, ['symbolic-ref', '--quiet', '--short', 'HEAD']);
  return current && refNameProblem(current, 'branch') === undefined ? current : 'main';
}

export function register(program: Command): void {
  program
    .command('init')
    .description('scaffold a state repo: images.yaml, the CI workflow that runs generate, an example build workflow and the Argo CD Application; never replaces a file')
    .argument('[dir]', 'the state repo folder (created when missing)', '.')
    .option('--repo-url <url>', 'the state repo\u2019s https URL (default: its git remote "origin", SSH addresses turned into https)')
    .option('--branch <name>', 'the branch Kargo and CI use (default: the branch checked out, else main)')
    .action(async (dirArg: string, flags: InitFlags) => {
      const dir = path.resolve(dirArg);
      const url = stateRepoURL(dir, flags.repoUrl);
      const branch = stateBranch(dir, flags.branch);
      const files = scaffoldFiles({
        stateRepoURL: url,
        branch,
        projectURL: projectURL(),
        version: packageVersion(),
        packageName: packageName(),
        applicationExample: fs.readFileSync(path.join(packageRoot, APPLICATION_EXAMPLE), 'utf8'),
        referenceURL: docURL('docs/images-yaml.md'),
      });
      const kept: string[] = [];
      const creates: FileChange[] = [];
      for (const [rel, content] of files) {
        // lstat: a link, a folder or a file of that name is the user's, whatever it holds.
        if (fs.existsSync(path.join(dir, rel)) || isLink(path.join(dir, rel))) kept.push(rel);
        else creates.push({ path: rel, kind: 'create', after: content });
      }
      fs.mkdirSync(dir, { recursive: true });
      await applyChanges(dir, creates);
      for (const c of creates) process.stdout.write(`  create  ${c.path}\n`);
      if (creates.length === 0) {
        process.stdout.write(`image-factory init: nothing to do: ${kept.join(', ')} exist already (never replaced)\n`);
        return;
      }
      if (kept.length) process.stdout.write(`image-factory init: kept ${kept.join(', ')}: they exist already (never replaced; remove one to have init write it)\n`);
      process.stdout.write(
        `image-factory init: a state repo for ${url} (branch ${branch}). Next:\n` +
          `  1. enrol images in ${SCAFFOLD_FILES.images}, then run \`npx --no -- image-factory generate\`\n` +
          '  2. commit and push; CI (the image-factory workflow) keeps the generated files current\n' +
          `  3. kubectl apply -f ${SCAFFOLD_FILES.application} (after the Secrets in the chart README)\n`,
      );
    });
}

function isLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
