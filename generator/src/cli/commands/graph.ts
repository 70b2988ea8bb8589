// `image-factory graph`: a drawing of every image, base image and chain link (Mermaid, DOT or JSON).
import type { Command } from 'commander';
import { Option } from 'commander';
import { GRAPH_FORMATS, renderGraph, type GraphFormat } from '../../core/graph-render';
import { loadValues } from '../values-file';

interface GraphFlags {
  root: string;
  values?: string;
  format: GraphFormat;
}

export function register(program: Command): void {
  program
    .command('graph')
    .description('draw the image graph: base images, enrolled images, chain links and pinned bases')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--values <file>', 'the chart values to read (default: <root>/dist/values.yaml)')
    .addOption(new Option('--format <format>', 'output format').choices([...GRAPH_FORMATS]).default('mermaid'))
    .action((flags: GraphFlags) => {
      const values = loadValues({ root: flags.root, values: flags.values });
      process.stdout.write(renderGraph(values, flags.format));
    });
}
