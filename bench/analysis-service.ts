// Benchmark of the analysis service: analyses per second, git processes per analysis and p50/p99
// latency for 1, 8 and 32 concurrent clients against a loopback file:// repository, with the
// service at its default concurrency (a request beyond the slots and the line gets 429 with
// Retry-After, which the clients honour, as Kargo's retries do); the latency of admitted requests
// (time in line included) apart from the end-to-end time with those waits, and the service's own
// split of it (time in line, time in the slot, from its log lines). Also the service's resident
// memory under that load, and the bytes/time of the service's shallow blob-less fetch against a
// full clone of a large repository served by git http-backend. Bounded: fixed request counts, a
// time cap per level.
//   node -r tsx/cjs bench/analysis-service.ts
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { fetchFileAtCommit, gitStats } from '../generator/src/core/git';
import { makeLargeRepo, makeRepo } from '../test/support/git-repos';
import { startGitHttpServer } from '../test/support/git-http-server';

const execFileAsync = promisify(execFile);
const TOKEN = 'bench-token-0123456789abcdef';
const LEVELS: [number, number][] = [
  [1, 40],
  [8, 160],
  [32, 320],
];
const CAP_MS = 120_000;

if (process.argv[2] === '--child-server') {
  // The service in its own process, so its memory is measured alone.
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  require('../analysis-step/src/serve-command').serve({ host: '127.0.0.1' }).then(() => process.exit(0));
} else {
  run().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const rssOf = (pid: number) => {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : 0;
};

async function run(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'if-bench-svc-'));
  try {
    await fetchVersusClone(dir);
    await load(dir);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function fetchVersusClone(dir: string): Promise<void> {
  const shape = { files: 3000, commits: 200, filesPerCommit: 25, fileBytes: 2000 };
  let t = Date.now();
  makeLargeRepo(dir, 'large', shape);
  console.log(`large repo: ${shape.files} files x ~${shape.fileBytes} B, ${shape.commits} commits (${shape.filesPerCommit} files changed each); built in ${Date.now() - t} ms`);
  const auth = { username: 'bench', password: 'bench-password-123' };
  const server = await startGitHttpServer(dir, auth);
  try {
    const url = server.urlOf('large');
    const tmp = fs.mkdtempSync(path.join(dir, 'tmp-'));
    const partial: { bytes: number; ms: number; packBytes: number }[] = [];
    const gitBefore = gitStats.invocations;
    for (let i = 0; i < 3; i++) {
      server.reset();
      t = Date.now();
      const got = await fetchFileAtCommit({ repoURL: url, ref: 'main', path: 'Dockerfile', credentials: auth, timeoutMs: 60_000, allowInsecureURLs: true, tmpDir: tmp });
      partial.push({ bytes: server.bytesSent, ms: Date.now() - t, packBytes: got.bytesFetched });
    }
    const gitPerFetch = (gitStats.invocations - gitBefore) / 3;
    const full: { bytes: number; ms: number }[] = [];
    const basic = Buffer.from(`${auth.username}:${auth.password}`).toString('base64');
    for (let i = 0; i < 3; i++) {
      server.reset();
      const target = path.join(dir, `clone-${i}`);
      t = Date.now();
      await execFileAsync('git', ['-c', `http.extraHeader=Authorization: Basic ${basic}`, 'clone', '--quiet', '--', url, target], {
        env: { PATH: process.env.PATH, HOME: dir, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0' },
      });
      full.push({ bytes: server.bytesSent, ms: Date.now() - t });
      fs.rmSync(target, { recursive: true, force: true });
    }
    const med = <T>(xs: T[], k: (x: T) => number) => xs.map(k).sort((a, b) => a - b)[1];
    console.log(`partial fetch (depth 1, blob:none, one blob): ${med(partial, (x) => x.bytes)} B over HTTP (pack ${med(partial, (x) => x.packBytes)} B), ${med(partial, (x) => x.ms)} ms (median of 3), ${gitPerFetch} git processes started`);
    console.log(`full clone:                                   ${med(full, (x) => x.bytes)} B over HTTP, ${med(full, (x) => x.ms)} ms (median of 3)`);
    console.log(`ratio: ${(med(full, (x) => x.bytes) / med(partial, (x) => x.bytes)).toFixed(0)}x fewer bytes, ${(med(full, (x) => x.ms) / med(partial, (x) => x.ms)).toFixed(1)}x faster`);
  } finally {
    await server.close();
  }
}

interface LevelResult {
  clients: number;
  /** Send to answer of the attempt that got its 200: the latency of an admitted request, its time in line included. */
  admitted: number[];
  /** First attempt to 200, the waits Retry-After asked for after each 429 included. */
  endToEnd: number[];
  busy: number;
  seconds: number;
  /** From the service's log lines: time in line for a slot, and time in the slot. */
  waitMs: number[];
  slotMs: number[];
  gitProcesses: number;
  peakRss: number;
}

/** Starts the service in its own process at its default concurrency; resolves its port and its log lines as they come. */
async function startService(dir: string, repoURL: string, tmp: string) {
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ allowedRepositories: [repoURL] }));
  fs.writeFileSync(path.join(dir, 'token'), TOKEN);
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', __filename, '--child-server'], {
    env: {
      PATH: process.env.PATH, TMPDIR: tmp, PORT: '0',
      IMAGE_FACTORY_CONFIG: path.join(dir, 'config.json'), IMAGE_FACTORY_TOKEN_FILE: path.join(dir, 'token'),
      IMAGE_FACTORY_ALLOW_FILE_URLS: 'true', IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '30',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: path.resolve(__dirname, '..'),
  });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  child.stdout!.on('data', (c: Buffer) => {
    const text = partial + c.toString();
    const all = text.split('\n');
    partial = all.pop()!;
    for (const line of all) if (line.startsWith('{')) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const listening = await new Promise<Record<string, unknown>>((resolve, reject) => {
    const poll = setInterval(() => {
      const found = lines.find((l) => l.msg === 'listening');
      if (found) {
        clearInterval(poll);
        resolve(found);
      }
    }, 20);
    child.on('exit', () => reject(new Error('the service exited')));
  });
  return { child, lines, port: Number(listening.port), maxConcurrent: Number(listening.maxConcurrent) };
}

async function load(dir: string): Promise<void> {
  const repo = makeRepo(dir, 'app');
  const commit = repo.commit({ 'Dockerfile': 'ARG V=22\nFROM node:${V}-bookworm-slim AS build\nRUN npm ci\nFROM gcr.io/distroless/nodejs22-debian12\nCOPY --from=build /app /app\n' });
  // What the analyze task sends besides the fetch fields (analysis-step/README.md).
  const enrollment = {
    registry: 'ghcr.io', repository: 'acme/app', repo: 'acme/app', branch: 'main', workflow: 'build.yml',
    rebuildDelay: '1d', autoRebuild: true, subscription: { imageSelectionStrategy: 'NewestBuild' }, dispatchInputs: {},
  };
  const tmp = fs.mkdtempSync(path.join(dir, 'svc-tmp-'));
  const service = await startService(dir, repo.url, tmp);
  const base = `http://127.0.0.1:${service.port}`;
  // Each request its own build args: the service keeps analyses by (repository, commit, path, build
  // args), and a repeated request would be answered from that cache without git.
  let sent = 0;
  const analyze = () => {
    const body = JSON.stringify({ image: 'app', repoURL: repo.url, commit, dockerfile: 'Dockerfile', buildArgs: { V: String(20 + (sent++ % 100_000)) }, enrollment });
    return fetch(`${base}/v1/analyze`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body });
  };
  const gitProcesses = async () => Number(/^image_factory_git_processes_total (\d+)$/m.exec(await (await fetch(`${base}/metrics`)).text())![1]);
  try {
    console.log(`\nservice under load (file:// repository, max-concurrent ${service.maxConcurrent}: its default, 2x this machine's ${os.availableParallelism()} cores; as many wait, beyond that 429 + Retry-After, which the clients honour), idle RSS ${rssOf(service.child.pid!).toFixed(0)} MiB`);
    console.log(HEADER);
    const results: LevelResult[] = [];
    for (const [clients, total] of LEVELS) {
      results.push(await runLevel(clients, total, analyze, service, gitProcesses));
      console.log(row(results[results.length - 1]));
    }
    printRatios(results);
    const left = fs.readdirSync(tmp);
    console.log(`fetch temp dirs left by the service: ${left.filter((f) => f.startsWith('image-factory-fetch-')).length} (other entries: ${left.filter((f) => !f.startsWith('image-factory-fetch-')).join(', ') || 'none'})`);
  } finally {
    service.child.kill('SIGTERM');
    await new Promise((r) => service.child.once('exit', r));
  }
}

