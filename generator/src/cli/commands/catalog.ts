// `image-factory catalog`: Backstage catalog entities (kind Resource, spec.type container-image) for
// every enrolled image and base image, with spec.dependsOn edges, as one multi-document YAML file.
import type { Command } from 'commander';
import { catalogEntities, renderCatalog } from '../../core/catalog';
import { describeTarget, outputTarget, writeOutputFile } from '../output-file';
import { loadValues } from '../values-file';

interface CatalogFlags {
  root: string;
  values?: string;
  owner: string;
  out?: string;
}

/** Backstage's recommended name for a descriptor file. */
export const CATALOG_FILE = 'catalog-info.yaml';

export function register(program: Command): void {
  program
    .command('catalog')
    .description('write Backstage catalog entities: a Resource (spec.type container-image) per image and base image, with dependsOn edges')
    .requiredOption('--owner <entity-ref>', 'spec.owner of every entity, a Backstage entity reference such as group:platform-team')
    .option('--out <file|dir>', `the file to write, or a folder to write ${CATALOG_FILE} in (default: print to stdout)`)
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--values <file>', 'the chart values to read (default: <root>/dist/values.yaml)')
    .action(async (flags: CatalogFlags) => {
      const values = loadValues({ root: flags.root, values: flags.values });
      const entities = catalogEntities(values, flags.owner);
      const text = renderCatalog(entities);
      if (flags.out === undefined) {
        process.stdout.write(text);
        return;
      }
      const target = outputTarget(flags.out, CATALOG_FILE);
      const changed = await writeOutputFile(target, text);
      process.stdout.write(`image-factory: ${changed ? 'wrote' : 'unchanged:'} ${describeTarget(target)} (${entities.length} entities)\n`);
    });
}
