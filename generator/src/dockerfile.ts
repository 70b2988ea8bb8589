// Which external images a Dockerfile builds on, read the way Docker (BuildKit) reads it: FROM,
// COPY --from and RUN --mount=from=, with ARG/ENV substitution, stage names and build args.
// dockerfile-ast splits the text into instructions (continuations, heredocs, the escape directive);
// substitution, scoping and stage resolution are done here, because they decide what is external.
import { DockerfileParser, Env, ModifiableInstruction } from 'dockerfile-ast';
import type { Flag, Instruction } from 'dockerfile-ast';
import { ImageRefError, isScratch, parseImageRef } from './image-ref';
import type { AnalysisWarning, BaseImage, CopiedImage, DockerfileAnalysis, ImageRef } from './types';

/** Invalid input: the message says what is wrong; line and col (1-based) say where. */
export class DockerfileError extends Error {
  readonly line: number;
  readonly col: number;

  constructor(message: string, line: number, col: number) {
    super(message);
    this.name = 'DockerfileError';
    this.line = line;
    this.col = col;
  }
}

/** Real Dockerfiles are a few kilobytes; anything this large is not one, and would only cost time. */
export const MAX_DOCKERFILE_BYTES = 1024 * 1024;
/** Deeper `${A:-${B:-...}}` nesting than this is not a real Dockerfile either. */
const MAX_NESTING = 16;

const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** Set by the builder for every build, usable in FROM without an ARG; their values depend on the builder. */
const PLATFORM_ARGS = new Set([
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
]);

/** BuildKit's rule for `AS <name>`, applied after lower-casing. */
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** What a name means where it is used: a value, declared without one, or set by the builder. */
type Binding =
  | { kind: 'value'; value: string }
  | { kind: 'unset' }
  | { kind: 'platform' }
  /** Has a value at build time that depends on names whose values are not known here. */
  | { kind: 'unknown'; dependsOn: string[] };
type Scope = ReadonlyMap<string, Binding>;

interface Expansion {
  value: string;
  /** Names whose value was needed and is not known; empty when `value` is what Docker would use. */
  unresolved: string[];
}

interface Position {
  line: number;
  col: number;
}

function positionOf(range: { start: { line: number; character: number } }): Position {
  return { line: range.start.line + 1, col: range.start.character + 1 };
}

/** Turns a shell glob (`*`, `?`, `[...]` kept simple) into an anchored-nowhere regex source. */
function globSource(pattern: string): string {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[\\s\\S]*';
    else if (ch === '?') source += '[\\s\\S]';
    else source += ch.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
  }
  return source;
}

function shortest(candidates: string[]): string {
  return candidates.reduce((a, b) => (b.length < a.length ? b : a));
}

function longest(candidates: string[]): string {
  return candidates.reduce((a, b) => (b.length > a.length ? b : a));
}

/** `${VAR#pat}`, `${VAR%pat}` and their greedy forms, as BuildKit's lexer defines them. */
function trimByPattern(value: string, op: string, pattern: string): string {
  const re = new RegExp(`^(?:${globSource(pattern)})$`);
  const matches: string[] = [];
  if (op.startsWith('#')) {
    for (let i = 0; i <= value.length; i++) if (re.test(value.slice(0, i))) matches.push(value.slice(i));
  } else {
    for (let i = 0; i <= value.length; i++) if (re.test(value.slice(i))) matches.push(value.slice(0, i));
  }
  if (matches.length === 0) return value;
  // The shortest match removed leaves the longest remainder.
  return op.length === 1 ? longest(matches) : shortest(matches);
}

function replaceByPattern(value: string, all: boolean, pattern: string, replacement: string): string {
  if (pattern === '') return value;
  const re = new RegExp(globSource(pattern), all ? 'g' : '');
  return value.replace(re, () => replacement);
}

/**
 * A Dockerfile word as BuildKit's shell lexer reads it: quotes removed, the escape character applied,
 * `$VAR`, `${VAR}` and the `${VAR<op>word}` forms substituted from the scope.
 */
class WordExpander {
  private unresolved: string[] = [];

  constructor(
    private readonly scope: Scope,
    private readonly escape: string,
    private readonly where: Position,
    /** Keep `$NAME` as written for names the builder sets (for --platform). */
    private readonly keepPlatformArgs = false,
  ) {}

