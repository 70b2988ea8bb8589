// Every subcommand of the CLI, registered in the order `--help` lists them.
import type { Command } from 'commander';
import { register as registerAnalyze } from './analyze';
import { register as registerBases } from './bases';
import { register as registerGenerate } from './generate';
import { register as registerGraph } from './graph';
import { register as registerImpact } from './impact';
import { register as registerRebuild } from './rebuild';
import { register as registerServe } from './serve';

type Register = (program: Command) => void;

const commands: Register[] = [
  registerGenerate,
  registerGraph,
  registerImpact,
  registerRebuild,
  registerBases,
  registerAnalyze,
  registerServe,
  // Each command module adds one line here.
];

export function registerCommands(program: Command): void {
  for (const register of commands) register(program);
}
