// `image-factory report --out DIR`: DIR/index.html, a static page of the image graph, each image's
// bases, digests, last rebuild, warnings and (with --status) what `status --json` found. The page
// needs no network and links only relatively inside itself, so DIR can be a GitHub Pages folder.
import * as path from 'node:path';
import type { Command } from 'commander';
import { UserError } from '../../core/errors';
import { loadStateRepo } from '../generate';
import { describeTarget, outputTarget, writeOutputFile } from '../output-file';
import { readRegularFile } from '../read-file';
import { renderReportHtml } from '../report-html';
import { reportView } from '../../core/report-model';
import { isRfc3339, parseStatusDocument, type StatusDocument } from '../../core/status-document';

interface ReportFlags {
  root: string;
  out: string;
  status?: string;
  generatedAt?: string;
}

export const REPORT_FILE = 'index.html';
/** A status document of 10,000 images with a few bases each is about 5 MB. */
const MAX_STATUS_BYTES = 64 * 1024 * 1024;

function readStatus(file: string, enrolled: ReadonlySet<string>): StatusDocument {
  const shown = path.relative(process.cwd(), path.resolve(file)) || file;
  const read = readRegularFile(path.resolve(file), shown, { maxBytes: MAX_STATUS_BYTES, fix: 'name the file `image-factory status --json` wrote' });
  if (read.kind === 'missing') throw new UserError({ subject: shown, message: 'no such file; check the --status path, or write it with `image-factory status --json > FILE`' });
  if (read.kind === 'too-large') throw new UserError({ subject: shown, message: `is ${read.size} bytes, over the ${MAX_STATUS_BYTES} a status file may be; check that this is the right file` });
  const text = new TextDecoder('utf-8', { fatal: false }).decode(read.bytes);
  return parseStatusDocument(text, shown, enrolled);
}

export function register(program: Command): void {
  program
    .command('report')
    .description('write DIR/index.html: a static page (no network needed to view it) with the image graph, bases, digests, last rebuilds, warnings and, with --status, what is stale')
    .requiredOption('--out <dir>', 'the folder to write index.html to (e.g. the folder GitHub Pages serves)')
    .option('--root <dir>', 'the state repo (the folder holding images.yaml)', '.')
    .option('--status <file>', 'the output of `image-factory status --json`, to show each image\u2019s state')
    .option('--generated-at <time>', 'an RFC 3339 time to print as when the report was made (none by default, so the page only changes when the state repo does)')
    .action(async (flags: ReportFlags) => {
      if (flags.generatedAt !== undefined && !isRfc3339(flags.generatedAt)) {
        throw new UserError({ subject: '--generated-at', message: `${JSON.stringify(flags.generatedAt)} is not an RFC 3339 time; write e.g. 2026-12-01T08:00:00Z` });
      }
      const repo = await loadStateRepo(path.resolve(flags.root));
      const status = flags.status === undefined ? undefined : readStatus(flags.status, new Set(repo.values.images.map((i) => i.name)));
      const html = renderReportHtml(reportView({ values: repo.values, states: repo.states, status, generatedAt: flags.generatedAt }));
      const target = outputTarget(flags.out, REPORT_FILE, true);
      const changed = await writeOutputFile(target, html);
      process.stdout.write(changed ? `image-factory: wrote ${describeTarget(target)}\n` : `image-factory: ${describeTarget(target)} is up to date\n`);
    });
}
