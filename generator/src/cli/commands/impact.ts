// `image-factory impact <image-ref>`: what a change of one base image would rebuild, in what order, after how long.
import type { Command } from 'commander';
import { impactOf, renderImpact } from '../../core/impact';
import { loadValues } from '../values-file';

interface ImpactFlags {
  root: string;
  values?: string;
  json?: boolean;
}

export function register(program: Command): void {
  program
    .command('impact')
    .description('list every image a change of <image-ref> would rebuild, in rebuild order, with the delays along the chain')
    .argument('<image-ref>', 'a base image (node:22, docker.io/library/node:22) or an enrolled image; without a tag, every tag in use')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--values <file>', 'the chart values to read (default: <root>/dist/values.yaml)')
    .option('--json', 'print JSON instead of a table')
    .action((ref: string, flags: ImpactFlags) => {
      const values = loadValues({ root: flags.root, values: flags.values });
      const impact = impactOf(values, ref);
      process.stdout.write(flags.json ? `${JSON.stringify(impact, null, 2)}\n` : renderImpact(impact));
    });
}
