// `image-factory status` against a real registry on this machine (Debian's docker-registry, token
// auth through a realm served here, as Docker Hub and GHCR do it): N images, each on its own base
// repository, looked up at --concurrency 1, 4 and 8. Wall-clock time per run (median of 3) and
// lookups per second; every run's answer is checked (N up-to-date images), so a fast wrong answer
// cannot pass. Run with `npm run bench:status [images] [latency-ms]` (needs docker-registry and
// openssl); a latency puts a front before the registry that delays each answer, as a network would.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { main } from '../generator/src/cli/cli';
import { runStatus } from '../generator/src/cli/commands/status';
import { requiredBinary } from '../test/support/shared';
import { startRegistry, startThrottlingFront } from '../test/support/registry';
import { captureOutput } from '../test/support/tree';

const count = Number(process.argv[2] ?? 100);
/** Milliseconds added to every answer by a front before the registry, as a network would. */
const latencyMs = Number(process.argv[3] ?? 0);

async function run(): Promise<void> {
  const binary = requiredBinary('docker-registry', 'bench:status');
  const openssl = requiredBinary('openssl', 'bench:status');
  if (!binary || !openssl) process.exit(1);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'if-bench-status-'));
  const registry = await startRegistry(binary, dir, { kind: 'token', username: 'bench', password: 'bench-password', opensslBinary: openssl });
  const front = latencyMs > 0 ? await startThrottlingFront(registry.origin, latencyMs) : undefined;
  const host = front?.host ?? registry.host;
  try {
    const root = path.join(dir, 'state');
    fs.mkdirSync(path.join(root, 'df'), { recursive: true });
    const entries: string[] = [];
    const digests: string[] = [];
    for (let i = 0; i < count; i++) {
      digests.push(await registry.push(`base/b${i}`, '1'));
      fs.writeFileSync(path.join(root, 'df', `i${i}`), `FROM ${host}/base/b${i}:1\n`);
      entries.push(`  - name: i${i}\n    registry: ghcr.io\n    repository: acme/i${i}\n    source:\n      dockerfile: df/i${i}\n      workflow: b.yml\n`);
    }
    fs.writeFileSync(path.join(root, 'images.yaml'), `images:\n${entries.join('')}`);
    const generated = await captureOutput(() => main(['node', 'image-factory', 'generate', '--root', root, '--quiet']));
    if (generated.result !== 0) throw new Error(generated.stderr);
    for (let i = 0; i < count; i++) {
      const file = path.join(root, 'images', `i${i}.yaml`);
      const state = parseYaml(fs.readFileSync(file, 'utf8')) as { lastRebuild: { bases: Record<string, { digest: string }> } };
      for (const b of Object.values(state.lastRebuild.bases)) b.digest = digests[i];
      fs.writeFileSync(file, stringifyYaml(state));
    }
    const env = { PATH: process.env.PATH, HOME: dir, DOCKER_AUTH_CONFIG: JSON.stringify({ auths: { [host]: { auth: Buffer.from('bench:bench-password').toString('base64') } } }) };
    console.log(`bench:status: ${count} images, each on its own repository (one token each), token auth, 127.0.0.1${latencyMs ? `, ${latencyMs} ms added to each answer` : ''}`);
    for (const concurrency of ['1', '4', '8']) {
      const times: number[] = [];
      for (let r = 0; r < 3; r++) {
        let out = '';
        const t0 = performance.now();
        await runStatus(
          { root, json: true, concurrency, timeout: '30', maxAttempts: '1', maxWait: '0', allowInsecureUrls: true },
          { env, stdout: (t) => void (out += t), stderr: () => undefined, stderrIsTTY: false },
        );
        times.push(performance.now() - t0);
        const report = JSON.parse(out) as { images: { state: string }[] };
        const upToDate = report.images.filter((i) => i.state === 'up-to-date').length;
        if (upToDate !== count) throw new Error(`expected ${count} up-to-date images, got ${upToDate}`);
      }
      const median = times.sort((a, b) => a - b)[1];
      console.log(`  --concurrency ${concurrency}: ${median.toFixed(0)} ms (median of 3), ${((count / median) * 1000).toFixed(0)} lookups/s`);
    }
  } finally {
    await front?.close();
    await registry.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

run().catch((e) => {
  console.error(e);
  process.exit(1);
});