  expand(word: string): Expansion {
    this.unresolved = [];
    const value = this.expandRange(word, 0, word.length, 0, false);
    return { value, unresolved: [...new Set(this.unresolved)] };
  }

  private error(message: string): never {
    throw new DockerfileError(message, this.where.line, this.where.col);
  }

  /** Expands word[from, to); inside double quotes only `$` and the escape character are special. */
  private expandRange(word: string, from: number, to: number, depth: number, inDouble: boolean): string {
    if (depth > MAX_NESTING) this.error(`variable substitutions nested deeper than ${MAX_NESTING} levels`);
    let out = '';
    let i = from;
    while (i < to) {
      const ch = word[i];
      if (ch === this.escape && !inDouble) {
        if (i + 1 < to) out += word[i + 1];
        i += 2;
      } else if (ch === "'" && !inDouble) {
        const end = word.indexOf("'", i + 1);
        if (end < 0 || end >= to) this.error('a single quote is not closed');
        out += word.slice(i + 1, end);
        i = end + 1;
      } else if (ch === '"' && !inDouble) {
        const end = this.closingDoubleQuote(word, i + 1, to);
        out += this.expandRange(word, i + 1, end, depth + 1, true);
        i = end + 1;
      } else if (ch === this.escape && inDouble) {
        const next = word[i + 1];
        if (next === '"' || next === '$' || next === this.escape) {
          out += next;
          i += 2;
        } else {
          out += ch;
          i += 1;
        }
      } else if (ch === '$') {
        const [text, end] = this.variable(word, i, to, depth);
        out += text;
        i = end;
      } else {
        out += ch;
        i += 1;
      }
    }
    return out;
  }

  private closingDoubleQuote(word: string, from: number, to: number): number {
    for (let i = from; i < to; i++) {
      if (word[i] === this.escape) i++;
      else if (word[i] === '"') return i;
    }
    return this.error('a double quote is not closed');
  }

  /** The index of the `}` closing a `${` whose body starts at `from`, across nested `${...}`. */
  private closingBrace(word: string, from: number, to: number): number {
    let depth = 0;
    for (let i = from; i < to; i++) {
      if (word[i] === this.escape) i++;
      else if (word[i] === '$' && word[i + 1] === '{') {
        depth++;
        i++;
      } else if (word[i] === '}') {
        if (depth === 0) return i;
        depth--;
      }
    }
    return this.error('a "${" is not closed by "}"');
  }

  private lookup(name: string, written: string): string | undefined {
    const binding = this.scope.get(name);
    if (binding?.kind === 'value') return binding.value;
    if (binding?.kind === 'platform' && this.keepPlatformArgs) return written;
    if (binding?.kind === 'unknown') this.unresolved.push(...binding.dependsOn);
    else this.unresolved.push(name);
    return undefined;
  }

  private isSet(name: string): boolean {
    return this.scope.get(name)?.kind === 'value';
  }

  private valueOf(name: string): string {
    const binding = this.scope.get(name);
    return binding?.kind === 'value' ? binding.value : '';
  }

