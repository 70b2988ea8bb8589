// `image-factory bases <Dockerfile>`: what a Dockerfile builds on, as a table or as JSON.
import * as fs from 'node:fs';
import type { Command } from 'commander';
import { DockerfileError, baseImagesOf, isUnresolvedFromWarning } from '../../core/dockerfile';
import { MAX_DOCKERFILE_BYTES } from '../../core/rules';
import { UserError } from '../../core/errors';
import type { DockerfileAnalysis } from '../../core/types';

const BUILD_ARG_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface BasesFlags {
  buildArg: string[];
  json?: boolean;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** `NAME=VALUE` pairs; a later value for a name replaces an earlier one, as with docker build. */
export function parseBuildArgs(pairs: string[]): Record<string, string> {
  const args: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    if (eq < 0) {
      throw new UserError({ subject: '--build-arg', message: `"${name}" has no value: write --build-arg ${name}=<value>` });
    }
    if (!BUILD_ARG_NAME.test(name)) {
      throw new UserError({ subject: '--build-arg', message: `${JSON.stringify(name)} is not an ARG name (letters, digits and _, not starting with a digit)` });
    }
    args[name] = pair.slice(eq + 1);
  }
  return args;
}

/** The Dockerfile's text, or a UserError naming the file: missing, a folder, too large, not UTF-8. */
export function readDockerfile(file: string): string {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UserError({ subject: file, message: 'no such file; give the path of a Dockerfile' });
  }
  if (!stat.isFile()) throw new UserError({ subject: file, message: 'not a file; give the path of a Dockerfile' });
  if (stat.size > MAX_DOCKERFILE_BYTES) {
    throw new UserError({ subject: file, message: `not a Dockerfile: ${stat.size} bytes, more than ${MAX_DOCKERFILE_BYTES}` });
  }
  const bytes = fs.readFileSync(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    // The first replacement character of a lenient decode marks the first byte that is not UTF-8.
    const lenient = new TextDecoder('utf-8').decode(bytes);
    const before = lenient.slice(0, Math.max(lenient.indexOf('\ufffd'), 0)).split('\n');
    throw new UserError({ subject: file, line: before.length, col: before[before.length - 1].length + 1, message: 'not UTF-8 text: save the Dockerfile as UTF-8' });
  }
}

/** The stable JSON shape: every key present, null where a value is absent. */
export function basesJSON(analysis: DockerfileAnalysis): unknown {
  return {
    bases: analysis.bases.map((b) => ({
      ref: b.ref,
      registry: b.registry,
      repository: b.repository,
      tag: b.tag ?? null,
      digest: b.digest ?? null,
      stage: b.stage ?? null,
      platform: b.platform ?? null,
      line: b.line,
    })),
    copies: analysis.copies.map((c) => ({
      ref: c.ref,
      registry: c.registry,
      repository: c.repository,
      tag: c.tag ?? null,
      digest: c.digest ?? null,
      via: c.via,
      line: c.line,
    })),
    warnings: analysis.warnings.map((w) => ({ line: w.line, col: w.col, message: w.message })),
  };
}

export function basesTable(analysis: DockerfileAnalysis): string {
  const rows: string[][] = [['LINE', 'USE', 'IMAGE', 'STAGE', 'PLATFORM']];
  for (const b of analysis.bases) rows.push([String(b.line), 'from', b.ref, b.stage ?? '-', b.platform ?? '-']);
  for (const c of analysis.copies) rows.push([String(c.line), c.via, c.ref, '-', '-']);
  if (rows.length === 1) {
    const unresolved = analysis.warnings.filter((w) => isUnresolvedFromWarning(w.message)).map((w) => w.line);
    if (unresolved.length > 0) {
      return `no external image known: the FROM on line ${unresolved.join(', ')} names its image through an ARG with no value (see the warning); give the ARG a default or pass --build-arg\n`;
    }
    return 'no external images (only scratch or earlier stages)\n';
  }
  rows.splice(1, rows.length - 1, ...rows.slice(1).sort((a, b) => Number(a[0]) - Number(b[0])));
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ').trimEnd()).join('\n') + '\n';
}

export function register(program: Command): void {
  program
    .command('bases')
    .description('list the external images a Dockerfile builds on (FROM, COPY --from, RUN --mount from=)')
    .argument('<Dockerfile>', 'path of the Dockerfile')
    .option('--build-arg <NAME=VALUE>', 'a build arg, as given to docker build (repeatable)', collect, [])
    .option('--json', 'print {bases, copies, warnings} as JSON')
    .action((file: string, flags: BasesFlags) => {
      const buildArgs = parseBuildArgs(flags.buildArg);
      const text = readDockerfile(file);
      let analysis: DockerfileAnalysis;
      try {
        analysis = baseImagesOf(text, buildArgs);
      } catch (e) {
        if (e instanceof DockerfileError) throw new UserError({ subject: file, line: e.line, col: e.col, message: e.message });
        throw e;
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(basesJSON(analysis), null, 2)}\n`);
      } else {
        process.stdout.write(basesTable(analysis));
        for (const w of analysis.warnings) process.stderr.write(`${file}:${w.line}:${w.col}: warning: ${w.message}\n`);
      }
    });
}
