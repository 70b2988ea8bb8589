// Every subcommand of the CLI, registered in the order `--help` lists them.
import type { Command } from 'commander';
import { register as registerGenerate } from './generate';

type Register = (program: Command) => void;

const commands: Register[] = [
  registerGenerate,
  // Each command module adds one line here.
];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}
