// The `image-factory` command line. Each command lives in commands/<name>.ts and is registered by
// commands/index.ts, which loads only the module of the command being run; this file only turns
// errors into messages and exit codes.
import type { Command } from 'commander';
import { formatProblems, toProblems } from '../core/errors';
import { ExitError } from './exit-error';
import { registerCommands, type CommandModule } from './commands';
import { packageVersion } from '../core/package-root';

/**
 * commander, loaded when a program is built: `--version` alone is answered without it (see main),
 * as loading commander and building the program took 30 ms of its ~150 ms here, node's own start
 * taking the rest. `require` keeps it synchronous and typed.
 */
const commander = (): typeof import('commander') => require('commander') as typeof import('commander');

/** `--version` or `-V` and nothing else. */
const asksVersionOnly = (args: string[]): boolean => args.length === 1 && (args[0] === '--version' || args[0] === '-V');

/** The program with the command argv asks for ready to run (the others listed for --help). */
export function buildProgram(argv: string[], extra: readonly CommandModule[] = []): Command {
  const program = new (commander().Command)();
  program
    .name('image-factory')
    .description('Rebuild every container image as soon as its base image changes.')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program, argv.slice(2), extra);
  return program;
}

/**
 * Runs the CLI and resolves to the process exit code; never throws. `extra`: command modules the
 * executable adds from outside this layer (see commands/index.ts registerCommands).
 */
export async function main(argv: string[], extra: readonly CommandModule[] = []): Promise<number> {
  // Commands end with a non-zero code by throwing (ExitError, or an error a user can act on); no
  // command sets process.exitCode, so tests can call main() many times in one process.
  try {
    if (asksVersionOnly(argv.slice(2))) {
      process.stdout.write(`${packageVersion()}\n`); // as commander's .version() prints it
      return 0;
    }
    const program = buildProgram(argv, extra);
    await program.parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof commander().CommanderError) return e.exitCode;
    if (e instanceof ExitError) return e.code;
    const problems = toProblems(e);
    if (problems) {
      process.stderr.write(`${formatProblems(problems)}\n`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`image-factory: internal error: ${message}\n`);
    if (process.env.IMAGE_FACTORY_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 70;
  }
}
