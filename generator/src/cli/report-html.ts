// The report page: the view (report-model.ts) placed into the Handlebars templates shipped in
// generator/report/. Everything from the state repo goes through Handlebars' escaping ({{...}});
// only the package's own stylesheet and script are inserted raw, and the page's Content Security
// Policy allows exactly those two (by hash) and nothing from the network.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Handlebars from 'handlebars';
import { packageRoot } from '../core/package-root';
import type { ReportView } from '../core/report-model';

export const REPORT_TEMPLATES_DIR = path.join('generator', 'report');

interface Templates {
  page: HandlebarsTemplateDelegate;
  css: string;
  script: string;
}

let loaded: Templates | undefined;

function templates(): Templates {
  if (loaded) return loaded;
  const dir = path.join(packageRoot, REPORT_TEMPLATES_DIR);
  const read = (name: string) => fs.readFileSync(path.join(dir, name), 'utf8');
  // An environment of its own: nothing registered elsewhere in the process reaches the page.
  const env = Handlebars.create();
  env.registerPartial('graph', read('graph.hbs'));
  env.registerPartial('image', read('image.hbs'));
  const page = env.compile(read('page.hbs'), { knownHelpersOnly: true, preventIndent: true });
  loaded = { page, css: read('style.css'), script: read('age.js') };
  return loaded;
}

const sha256 = (text: string): string => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/** The page's HTML; the same view gives the same bytes. */
export function renderReportHtml(view: ReportView): string {
  const t = templates();
  const csp = [
    "default-src 'none'",
    `style-src ${sha256(t.css)}`,
    `script-src ${sha256(t.script)}`,
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return t.page({ view, css: t.css, script: t.script, csp });
}
