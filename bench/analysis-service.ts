// Benchmark of the analysis service: analyses per second and p50/p99 latency for 1, 8 and 32
// concurrent clients against a loopback file:// repository, the service's resident memory under
// that load, and the bytes/time of the service's shallow blob-less fetch against a full clone of a
// large repository served by git http-backend. Bounded: fixed request counts, a time cap per level.
//   node -r tsx/cjs bench/analysis-service.ts
import { execFile, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { fetchFileAtCommit } from '../generator/src/core/git';
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
    for (let i = 0; i < 3; i++) {
      server.reset();
      t = Date.now();
      const got = await fetchFileAtCommit({ repoURL: url, ref: 'main', path: 'Dockerfile', credentials: auth, timeoutMs: 60_000, allowInsecureURLs: true, tmpDir: tmp });
      partial.push({ bytes: server.bytesSent, ms: Date.now() - t, packBytes: got.bytesFetched });
    }
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
    console.log(`partial fetch (depth 1, blob:none, one blob): ${med(partial, (x) => x.bytes)} B over HTTP (pack ${med(partial, (x) => x.packBytes)} B), ${med(partial, (x) => x.ms)} ms (median of 3)`);
    console.log(`full clone:                                   ${med(full, (x) => x.bytes)} B over HTTP, ${med(full, (x) => x.ms)} ms (median of 3)`);
    console.log(`ratio: ${(med(full, (x) => x.bytes) / med(partial, (x) => x.bytes)).toFixed(0)}x fewer bytes, ${(med(full, (x) => x.ms) / med(partial, (x) => x.ms)).toFixed(1)}x faster`);
  } finally {
    await server.close();
  }
}

async function load(dir: string): Promise<void> {
  const repo = makeRepo(dir, 'app');
  const commit = repo.commit({ 'Dockerfile': 'ARG V=22\nFROM node:${V}-bookworm-slim AS build\nRUN npm ci\nFROM gcr.io/distroless/nodejs22-debian12\nCOPY --from=build /app /app\n' });
  // What the analyze task sends besides the fetch fields (analysis-step/README.md).
  const enrollment = {
    registry: 'ghcr.io', repository: 'acme/app', repo: 'acme/app', branch: 'main', workflow: 'build.yml',
    rebuildDelay: '1d', autoRebuild: true, subscription: { imageSelectionStrategy: 'NewestBuild' }, dispatchInputs: {},
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify({ allowedRepositories: [repo.url] }));
  fs.writeFileSync(path.join(dir, 'token'), TOKEN);
  const tmp = fs.mkdtempSync(path.join(dir, 'svc-tmp-'));
  const child = spawn(process.execPath, ['-r', 'tsx/cjs', __filename, '--child-server'], {
    env: {
      PATH: process.env.PATH, TMPDIR: tmp, PORT: '0',
      IMAGE_FACTORY_CONFIG: path.join(dir, 'config.json'), IMAGE_FACTORY_TOKEN_FILE: path.join(dir, 'token'),
      IMAGE_FACTORY_ALLOW_FILE_URLS: 'true', IMAGE_FACTORY_MAX_CONCURRENT: '32', IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS: '30',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
    cwd: path.resolve(__dirname, '..'),
  });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    child.stdout!.on('data', (c: Buffer) => {
      buf += c.toString();
      const m = /"msg":"listening"[^\n]*"port":(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    });
    child.on('exit', () => reject(new Error('the service exited')));
  });
  child.stdout!.resume();
  // Each request its own build args: the service keeps analyses by (repository, commit, path, build
  // args), and a repeated request would be answered from that cache without git.
  let sent = 0;
  const one = async (): Promise<number> => {
    const body = JSON.stringify({ image: 'app', repoURL: repo.url, commit, dockerfile: 'Dockerfile', buildArgs: { V: String(20 + (sent++ % 1000)) }, enrollment });
    const t = process.hrtime.bigint();
    const res = await fetch(`http://127.0.0.1:${port}/v1/analyze`, { method: 'POST', headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' }, body });
    await res.text();
    if (res.status !== 200) throw new Error(`status ${res.status}`);
    return Number(process.hrtime.bigint() - t) / 1e6;
  };
  try {
    console.log(`\nservice under load (file:// repository, max-concurrent 32), idle RSS ${rssOf(child.pid!).toFixed(0)} MiB`);
    console.log('clients  requests  analyses/s  p50 ms  p99 ms  peak RSS MiB');
    const p50s = new Map<number, number>();
    const p99s = new Map<number, number>();
    for (const [clients, total] of LEVELS) {
      const latencies: number[] = [];
      let next = 0;
      let peak = 0;
      const sampler = setInterval(() => (peak = Math.max(peak, rssOf(child.pid!))), 50);
      const start = Date.now();
      await Promise.all(
        Array.from({ length: clients }, async () => {
          while (next < total && Date.now() - start < CAP_MS) {
            next++;
            latencies.push(await one());
          }
        }),
      );
      clearInterval(sampler);
      const secs = (Date.now() - start) / 1000;
      latencies.sort((a, b) => a - b);
      p50s.set(clients, pct(latencies, 50));
      p99s.set(clients, pct(latencies, 99));
      console.log(`${String(clients).padStart(7)}  ${String(latencies.length).padStart(8)}  ${(latencies.length / secs).toFixed(1).padStart(10)}  ${pct(latencies, 50).toFixed(0).padStart(6)}  ${pct(latencies, 99).toFixed(0).padStart(6)}  ${peak.toFixed(0).padStart(12)}`);
    }
    console.log(`p99 at 32 clients / p50 at 8: ${(p99s.get(32)! / p50s.get(8)!).toFixed(2)}x (load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')})`);
    const left = fs.readdirSync(tmp);
    console.log(`fetch temp dirs left by the service: ${left.filter((f) => f.startsWith('image-factory-fetch-')).length} (other entries: ${left.filter((f) => !f.startsWith('image-factory-fetch-')).join(', ') || 'none'})`);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
  }
}