  /** Reads `$NAME` or `${...}` at word[at]; returns the substituted text and where reading stopped. */
  private variable(word: string, at: number, to: number, depth: number): [string, number] {
    if (word[at + 1] !== '{') {
      const match = VARIABLE_NAME.exec(word.slice(at + 1, to));
      if (!match) return ['$', at + 1];
      const name = match[0];
      const end = at + 1 + name.length;
      return [this.lookup(name, word.slice(at, end)) ?? '', end];
    }
    const close = this.closingBrace(word, at + 2, to);
    const body = word.slice(at + 2, close);
    const match = VARIABLE_NAME.exec(body);
    if (!match) this.error(`"\${${body}}" is not a valid variable substitution`);
    const name = match[0];
    const rest = body.slice(name.length);
    const written = word.slice(at, close + 1);
    const wordStart = at + 2 + name.length;
    const operand = (skip: number): string => this.expandRange(word, wordStart + skip, close, depth + 1, false);
    if (rest === '') return [this.lookup(name, written) ?? '', close + 1];

    const set = this.isSet(name);
    const nonEmpty = set && this.valueOf(name) !== '';
    // A name whose build-time value we do not know decides every form: the result is unknown too.
    const binding = this.scope.get(name);
    if (binding?.kind === 'platform' || binding?.kind === 'unknown') {
      if (binding.kind === 'platform' && this.keepPlatformArgs) return [written, close + 1];
      this.unresolved.push(...(binding.kind === 'unknown' ? binding.dependsOn : [name]));
      return ['', close + 1];
    }
    if (rest.startsWith(':-')) return [nonEmpty ? this.valueOf(name) : operand(2), close + 1];
    if (rest.startsWith(':+')) return [nonEmpty ? operand(2) : '', close + 1];
    if (rest.startsWith(':?') || rest.startsWith('?')) {
      const ok = rest.startsWith(':?') ? nonEmpty : set;
      if (!ok) this.unresolved.push(name);
      return [this.valueOf(name), close + 1];
    }
    if (rest.startsWith('-')) return [set ? this.valueOf(name) : operand(1), close + 1];
    if (rest.startsWith('+')) return [set ? operand(1) : '', close + 1];
    for (const op of ['##', '#', '%%', '%']) {
      if (rest.startsWith(op)) {
        const value = this.lookup(name, written);
        if (value === undefined) return ['', close + 1];
        return [trimByPattern(value, op, operand(op.length)), close + 1];
      }
    }
    if (rest.startsWith('/')) {
      const value = this.lookup(name, written);
      const all = rest.startsWith('//');
      const spec = body.slice(name.length + (all ? 2 : 1));
      const slash = spec.indexOf('/');
      const pattern = slash < 0 ? spec : spec.slice(0, slash);
      const replacement = slash < 0 ? '' : spec.slice(slash + 1);
      if (value === undefined) return ['', close + 1];
      return [replaceByPattern(value, all, pattern, replacement), close + 1];
    }
    return this.error(`"${written}" uses an operator Docker does not support (use :-, -, :+, +, :?, ?, #, ##, %, %%, / or //)`);
  }
}

