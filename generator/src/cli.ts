// The `image-factory` command line. Each command lives in commands/<name>.ts and is registered by
// commands/index.ts, which loads only the module of the command being run; this file only turns
// errors into messages and exit codes.
import { Command, CommanderError } from 'commander';
import { isUserError } from './errors';
import { registerCommands } from './commands';
import { packageVersion } from './package-root';

/** The program with the command argv asks for ready to run (the others listed for --help). */
export function buildProgram(argv: string[]): Command {
  const program = new Command();
  program
    .name('image-factory')
    .description('Rebuild every container image as soon as its base image changes.')
    .version(packageVersion())
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program, argv.slice(2));
  return program;
}

/** Runs the CLI and resolves to the process exit code; never throws. */
export async function main(argv: string[]): Promise<number> {
  // Commands report a non-zero outcome through process.exitCode; take it back so that main()
  // leaves the process as it found it (tests call main() many times in one process).
  const outer = process.exitCode;
  process.exitCode = undefined;
  try {
    const program = buildProgram(argv);
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.exitCode;
    }
    if (isUserError(e)) {
      process.stderr.write(`${e.message}\n`);
      return 1;
    }
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`image-factory: internal error: ${message}\n`);
    if (process.env.IMAGE_FACTORY_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
    return 70;
  } finally {
    process.exitCode = outer;
  }
}
