// Every subcommand of the CLI, registered in the order `--help` lists them.
import type { Command } from 'commander';

type Register = (program: Command) => void;

const commands: Register[] = [
  // Each command module adds one line here: require('./<name>').register
];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}