/** Splits ARG/ENV arguments into words the way BuildKit does: on white space outside quotes. */
function splitWords(content: string, escape: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote = '';
  for (let i = 0; i < content.length; i++) {
    const ch = content[i];
    if (ch === escape && quote !== "'" && i + 1 < content.length) {
      current += ch + content[i + 1];
      i++;
    } else if (quote !== '') {
      current += ch;
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      current += ch;
    } else if (/\s/.test(ch)) {
      if (current !== '') words.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  if (current !== '') words.push(current);
  return words;
}

interface Stage {
  /** Lower-cased `AS` name; undefined without one. */
  name?: string;
  index: number;
  /** ENV at the end of the stage, inherited by a later `FROM <this stage>`. */
  env: Map<string, Binding>;
}

interface StageScope {
  args: Map<string, Binding>;
  env: Map<string, Binding>;
}

function bindingOf(expansion: Expansion): Binding {
  return expansion.unresolved.length === 0 ? { kind: 'value', value: expansion.value } : { kind: 'unknown', dependsOn: expansion.unresolved };
}

function mergedScope(stage: StageScope): Scope {
  // ENV always wins over an ARG of the same name.
  return new Map([...stage.args, ...stage.env]);
}

function describeUnresolved(names: string[], what: string, scopeHint: string): string {
  const list = names.join(', ');
  const platform = names.filter((n) => PLATFORM_ARGS.has(n));
  if (platform.length === names.length) {
    return `${what} depends on ${list}, which the builder sets per platform; the image cannot be known here`;
  }
  return (
    `${what} uses ${list} with no value (${scopeHint}); give it a default (ARG ${names[0]}=<value>) ` +
    `or a build arg (--build-arg ${names[0]}=<value>) so the image is known`
  );
}

function asImage(text: string, written: string, where: Position, what: string): ImageRef {
  try {
    return parseImageRef(text);
  } catch (e) {
    if (!(e instanceof ImageRefError)) throw e;
    const via = text === written ? '' : ` (from ${JSON.stringify(written)})`;
    throw new DockerfileError(`${what}${via}: ${e.message}`, where.line, where.col);
  }
}

function flagsOf(instruction: Instruction): Flag[] {
  return instruction instanceof ModifiableInstruction ? instruction.getFlags() : [];
}

/**
 * Every external image a Dockerfile uses: FROM bases (not earlier stages, not scratch) and images named
 * by COPY --from or RUN --mount=...,from=. Build args override declared ARGs only. References that
 * depend on a value not known here are warnings, never guesses. Throws DockerfileError (only) for
 * input Docker would refuse or that is not a Dockerfile.
 */
export function baseImagesOf(dockerfileText: string, buildArgs: Record<string, string> = {}): DockerfileAnalysis {
  try {
    return analyse(dockerfileText, buildArgs);
  } catch (e) {
    if (e instanceof DockerfileError) throw e;
    // The parser library failing on strange input is still strange input, not a crash of ours.
    const reason = e instanceof Error ? e.message : String(e);
    throw new DockerfileError(`cannot be read as a Dockerfile (${reason})`, 1, 1);
  }
}

function analyse(dockerfileText: string, buildArgs: Record<string, string>): DockerfileAnalysis {
  if (Buffer.byteLength(dockerfileText, 'utf8') > MAX_DOCKERFILE_BYTES) {
    throw new DockerfileError(`not a Dockerfile: larger than ${MAX_DOCKERFILE_BYTES} bytes`, 1, 1);
  }
  const text = dockerfileText.startsWith('\ufeff') ? dockerfileText.slice(1) : dockerfileText;
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul).split('\n');
    throw new DockerfileError('not a Dockerfile: it contains NUL bytes (binary data)', before.length, before[before.length - 1].length + 1);
  }

  const dockerfile = DockerfileParser.parse(text);
  for (const directive of dockerfile.getDirectives()) {
    if (directive.getName().toLowerCase() === 'escape' && !['\\', '`'].includes(directive.getValue())) {
      const at = positionOf(directive.getValueRange());
      throw new DockerfileError(`the escape directive takes \\ or \` (backtick), not ${JSON.stringify(directive.getValue())}`, at.line, at.col);
    }
  }
  const escape = dockerfile.getEscapeCharacter();
  const instructions = dockerfile.getInstructions();

  const bases: BaseImage[] = [];
  const copies: CopiedImage[] = [];
  const warnings: AnalysisWarning[] = [];
  const warn = (where: Position, message: string): void => {
    warnings.push({ line: where.line, col: where.col, message });
  };

  // Names usable in FROM: the builder's platform args, then global ARGs in order.
  const global = new Map<string, Binding>();
  for (const name of PLATFORM_ARGS) global.set(name, buildArgs[name] !== undefined ? { kind: 'value', value: buildArgs[name] } : { kind: 'platform' });

  const stages: Stage[] = [];
  let current: StageScope | undefined;

  // All stage names, so that COPY --from can name a stage defined after it (BuildKit resolves it).
  const allStageNames = new Set<string>();

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    const at = positionOf(instruction.getInstructionRange());
    if (!INSTRUCTIONS.has(keyword)) {
      const shown = instruction.getInstruction().slice(0, 40);
      throw new DockerfileError(`not a Dockerfile: ${JSON.stringify(shown)} is not a Dockerfile instruction`, at.line, at.col);
    }
    if (keyword === 'FROM') {
      const args = instruction.getArguments();
      if (args.length === 3 && args[1].getValue().toLowerCase() === 'as') allStageNames.add(args[2].getValue().toLowerCase());
    }
  }

  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    const at = positionOf(instruction.getInstructionRange());

    if (current === undefined && keyword !== 'ARG' && keyword !== 'FROM') {
      throw new DockerfileError(
        `${keyword} before the first FROM: only ARG instructions, comments and parser directives may come before FROM`,
        at.line,
        at.col,
      );
    }

    switch (keyword) {
      case 'ARG': {
        const scope = current === undefined ? global : current.args;
        const lookupScope: Scope = current === undefined ? global : mergedScope(current);
        for (const [name, rawValue] of propertiesOf(instruction, escape, at)) {
          if (buildArgs[name] !== undefined) {
            scope.set(name, { kind: 'value', value: buildArgs[name] });
          } else if (rawValue !== undefined) {
            const expansion = new WordExpander(lookupScope, escape, at).expand(rawValue);
            scope.set(name, bindingOf(expansion));
          } else if (current !== undefined && global.get(name)?.kind === 'value') {
            // `ARG NAME` inside a stage brings in the global default.
            scope.set(name, global.get(name) as Binding);
          } else if (current !== undefined && PLATFORM_ARGS.has(name)) {
            scope.set(name, global.get(name) as Binding);
          } else {
            scope.set(name, { kind: 'unset' });
          }
        }
        break;
      }
      case 'ENV': {
        const stage = current as StageScope;
        for (const [name, rawValue] of propertiesOf(instruction, escape, at)) {
          const expansion = new WordExpander(mergedScope(stage), escape, at).expand(rawValue ?? '');
          stage.env.set(name, bindingOf(expansion));
        }
        break;
      }
      case 'FROM': {
        if (current !== undefined) stages[stages.length - 1].env = current.env;
        current = fromInstruction(instruction, at);
        break;
      }
      case 'COPY':
      case 'ADD': {
        for (const flag of flagsOf(instruction)) {
          if (flag.getName().toLowerCase() !== 'from') continue;
          const where = positionOf(flag.getRange());
          if (keyword === 'ADD') {
            throw new DockerfileError('ADD has no --from flag (Docker rejects it); use COPY --from=<stage or image>', where.line, where.col);
          }
          const value = flag.getValue();
          if (value === null || value === '') throw new DockerfileError('COPY --from needs a stage name, stage index or image', where.line, where.col);
          fromReference(value, where, 'copy', current as StageScope, at.line);
        }
        break;
      }
      case 'RUN': {
        for (const flag of flagsOf(instruction)) {
          if (flag.getName().toLowerCase() !== 'mount') continue;
          for (const option of flag.getOptions()) {
            if (option.getName().toLowerCase() !== 'from') continue;
            const where = positionOf(option.getRange());
            const value = option.getValue();
            if (value === null || value === '') throw new DockerfileError('RUN --mount from= needs a stage name, stage index or image', where.line, where.col);
            fromReference(value, where, 'mount', current as StageScope, at.line);
          }
        }
        break;
      }
      default:
        // ONBUILD triggers run in builds of images built on this one, not in this build.
        break;
    }
  }

  if (stages.length === 0) {
    throw new DockerfileError('no FROM instruction: a Dockerfile starts its first stage with FROM <image>', 1, 1);
  }
  return { bases, copies, warnings };

  function fromInstruction(instruction: Instruction, at: Position): StageScope {
    const args = instruction.getArguments();
    for (const flag of flagsOf(instruction)) {
      if (flag.getName().toLowerCase() !== 'platform') {
        const where = positionOf(flag.getRange());
        throw new DockerfileError(`FROM has no --${flag.getName()} flag (only --platform)`, where.line, where.col);
      }
    }
    if (!(args.length === 1 || (args.length === 3 && args[1].getValue().toLowerCase() === 'as'))) {
      const where = args.length > 0 ? positionOf(args[0].getRange()) : at;
      throw new DockerfileError('FROM takes an image and an optional "AS <name>": FROM <image> [AS <name>]', where.line, where.col);
    }
    const where = positionOf(args[0].getRange());
    let name: string | undefined;
    if (args.length === 3) {
      name = args[2].getValue().toLowerCase();
      const nameAt = positionOf(args[2].getRange());
      if (!STAGE_NAME.test(name)) {
        throw new DockerfileError(
          `invalid stage name ${JSON.stringify(args[2].getValue())}: it must start with a letter and use only letters, digits, '-', '_' and '.'`,
          nameAt.line,
          nameAt.col,
        );
      }
      if (stages.some((s) => s.name === name)) {
        throw new DockerfileError(`duplicate stage name ${JSON.stringify(name)}: each AS name must be unique`, nameAt.line, nameAt.col);
      }
    }

    let platform: string | undefined;
    const platformFlag = flagsOf(instruction).find((f) => f.getName().toLowerCase() === 'platform');
    if (platformFlag) {
      const flagAt = positionOf(platformFlag.getRange());
      if (!platformFlag.getValue()) throw new DockerfileError('FROM --platform needs a value, e.g. --platform=linux/amd64', flagAt.line, flagAt.col);
      const expansion = new WordExpander(global, escape, flagAt, true).expand(platformFlag.getValue() ?? '');
      if (expansion.unresolved.length > 0) {
        warn(flagAt, describeUnresolved(expansion.unresolved, `FROM --platform=${platformFlag.getValue() ?? ''}`, 'no global ARG gives it one'));
        platform = platformFlag.getValue() ?? undefined;
      } else {
        platform = expansion.value;
      }
    }

    const written = args[0].getValue();
    const expansion = new WordExpander(global, escape, where).expand(written);
    const index = stages.length;
    let inheritedEnv = new Map<string, Binding>();

    if (expansion.unresolved.length > 0) {
      warn(where, describeUnresolved(expansion.unresolved, `FROM ${written}`, 'FROM only sees ARGs declared before the first FROM'));
    } else if (expansion.value === '') {
      throw new DockerfileError(`FROM ${written} names no image: it expands to an empty string`, where.line, where.col);
    } else {
      const earlier = stages.find((s) => s.name !== undefined && s.name === expansion.value.toLowerCase());
      if (earlier) {
        inheritedEnv = new Map(earlier.env);
      } else if (!isScratch(expansion.value)) {
        const image = asImage(expansion.value, written, where, `FROM ${written}`);
        const base: BaseImage = { ...image, line: at.line };
        if (name !== undefined) base.stage = name;
        if (platform !== undefined) base.platform = platform;
        bases.push(orderedBase(base));
      }
    }
    stages.push({ name, index, env: new Map() });
    return { args: new Map(), env: inheritedEnv };
  }

  function fromReference(value: string, where: Position, via: 'copy' | 'mount', stage: StageScope, instructionLine: number): void {
    const what = via === 'copy' ? `COPY --from=${value}` : `RUN --mount from=${value}`;
    const expansion = new WordExpander(mergedScope(stage), escape, where).expand(value);
    if (expansion.unresolved.length > 0) {
      warn(where, describeUnresolved(expansion.unresolved, what, 'no ARG or ENV in this stage gives it one'));
      return;
    }
    const target = expansion.value;
    if (target === '') throw new DockerfileError(`${what} names nothing: it expands to an empty string`, where.line, where.col);
    if (/^[0-9]+$/.test(target)) {
      const index = Number(target);
      // The current stage is the last one pushed; only stages before it can be copied from.
      if (index >= stages.length - 1) {
        throw new DockerfileError(
          `${what}: stage index ${index} does not name an earlier stage (stages are numbered from 0; ${stages.length - 1} come before this one)`,
          where.line,
          where.col,
        );
      }
      return;
    }
    if (allStageNames.has(target.toLowerCase()) || isScratch(target)) return;
    const image = asImage(target, value, where, what);
    copies.push({ ...image, line: instructionLine, via });
  }
}

