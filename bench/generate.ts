// Times `generate` end to end on a synthetic state repo of N local images with Dockerfiles of
// realistic shapes (multi-stage, global ARGs, COPY --from, shared and distinct bases).
// Run: node -r tsx/cjs bench/generate.ts [N ...]   (default: 1000 2500 5000 10000)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planGeneration, changesOfPlan } from '../generator/src/cli/generate';
import { applyChanges } from '../generator/src/cli/files';

const SHAPES = [
  (i: number) => `FROM node:${18 + (i % 5)}-bookworm-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD ["node", "index.js"]\n`,
  (i: number) =>
    `# syntax=docker/dockerfile:1\nARG GO_VERSION=1.2${i % 4}\nFROM golang:\${GO_VERSION}-bookworm AS build\nWORKDIR /src\nCOPY . .\nRUN go build -o /out/app ./cmd/app\n\nFROM gcr.io/distroless/static-debian12:nonroot\nCOPY --from=build /out/app /app\nENTRYPOINT ["/app"]\n`,
  (i: number) =>
    `ARG PYTHON=3.1${i % 3}\nFROM python:\${PYTHON}-slim AS base\nRUN pip install --no-cache-dir uv\nCOPY --from=ghcr.io/astral-sh/uv:0.5.${i % 10} /uv /bin/uv\nFROM base AS final\nCOPY . /app\nRUN --mount=type=cache,target=/root/.cache \\\n    uv sync --frozen\nCMD ["python", "-m", "app"]\n`,
  (i: number) => `FROM registry.example.com:5000/team-${i % 50}/base:1.${i % 7}\nRUN <<EOF\nset -e\necho FROM not-an-image\nEOF\nUSER 1000\n`,
];

function buildRepo(n: number): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `if-bench-${n}-`));
  const lines = ['stateRepo:', '  url: https://github.com/acme/state.git', 'images:'];
  for (let i = 0; i < n; i++) {
    const name = `img-${String(i).padStart(5, '0')}`;
    const dockerfile = `images-src/${name}/Dockerfile`;
    fs.mkdirSync(path.join(root, 'images-src', name), { recursive: true });
    fs.writeFileSync(path.join(root, dockerfile), SHAPES[i % SHAPES.length](i));
    lines.push(
      `  - name: ${name}`,
      '    registry: ghcr.io',
      `    repository: acme/${name}`,
      '    source:',
      `      dockerfile: ${dockerfile}`,
      `      workflow: build-${name}.yml`,
      `    rebuildDelay: ${i % 3 === 0 ? '0' : i % 3 === 1 ? '12h' : '7d'}`,
    );
  }
  fs.writeFileSync(path.join(root, 'images.yaml'), `${lines.join('\n')}\n`);
  return root;
}

async function timeGenerate(root: string): Promise<{ ms: number; files: number }> {
  const start = process.hrtime.bigint();
  const plan = await planGeneration({ root, now: () => new Date('2026-01-01T00:00:00Z') });
  const changes = changesOfPlan(plan, root);
  await applyChanges(root, changes);
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, files: changes.length };
}

export { buildRepo };
async function main(): Promise<void> {
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  const rows: string[] = ['images | first run (writes) | files | second run (no change) | per image (first)'];
  for (const n of sizes.length ? sizes : [1000, 2500, 5000, 10000]) {
    const root = buildRepo(n);
    const first = await timeGenerate(root);
    const second = await timeGenerate(root);
    rows.push(`${n} | ${first.ms.toFixed(0)} ms | ${first.files} | ${second.ms.toFixed(0)} ms (${second.files} changes) | ${(first.ms / n).toFixed(3)} ms`);
    fs.rmSync(root, { recursive: true, force: true });
  }
  console.log(rows.join('\n'));
}

if (require.main === module) main().catch((e) => {
  console.error(e);
  process.exit(1);
});
