// The analysis service's `serve` command as the CLI lists it, for the executable to compose in
// (bin/image-factory.js): the service depends on the core only, never on the CLI, so this has the
// shape of the CLI's CommandModule (generator/src/cli/commands/index.ts) without importing it, and
// its module loads only when `serve` runs.
import type { Command } from 'commander';

export const serveCommandModule = {
  commands: [{ name: 'serve', args: [] as string[], summary: 'run the analysis service that Kargo\u2019s http step calls' }],
  load: (): ((program: Command) => void) => (require('./serve-command') as typeof import('./serve-command')).register,
};