/** Fields in one order (ref parts, then where), so serialised output is stable. */
function orderedBase(base: BaseImage): BaseImage {
  const out = { ref: base.ref, registry: base.registry, repository: base.repository } as BaseImage;
  if (base.tag !== undefined) out.tag = base.tag;
  if (base.digest !== undefined) out.digest = base.digest;
  if (base.stage !== undefined) out.stage = base.stage;
  if (base.platform !== undefined) out.platform = base.platform;
  out.line = base.line;
  return out;
}

/** `NAME=value` pairs of an ARG or ENV (and ENV's old `NAME value` form), values still as written. */
function propertiesOf(instruction: Instruction, escape: string, at: Position): [string, string | undefined][] {
  const content = instruction.getArgumentsContent() ?? '';
  const words = splitWords(content, escape);
  const keyword = instruction.getKeyword();
  if (words.length === 0) throw new DockerfileError(`${keyword} needs at least one name`, at.line, at.col);
  if (instruction instanceof Env && !words[0].includes('=')) {
    // ENV NAME value with spaces
    const name = words[0];
    const value = content.trimStart().slice(name.length).trim();
    if (value === '') throw new DockerfileError(`ENV ${name} needs a value: ENV ${name}=<value>`, at.line, at.col);
    return [[checkName(name, keyword, at), value]];
  }
  const pairs: [string, string | undefined][] = [];
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq < 0) {
      if (instruction instanceof Env) {
        throw new DockerfileError(
          `ENV: ${JSON.stringify(word)} is not NAME=value (in the NAME=value form every word needs "="; a comment must be on a line of its own)`,
          at.line,
          at.col,
        );
      }
      pairs.push([checkName(word, keyword, at), undefined]);
    } else {
      pairs.push([checkName(word.slice(0, eq), keyword, at), word.slice(eq + 1)]);
    }
  }
  return pairs;
}

function checkName(name: string, keyword: string, at: Position): string {
  if (name === '') throw new DockerfileError(`${keyword} has a "=" with no name before it`, at.line, at.col);
  return name;
}