/** `clients` callers in a closed loop until `total` analyses are answered; a 429 is retried after its Retry-After. */
async function runLevel(
  clients: number,
  total: number,
  analyze: () => Promise<Response>,
  service: { child: { pid?: number }; lines: Record<string, unknown>[] },
  gitProcesses: () => Promise<number>,
): Promise<LevelResult> {
  const result: LevelResult = { clients, admitted: [], endToEnd: [], busy: 0, seconds: 0, waitMs: [], slotMs: [], gitProcesses: 0, peakRss: 0 };
  const gitBefore = await gitProcesses();
  const logFrom = service.lines.length;
  let next = 0;
  const sampler = setInterval(() => (result.peakRss = Math.max(result.peakRss, rssOf(service.child.pid!))), 50);
  const start = Date.now();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total && Date.now() - start < CAP_MS) {
        next++;
        const first = process.hrtime.bigint();
        for (;;) {
          const t = process.hrtime.bigint();
          const res = await analyze();
          await res.text();
          if (res.status === 200) {
            result.admitted.push(Number(process.hrtime.bigint() - t) / 1e6);
            result.endToEnd.push(Number(process.hrtime.bigint() - first) / 1e6);
            break;
          }
          if (res.status !== 429) throw new Error(`status ${res.status}`);
          result.busy++;
          await new Promise((r) => setTimeout(r, Number(res.headers.get('retry-after') ?? '5') * 1000));
        }
      }
    }),
  );
  clearInterval(sampler);
  result.seconds = (Date.now() - start) / 1000;
  result.gitProcesses = (await gitProcesses()) - gitBefore;
  for (const line of service.lines.slice(logFrom)) {
    if (line.route !== '/v1/analyze' || line.code !== 200) continue;
    result.waitMs.push(Number(line.waitMs));
    result.slotMs.push(Number(line.durationMs) - Number(line.waitMs));
  }
  return result;
}

