// A headless Chromium driven over the Chrome DevTools Protocol, through the pipe transport
// (--remote-debugging-pipe: commands go in on fd 3 and answers come out on fd 4, one JSON message
// each, ended by a NUL byte), so no port is opened and no WebSocket client is needed. It resolves
// no host name at all (--host-resolver-rules), so a page that tried the network could reach
// nothing, and its attempts are recorded; a test asserts there were none.
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

type Json = Record<string, unknown>;

interface Pending {
  resolve: (result: Json) => void;
  reject: (e: Error) => void;
  method: string;
}

export interface PageReport {
  /** Console errors, uncaught exceptions and browser log errors (CSP violations land here). */
  errors: string[];
  /** Every URL the page asked for, the page itself included. */
  requests: string[];
}

const FLAGS = [
  '--headless=new',
  '--remote-debugging-pipe',
  '--no-sandbox', // tests run as root in CI containers, where Chromium's sandbox cannot start
  '--disable-gpu',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-extensions',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-default-apps',
  '--disable-domain-reliability',
  '--disable-client-side-phishing-detection',
  '--no-pings',
  '--mute-audio',
  '--hide-scrollbars',
  '--force-color-profile=srgb',
  '--font-render-hinting=none',
  '--host-resolver-rules=MAP * ~NOTFOUND',
];

export class Chromium {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners: ((message: Json) => void)[] = [];
  private buffer = Buffer.alloc(0);
  private exited = false;

  private constructor(
    private readonly child: ChildProcess,
    private readonly input: Writable,
    output: Readable,
    private readonly profile: string,
  ) {
    output.on('data', (chunk: Buffer) => this.receive(chunk));
    child.on('exit', () => {
      this.exited = true;
      for (const p of this.pending.values()) p.reject(new Error(`chromium exited while ${p.method} was pending`));
      this.pending.clear();
    });
  }

  static launch(binary: string): Chromium {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'if-chromium-'));
    const child = spawn(binary, [...FLAGS, `--user-data-dir=${profile}`, 'about:blank'], {
      stdio: ['ignore', 'ignore', 'pipe', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => {
      if (stderr.length < 20_000) stderr += c.toString('utf8');
    });
    child.on('exit', (code) => {
      if (code) process.stderr.write(`chromium exited with ${code}:\n${stderr.slice(-2000)}\n`);
    });
    return new Chromium(child, child.stdio[3] as Writable, child.stdio[4] as Readable, profile);
  }

  private receive(chunk: Buffer): void {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    let end: number;
    while ((end = this.buffer.indexOf(0)) >= 0) {
      const message = JSON.parse(this.buffer.subarray(0, end).toString('utf8')) as Json;
      this.buffer = this.buffer.subarray(end + 1);
      const id = message.id as number | undefined;
      if (id !== undefined && this.pending.has(id)) {
        const p = this.pending.get(id)!;
        this.pending.delete(id);
        if (message.error) p.reject(new Error(`${p.method}: ${JSON.stringify(message.error)}`));
        else p.resolve((message.result ?? {}) as Json);
      } else {
        for (const l of this.listeners) l(message);
      }
    }
  }

  send(method: string, params: Json = {}, sessionId?: string): Promise<Json> {
    if (this.exited) return Promise.reject(new Error(`chromium is not running (${method})`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, method });
      this.input.write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    });
  }

  on(listener: (message: Json) => void): () => void {
    this.listeners.push(listener);
    return () => this.listeners.splice(this.listeners.indexOf(listener), 1);
  }

  /** Waits for an event of a session, failing after `ms` (a hung browser must fail the test, not hang it). */
  waitFor(method: string, sessionId: string, ms = 30_000): Promise<Json> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`no ${method} from chromium within ${ms / 1000} s`));
      }, ms);
      const off = this.on((m) => {
        if (m.method === method && m.sessionId === sessionId) {
          clearTimeout(timer);
          off();
          resolve((m.params ?? {}) as Json);
        }
      });
    });
  }

  /** A new tab, with what it logs and requests recorded from the start. */
  async openPage(width = 1200, height = 800): Promise<Page> {
    const { targetId } = (await this.send('Target.createTarget', { url: 'about:blank' })) as { targetId: string };
    const { sessionId } = (await this.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
    const page = new Page(this, sessionId);
    await Promise.all(['Page.enable', 'Runtime.enable', 'Log.enable', 'Network.enable'].map((m) => this.send(m, {}, sessionId)));
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false }, sessionId);
    return page;
  }

  async close(): Promise<void> {
    if (!this.exited) {
      const gone = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
      this.send('Browser.close').catch(() => undefined);
      const timer = setTimeout(() => this.child.kill('SIGKILL'), 5000);
      await gone;
      clearTimeout(timer);
    }
    fs.rmSync(this.profile, { recursive: true, force: true });
  }
}

export class Page {
  readonly report: PageReport = { errors: [], requests: [] };

  constructor(
    private readonly browser: Chromium,
    readonly sessionId: string,
  ) {
    browser.on((m) => {
      if (m.sessionId !== sessionId) return;
      const p = (m.params ?? {}) as Json;
      if (m.method === 'Runtime.consoleAPICalled' && (p.type === 'error' || p.type === 'assert')) {
        this.report.errors.push(`console.${p.type}: ${JSON.stringify((p.args as Json[]).map((a) => a.value ?? a.description))}`);
      } else if (m.method === 'Runtime.exceptionThrown') {
        this.report.errors.push(`exception: ${JSON.stringify((p.exceptionDetails as Json)?.exception ?? p.exceptionDetails)}`);
      } else if (m.method === 'Log.entryAdded') {
        const entry = p.entry as Json;
        if (entry.level === 'error') this.report.errors.push(`log (${entry.source}): ${entry.text}`);
      } else if (m.method === 'Network.requestWillBeSent') {
        this.report.requests.push(String((p.request as Json).url));
      }
    });
  }

  send(method: string, params: Json = {}): Promise<Json> {
    return this.browser.send(method, params, this.sessionId);
  }

  async goto(url: string): Promise<void> {
    const loaded = this.browser.waitFor('Page.loadEventFired', this.sessionId);
    const nav = (await this.send('Page.navigate', { url })) as { errorText?: string };
    if (nav.errorText) throw new Error(`navigating to ${url}: ${nav.errorText}`);
    await loaded;
  }

  /** The value of an expression evaluated in the page (JSON-serialisable results only). */
  async evaluate<T>(expression: string): Promise<T> {
    const r = (await this.send('Runtime.evaluate', { expression, returnByValue: true })) as { result: { value: T }; exceptionDetails?: Json };
    if (r.exceptionDetails) throw new Error(`evaluating ${expression}: ${JSON.stringify(r.exceptionDetails)}`);
    return r.result.value;
  }

  /** A PNG of the whole page at the emulated width. */
  async screenshot(width: number): Promise<Buffer> {
    const height = Math.ceil(await this.evaluate<number>('document.documentElement.scrollHeight'));
    await this.send('Emulation.setDeviceMetricsOverride', { width, height, deviceScaleFactor: 1, mobile: false });
    const { data } = (await this.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true })) as { data: string };
    return Buffer.from(data, 'base64');
  }
}
