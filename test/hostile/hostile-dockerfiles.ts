// Hostile Dockerfiles: the attacks of issue 11 as named cases, and a seeded generator of more like
// them (backtracking patterns, huge ARG counts, many stages, long lines, deep `${}` nesting, values
// built from values), each under the analyser's 1 MiB cap. Shared by the standing suite (which runs
// them in a contained child process) and bench/hostile-dockerfile.ts (which times them).
import { MAX_DOCKERFILE_BYTES } from '../../generator/src/core/rules';
import { pick, seeded } from '../support/random';

export interface HostileDockerfile {
  name: string;
  text: string;
}

/** Room left under the cap for a head and a tail around repeated units. */
const CAP = MAX_DOCKERFILE_BYTES - 256;

/** `head`, then as many units as fit under `bytes` (never over the cap), then `tail`. */
function fill(bytes: number, head: string, unit: (i: number) => string, tail = ''): string {
  const limit = Math.min(bytes, CAP);
  const parts = [head];
  let length = Buffer.byteLength(head) + Buffer.byteLength(tail);
  for (let i = 0; ; i++) {
    const next = unit(i);
    const size = Buffer.byteLength(next);
    if (length + size > limit) break;
    parts.push(next);
    length += size;
  }
  parts.push(tail);
  return parts.join('');
}

const aTimes = (n: number) => 'a'.repeat(n);
/** `*a*a...*b`: the shape that made the old regex backtrack exponentially on a run of a's. */
const starPattern = (n: number) => `${'*a'.repeat(n)}*b`;

/** The cases issue 11 reported, and the bounds of the analyser's work, by name. */
export const NAMED_CASES: Record<string, () => string> = {
  // #1: 48 s before the fix (34 a's), hours with 40.
  'backtracking-34': () => `ARG V=${aTimes(34)}\nFROM alpine:x\${V%%${starPattern(17)}}\n`,
  'backtracking-40': () => `ARG V=${aTimes(40)}\nFROM alpine:x\${V%%${starPattern(40)}}\n`,
  'backtracking-every-operator': () =>
    `ARG V=${aTimes(60)}\n` +
    ['#', '##', '%', '%%'].map((op, i) => `FROM alpine AS s${i}\nCOPY --from=x\${V${op}${starPattern(30)}}:1 / /\n`).join('') +
    `FROM alpine\nCOPY --from=x\${V/${starPattern(30)}/r}:1 / /\nCOPY --from=x\${V//${starPattern(30)}/r}:1 / /\n`,
  'backtracking-megabyte-value': () => `ARG V=${aTimes(CAP - 2000)}\nFROM alpine\nENV W=\${V%%${starPattern(200)}}\n`,
  'partial-matches-megabyte': () => `ARG V=${aTimes(CAP / 2)}\nFROM alpine\nENV W=\${V#${aTimes(CAP / 2 - 1000)}b*}\n`,
  // #2: 64 s before the fix.
  'args-20000': () => `${Array.from({ length: 20_000 }, (_, i) => `ARG A${i}=value-${i}`).join('\n')}\nFROM alpine:\${A19999}\n`,
  'args-in-stage-chained': () => fill(CAP, 'FROM alpine\nARG A0=x\n', (i) => `ARG A${i + 1}=\${A${i}}\n`),
  // #2: 27 s before the fix.
  'stages-40000': () => `FROM alpine AS s0\n${Array.from({ length: 40_000 }, (_, i) => `FROM s${i} AS s${i + 1}`).join('\n')}\n`,
  'stages-each-with-env': () => fill(CAP, 'FROM alpine AS s0\n', (i) => `FROM s${i} AS s${i + 1}\nENV E${i}=\$E${Math.max(0, i - 1)}\n`),
  // Each stage built on twice, or a FROM that substitutes: every stage keeps its ENV as it ended.
  'stages-each-built-on-twice': () => fill(CAP, 'FROM alpine AS s0\n', (i) => `FROM s${i} AS a${i}\nFROM s${i} AS s${i + 1}\nENV E${i}=\$E${Math.max(0, i - 1)}\n`),
  'stages-and-a-substituted-from': () => fill(CAP, 'ARG FIRST=s0\nFROM alpine AS s0\nFROM \${FIRST} AS first\n', (i) => `FROM s${i} AS s${i + 1}\nENV E${i}=x\n`),
  'long-line': () => `FROM alpine\nRUN ${'x'.repeat(CAP - 20)}\n`,
  'many-words': () => fill(CAP, 'FROM alpine\nRUN', () => ' x'),
  'many-flags': () => fill(CAP, 'FROM alpine\nCOPY', () => ' --chown=1', ' /a /b\n'),
  'many-copies': () => fill(CAP, 'FROM alpine\n', (i) => `COPY --from=registry.example/i:${i} /a /b\n`),
  'nesting-at-the-limit': () => `ARG A\nFROM alpine:\${A:-${'${A:-'.repeat(15)}x${'}'.repeat(16)}\n`,
  'nesting-too-deep': () => `ARG A\nFROM alpine:\${A:-${'${A:-'.repeat(40)}x${'}'.repeat(41)}\n`,
  // The work bound: each line doubles a value.
  'doubling-values': () => `FROM alpine\nENV A=${aTimes(64)}\n${'ENV A=$A$A\n'.repeat(40)}COPY --from=$A / /\n`,
};

