// Every subcommand of the CLI, in the order `--help` lists them. A command module is loaded only when
// its command runs (or its own help is asked for): loading them all compiled the images.yaml schema
// and pulled in ajv, yaml, dockerfile-ast and simple-git for `--version` and `--help` too. Until a
// module is loaded, its commands are stand-ins that carry what the command list shows: name,
// arguments and a one-line summary (test/cli-lazy.test.ts checks them against the real commands).
import type { Command } from 'commander';

type Register = (program: Command) => void;

interface CommandListing {
  name: string;
  /** The command's arguments as its own help writes them, e.g. `<Dockerfile>`. */
  args: string[];
  summary: string;
}

export interface CommandModule {
  /** Every command the module registers. */
  commands: CommandListing[];
  /**
   * The module's register function. `require` rather than `import()`: it stays synchronous, and
   * tsx's CommonJS hook (which runs the tests from source) does not resolve `import()` of a .ts file.
   */
  load: () => Register;
}

export const COMMAND_MODULES: readonly CommandModule[] = [
  {
    commands: [{ name: 'init', args: ['[dir]'], summary: 'scaffold a state repo: images.yaml, CI workflows and the Argo CD Application' }],
    load: () => (require('./init') as typeof import('./init')).register,
  },
  {
    commands: [
      { name: 'generate', args: [], summary: 'write images/, base-images/ and dist/values.yaml from images.yaml' },
      { name: 'validate', args: [], summary: 'check what generate --check checks, except whether the files are current; write nothing' },
    ],
    load: () => (require('./generate') as typeof import('./generate')).register,
  },
  {
    commands: [{ name: 'graph', args: [], summary: 'draw the image graph (Mermaid, DOT or JSON)' }],
    load: () => (require('./graph') as typeof import('./graph')).register,
  },
  {
    commands: [{ name: 'impact', args: ['<image-ref>'], summary: 'what a change of a base image would rebuild, in order, with delays' }],
    load: () => (require('./impact') as typeof import('./impact')).register,
  },
  {
    commands: [{ name: 'rebuild', args: ['<name>'], summary: "start an image's build now (GitHub workflow, GitLab pipeline or webhook)" }],
    load: () => (require('./rebuild') as typeof import('./rebuild')).register,
  },
  {
    commands: [{ name: 'bases', args: ['<Dockerfile>'], summary: 'list the external images a Dockerfile builds on' }],
    load: () => (require('./bases') as typeof import('./bases')).register,
  },
  {
    commands: [{ name: 'analyze', args: [], summary: 'show what the analysis service answers for one external image' }],
    load: () => (require('./analyze') as typeof import('./analyze')).register,
  },
  {
    commands: [{ name: 'status', args: [], summary: 'which images are stale now: base digests from the registries against what each was built on' }],
    load: () => (require('./status') as typeof import('./status')).register,
  },
  {
    commands: [{ name: 'report', args: [], summary: 'write a static HTML page of the image graph, bases, digests and status' }],
    load: () => (require('./report') as typeof import('./report')).register,
  },
  {
    commands: [{ name: 'catalog', args: [], summary: 'write Backstage catalog entities for every image and base image' }],
    load: () => (require('./catalog') as typeof import('./catalog')).register,
  },
  // Each command module adds one entry here.
];

/**
 * The command argv asks for, as commander will find it: the first operand, or the one after
 * `help`. The program's own options (--version, --help) take no value, so no operand is an
 * option's value.
 */
export function requestedCommand(args: string[]): string | undefined {
  const operands = args.filter((a) => !a.startsWith('-'));
  return operands[0] === 'help' ? operands[1] : operands[0];
}

function addListing(program: Command, listing: CommandListing): void {
  const command = program.command(listing.name).summary(listing.summary);
  for (const arg of listing.args) command.argument(arg);
  command.action(() => {
    throw new Error(`command "${listing.name}" ran without its module loaded`);
  });
}

/**
 * Registers the requested command's module in full, and the others as listings only. `extra` are
 * command modules from outside the CLI layer (the analysis service's `serve`), which the executable
 * (bin/image-factory.js) composes in, so the CLI never imports the service.
 */
export function registerCommands(program: Command, args: string[], extra: readonly CommandModule[] = []): void {
  const wanted = requestedCommand(args);
  for (const entry of [...COMMAND_MODULES, ...extra]) {
    if (entry.commands.some((c) => c.name === wanted)) {
      entry.load()(program);
    } else {
      for (const listing of entry.commands) addListing(program, listing);
    }
  }
}
