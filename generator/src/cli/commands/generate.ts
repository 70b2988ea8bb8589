// `image-factory generate` and `image-factory validate`.
import * as path from 'node:path';
import type { Command } from 'commander';
import { applyChanges, describeChanges, recoverInterruptedRun } from '../files';
import { changesOfPlan, OUTPUT_FOLDERS, planGeneration, summaryOf, validateStateRepo, type ExternalFetcher } from '../generate';
import { externalFetcher } from '../external';
import { ExitError } from '../exit-error';

interface GenerateFlags {
  root: string;
  check?: boolean;
  fetchExternal?: boolean;
  summary?: boolean;
  quiet?: boolean;
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('read images.yaml, analyze local Dockerfiles, and write images/*.yaml, base-images/*.yaml and dist/values.yaml')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--check', 'write nothing; exit 1 and list what would change (for CI drift checks)')
    .option('--fetch-external', 'also read external images\u2019 Dockerfiles from their repositories with git')
    .option('--summary', 'print what was found for every image')
    .option('-q, --quiet', 'print nothing on success')
    .action(async (flags: GenerateFlags) => {
      const root = path.resolve(flags.root);
      if (!flags.check) {
        // A run killed earlier is finished (or undone) before anything is read.
        const recovery = recoverInterruptedRun(root, OUTPUT_FOLDERS);
        if (recovery.finished > 0) process.stderr.write(`image-factory: finished an interrupted run (${recovery.finished} file(s))\n`);
        if (recovery.removedTemps > 0) process.stderr.write(`image-factory: removed ${recovery.removedTemps} temp file(s) of an interrupted run\n`);
      }
      const fetcher: ExternalFetcher | undefined = flags.fetchExternal ? externalFetcher() : undefined;
      const plan = await planGeneration({ root, fetchExternal: fetcher });
      const changes = changesOfPlan(plan, root);
      if (flags.check) {
        if (changes.length === 0) {
          if (!flags.quiet) process.stdout.write('image-factory: up to date\n');
          return;
        }
        process.stderr.write(`image-factory: ${changes.length} file(s) out of date; run \`image-factory generate\` and commit the result:\n${describeChanges(changes)}\n`);
        throw new ExitError(1, 'out of date');
      }
      await applyChanges(root, changes);
      if (flags.summary) process.stdout.write(`${summaryOf(plan, changes)}\n`);
      else if (!flags.quiet) process.stdout.write(changes.length ? `${describeChanges(changes)}\n` : 'image-factory: nothing to change\n');
    });

  program
    .command('validate')
    .description('check images.yaml and the state files; write nothing')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .action((flags: { root: string }) => {
      const root = path.resolve(flags.root);
      const { config, states } = validateStateRepo(root);
      process.stdout.write(`image-factory: images.yaml (${config.images.length} image(s)) and ${states.size} image state file(s) are valid\n`);
    });
}
