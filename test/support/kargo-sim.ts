// Runs a Stage's promotion steps from the chart's real `helm template` output with kargo-sim
// (../shared/kargo-sim: Kargo v1.11.2's task inflation, expression engine and step semantics),
// against real git repositories and loopback servers. Built once per test process.
import { execFile, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { sharedPath } from './shared';

/** One settled step, as kargo-sim prints it. */
export interface SimStep {
  step: number;
  alias: string;
  uses: string;
  config: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  status: 'Succeeded' | 'Failed' | 'Errored' | 'Skipped';
  message?: string;
  outputs: Record<string, any> | null; // eslint-disable-line @typescript-eslint/no-explicit-any
  polls?: number;
}

export interface Promotion {
  exitCode: number;
  phase: string;
  message: string;
  steps: SimStep[];
  /** By alias (`<task alias>::<step alias>`). */
  step: Record<string, SimStep>;
  stdout: string;
  stderr: string;
}

export interface FreightImage {
  repoURL: string;
  tag: string;
  digest: string;
}

export interface FreightCommit {
  repoURL: string;
  id: string;
  branch: string;
}

export interface Freight {
  name: string;
  warehouse: string;
  images?: FreightImage[];
  commits?: FreightCommit[];
}

let built: string | undefined;

/**
 * The kargo-sim binary, built (or reused) on first use; undefined on a plain clone, where each
 * suite that asks says it is skipped (so only a found binary is remembered).
 */
export function kargoSim(suite: string): string | undefined {
  if (built !== undefined) return built;
  const script = sharedPath('kargo-sim/build.sh', suite);
  built = script === undefined ? undefined : execFileSync('bash', [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 }).trim();
  return built;
}

export interface PromoteOptions {
  sim: string;
  manifests: string;
  stage: string;
  /** The Freight being promoted first; the others are what the Stage also sees. */
  freight: Freight[];
  secrets: Record<string, Record<string, string>>;
  workDir: string;
  now?: string;
  maxPolls?: number;
  project?: string;
}

const freightJSON = (f: Freight) => ({ name: f.name, origin: { kind: 'Warehouse', name: f.warehouse }, images: f.images ?? [], commits: f.commits ?? [] });

/**
 * Promotes freight[0] to the Stage; every step's result and the final phase. Asynchronous, so that
 * loopback servers in the test's own process can answer the steps.
 */
export async function promote(o: PromoteOptions): Promise<Promotion> {
  fs.mkdirSync(o.workDir, { recursive: true });
  const freightFile = path.join(o.workDir, 'freight.json');
  const secretsFile = path.join(o.workDir, 'secrets.json');
  const target = o.freight[0];
  fs.writeFileSync(
    freightFile,
    JSON.stringify({ project: o.project ?? 'image-factory', targetFreight: { name: target.name, origin: { kind: 'Warehouse', name: target.warehouse } }, freight: o.freight.map(freightJSON) }),
  );
  fs.writeFileSync(secretsFile, JSON.stringify(o.secrets));
  const r = await new Promise<{ status: number; stdout: string; stderr: string }>((resolve, reject) => {
    execFile(
    o.sim,
    ['promote', '--manifests', o.manifests, '--stage', o.stage, '--freight', freightFile, '--secrets', secretsFile, '--workdir', path.join(o.workDir, 'run'),
      '--now', o.now ?? '2026-11-30T12:00:00Z', '--poll-interval', '50ms', '--max-polls', String(o.maxPolls ?? 5)],
    { encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') return reject(error);
        resolve({ status: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
  const lines = r.stdout.trim().split('\n').filter((l) => l.startsWith('{'));
  const rows = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const last = rows.pop() as { phase?: string; message?: string } | undefined;
  const steps = rows as unknown as SimStep[];
  return {
    exitCode: r.status,
    phase: last?.phase ?? '(none)',
    message: last?.message ?? '',
    steps,
    step: Object.fromEntries(steps.map((s) => [s.alias, s])),
    stdout: r.stdout,
    stderr: r.stderr,
  };
}