/** What a named case must come to: analyzed, or refused with a DockerfileError whose message matches. */
export const NAMED_OUTCOMES: Record<string, { analyzed: true; refs?: string[] } | { refused: RegExp }> = {
  'backtracking-34': { analyzed: true, refs: [`docker.io/library/alpine:x${aTimes(34)}`] },
  'backtracking-40': { analyzed: true, refs: [`docker.io/library/alpine:x${aTimes(40)}`] },
  'backtracking-every-operator': { analyzed: true },
  'backtracking-megabyte-value': { analyzed: true },
  'partial-matches-megabyte': { analyzed: true },
  'args-20000': { analyzed: true, refs: ['docker.io/library/alpine:value-19999'] },
  'args-in-stage-chained': { analyzed: true },
  'stages-40000': { analyzed: true, refs: ['docker.io/library/alpine:latest'] },
  'stages-each-with-env': { analyzed: true },
  'stages-each-built-on-twice': { analyzed: true, refs: ['docker.io/library/alpine:latest'] },
  'stages-and-a-substituted-from': { analyzed: true, refs: ['docker.io/library/alpine:latest'] },
  'long-line': { analyzed: true },
  'many-words': { analyzed: true },
  'many-flags': { analyzed: true },
  'many-copies': { analyzed: true },
  'nesting-at-the-limit': { analyzed: true, refs: ['docker.io/library/alpine:x'] },
  'nesting-too-deep': { refused: /nested deeper than 16 levels/ },
  'doubling-values': { refused: /variable substitution up to here needs more than \d+ characters of work/ },
};

type Kind = (random: () => number, bytes: number) => string;

const word = (random: () => number, alphabet: string, max: number) => {
  let out = '';
  const n = 1 + Math.floor(random() * max);
  for (let i = 0; i < n; i++) out += alphabet[Math.floor(random() * alphabet.length)];
  return out;
};

/** Shell patterns built to make a backtracking matcher explode: many stars, near-misses, `?` runs. */
function hostilePattern(random: () => number): string {
  const shape = Math.floor(random() * 4);
  if (shape === 0) return starPattern(1 + Math.floor(random() * 60));
  if (shape === 1) return `${'?'.repeat(1 + Math.floor(random() * 200))}b*`;
  if (shape === 2) return `*${aTimes(1 + Math.floor(random() * 5000))}b*`;
  return `${'a*'.repeat(1 + Math.floor(random() * 30))}${word(random, 'ab?*', 20)}`;
}

const KINDS: Record<string, Kind> = {
  backtracking: (random, bytes) => {
    const value = aTimes(Math.max(1, Math.floor(bytes / 2)));
    const op = pick(random, ['#', '##', '%', '%%', '/', '//']);
    const use = op.startsWith('/') ? `\${V${op}${hostilePattern(random).replace(/\//g, '')}/r}` : `\${V${op}${hostilePattern(random)}}`;
    return fill(bytes, `ARG V=${value}\nFROM alpine\n`, () => `ENV W=${use}\n`);
  },
  'arg-count': (random, bytes) => {
    const global = random() < 0.5;
    const body = fill(bytes - 40, global ? '' : 'FROM alpine\n', (i) => (random() < 0.3 ? `ARG A${i}=\${A${Math.max(0, i - 1)}}-${i}\n` : `ARG A${i}=v${i}\n`));
    return global ? `${body}FROM alpine:\${A0}\n` : body;
  },
  'many-stages': (random, bytes) => {
    const star = random() < 0.3;
    return fill(bytes, 'FROM alpine AS s0\n', (i) => `FROM s${star ? 0 : i} AS s${i + 1}\n${random() < 0.5 ? `ENV E${i}=\${E${Math.max(0, i - 1)}:-x}\n` : ''}`);
  },
  'long-lines': (random, bytes) => {
    const shape = pick(random, ['RUN ', 'ENV A=', 'LABEL a=', 'COPY --from=', 'RUN --mount=type=cache,']);
    const unit = pick(random, ['x', 'x ', '\\\n ', '$A', '"a b" ', ',from=a', '--a ']);
    return fill(bytes, `FROM alpine\n${shape}`, () => unit, '\n');
  },
  'deep-nesting': (random, bytes) => {
    const depth = 1 + Math.floor(random() * 40);
    const nested = `${'${A:-'.repeat(depth)}x${'}'.repeat(depth)}`;
    return fill(bytes, 'FROM alpine\nARG A\n', () => `ENV B${random() < 0.5 ? '' : '="'}=${nested}\n`);
  },
  'values-from-values': (random, bytes) => {
    const copies = 2 + Math.floor(random() * 4);
    return fill(bytes, `FROM alpine\nENV A=${word(random, 'ab', 64)}\n`, () => `ENV A=${'$A'.repeat(copies)}\n`);
  },
  'heredocs-and-continuations': (random, bytes) =>
    fill(bytes, 'FROM alpine\n', () => pick(random, ['RUN <<EOF\nline\nEOF\n', 'RUN a \\\n  # c\n  b\n', 'COPY <<-"E" /x\n\tE\n', 'ONBUILD RUN <<X\nX\n', 'RUN \\\n\\\n\\\n x\n'])),
};

export const KIND_NAMES = Object.keys(KINDS);

/** Case `index` of the generator for `seed`: a kind, and a size log-uniform from 1 KiB to the cap. */
export function generatedCase(seed: number, index: number): HostileDockerfile {
  const random = seeded(seed * 100_003 + index);
  const kind = pick(random, KIND_NAMES);
  const bytes = Math.floor(1024 * Math.pow(CAP / 1024, random()));
  return { name: `${kind}#${index} (seed ${seed}, ~${bytes} bytes)`, text: KINDS[kind](random, bytes) };
}
