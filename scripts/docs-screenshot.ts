// `npm run docs:screenshot`: docs/report-exemplar.png, the README's picture of `image-factory report`
// for examples/exemplar (with the example status file the report suites use), taken in headless
// Chromium (Debian's chromium package) the way test/report-browser.test.ts loads the page.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { main } from '../generator/src/cli/cli';
import { Chromium } from '../test/support/chromium';
import { exemplarStatusJson } from '../test/support/report-cases';
import { requiredBinary } from '../test/support/shared';

const root = path.resolve(__dirname, '..');
const OUTPUT = path.join(root, 'docs', 'report-exemplar.png');
const WIDTH = 1100;

async function screenshot(): Promise<void> {
  const binary = requiredBinary('chromium', 'docs:screenshot');
  if (binary === undefined) throw new Error('install Debian\u2019s chromium package (apt-get install chromium) to take the screenshot');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'if-screenshot-'));
  const browser = Chromium.launch(binary);
  try {
    const statusFile = path.join(dir, 'status.json');
    fs.writeFileSync(statusFile, exemplarStatusJson());
    const code = await main(['node', 'image-factory', 'report', '--root', path.join(root, 'examples/exemplar'), '--out', dir, '--status', statusFile]);
    if (code !== 0) throw new Error(`image-factory report exited with ${code}`);
    const page = await browser.openPage(WIDTH, 800);
    await page.goto(pathToFileURL(path.join(dir, 'index.html')).href);
    if (page.report.errors.length) throw new Error(`the page logged errors:\n${page.report.errors.join('\n')}`);
    fs.writeFileSync(OUTPUT, await page.screenshot(WIDTH));
    process.stdout.write(`wrote ${path.relative(process.cwd(), OUTPUT)}\n`);
  } finally {
    await browser.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

screenshot().catch((e: unknown) => {
  process.stderr.write(`docs:screenshot: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
