// `image-factory generate` and `image-factory validate`.
import * as path from 'node:path';
import type { Command } from 'commander';
import { applyChanges, describeChanges, recoverInterruptedRun } from '../files';
import { changesOfPlan, IMAGES_FILE, OUTPUT_FOLDERS, planGeneration, summaryOf, type ExternalFetcher, type GenerationPlan } from '../generate';
import { externalFetcher } from '../external';
import { ExitError } from '../exit-error';
import { watchWarningsOf } from '../../core/watch-warnings';

interface GenerateFlags {
  root: string;
  check?: boolean;
  fetchExternal?: boolean;
  summary?: boolean;
  quiet?: boolean;
  strict?: boolean;
  fetchTimeout?: string;
}

const STRICT_HELP = 'exit 1 on any warning (an analysis warning, an image no base image change would rebuild); writes nothing then';

/**
 * Prints every warning of the plan to stderr, and ends the command (exit 1) when --strict makes
 * them fatal. Warnings are never silent: an image nothing watches would otherwise never be rebuilt
 * while CI stays green.
 */
function reportWarnings(plan: GenerationPlan, strict: boolean | undefined, what: string): void {
  const lines = watchWarningsOf(plan.config.images, plan.states, plan.values, IMAGES_FILE);
  if (lines.length === 0) return;
  process.stderr.write(`${lines.join('\n')}\n`);
  if (!strict) return;
  process.stderr.write(`image-factory: ${lines.length} warning(s) and --strict: ${what}; fix them or drop --strict\n`);
  throw new ExitError(1, 'warnings with --strict');
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('read images.yaml, analyze local Dockerfiles, and write images/*.yaml, base-images/*.yaml and dist/values.yaml')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--check', 'write nothing; exit 1 and list what would change (for CI drift checks)')
    .option('--fetch-external', 'also read external images\u2019 Dockerfiles from their repositories with git')
    .option('--fetch-timeout <seconds>', 'with --fetch-external: time allowed for one git fetch, in whole seconds (env IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS, default 60)')
    .option('--strict', STRICT_HELP)
    .option('--summary', 'print what was found for every image')
    .option('-q, --quiet', 'print nothing on success (warnings still go to stderr)')
    .action(async (flags: GenerateFlags) => {
      const root = path.resolve(flags.root);
      if (!flags.check) {
        // A run killed earlier is finished (or undone) before anything is read.
        const recovery = recoverInterruptedRun(root, OUTPUT_FOLDERS);
        if (recovery.finished > 0) process.stderr.write(`image-factory: finished an interrupted run (${recovery.finished} file(s))\n`);
        if (recovery.removedTemps > 0) process.stderr.write(`image-factory: removed ${recovery.removedTemps} temp file(s) of an interrupted run\n`);
      }
      const fetcher: ExternalFetcher | undefined = flags.fetchExternal ? externalFetcher(process.env, flags.fetchTimeout) : undefined;
      const plan = await planGeneration({ root, fetchExternal: fetcher });
      reportWarnings(plan, flags.strict, flags.check ? 'failing the check' : 'nothing was written');
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
    .description('check everything generate --check checks (images.yaml, the state files, every local Dockerfile, cycles, sizes), except whether the files are current; write nothing')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--strict', STRICT_HELP.replace('; writes nothing then', ''))
    .action(async (flags: { root: string; strict?: boolean }) => {
      const root = path.resolve(flags.root);
      // The same reading and analysis as generate, so that "valid" means generate will succeed.
      const plan = await planGeneration({ root });
      reportWarnings(plan, flags.strict, 'not valid');
      const analyzed = [...plan.states.values()].filter((s) => s.analysis.status === 'analyzed').length;
      process.stdout.write(`image-factory: images.yaml (${plan.config.images.length} image(s), ${analyzed} analyzed) and the state files are valid\n`);
    });
}