const HEADER = 'clients  analyses  per s  git/analysis  admitted p50  p99  |  in line p50  p99  |  in slot p50  p99  |  429s  end-to-end p50  p99  |  peak RSS MiB';
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const ms = (xs: number[], q: number) => pct(sorted(xs), q).toFixed(0).padStart(6);

function row(r: LevelResult): string {
  return (
    `${String(r.clients).padStart(7)}  ${String(r.admitted.length).padStart(8)}  ${(r.admitted.length / r.seconds).toFixed(1).padStart(5)}  ${(r.gitProcesses / r.admitted.length).toFixed(1).padStart(12)}` +
    `  ${ms(r.admitted, 50)}  ${ms(r.admitted, 99)}  |  ${ms(r.waitMs, 50)}  ${ms(r.waitMs, 99)}  |  ${ms(r.slotMs, 50)}  ${ms(r.slotMs, 99)}` +
    `  |  ${String(r.busy).padStart(4)}  ${ms(r.endToEnd, 50)}  ${ms(r.endToEnd, 99)}  |  ${r.peakRss.toFixed(0).padStart(12)}`
  );
}

function printRatios(results: LevelResult[]): void {
  const at = (clients: number) => results.find((r) => r.clients === clients)!;
  const ratio = pct(sorted(at(32).admitted), 99) / pct(sorted(at(8).admitted), 50);
  const endToEnd = pct(sorted(at(32).endToEnd), 99) / pct(sorted(at(8).endToEnd), 50);
  console.log(`p99 at 32 clients / p50 at 8, admitted requests (time in line included): ${ratio.toFixed(2)}x (target <= 2x); end to end with the Retry-After waits: ${endToEnd.toFixed(2)}x`);
  console.log(`load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}
