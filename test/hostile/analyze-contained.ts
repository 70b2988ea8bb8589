// Run as a child process by the hostile suite (test/support/contained.ts), under a heap limit and a
// wall-clock limit: analyses hostile Dockerfiles one by one and reports each on its own stdout line,
// `{"start": name}` before and `{"name", "bytes", "outcome", ...}` after, so that a case that hangs
// or exhausts memory is named by the parent. Argument: JSON `{"names": [...]}` (NAMED_CASES) or
// `{"seed": n, "from": i, "count": c}` (the generator).
import { baseImagesOf, DockerfileError } from '../../generator/src/core/dockerfile';
import { generatedCase, NAMED_CASES, type HostileDockerfile } from './hostile-dockerfiles';

export interface ContainedResult {
  name: string;
  bytes: number;
  outcome: 'analyzed' | 'refused';
  refs?: string[];
  /** The DockerfileError, `line:col: message`, message cut at 300 characters. */
  error?: string;
  ms: number;
}

const request = JSON.parse(process.argv[2] ?? '{}') as { names?: string[]; seed?: number; from?: number; count?: number };
const cases: (() => HostileDockerfile)[] = request.names
  ? request.names.map((name) => () => ({ name, text: NAMED_CASES[name]() }))
  : Array.from({ length: request.count ?? 0 }, (_, i) => () => generatedCase(request.seed ?? 1, (request.from ?? 0) + i));

const say = (line: unknown) => process.stdout.write(`${JSON.stringify(line)}\n`);
for (const make of cases) {
  const { name, text } = make();
  say({ start: name });
  const started = process.hrtime.bigint();
  let result: Omit<ContainedResult, 'ms'>;
  try {
    const analysis = baseImagesOf(text);
    result = { name, bytes: Buffer.byteLength(text), outcome: 'analyzed', refs: analysis.bases.map((b) => b.ref) };
  } catch (e) {
    if (!(e instanceof DockerfileError)) throw e;
    result = { name, bytes: Buffer.byteLength(text), outcome: 'refused', error: `${e.line}:${e.col}: ${e.message.slice(0, 300)}` };
  }
  say({ ...result, ms: Number(process.hrtime.bigint() - started) / 1e6 });
}
