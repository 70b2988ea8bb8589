// Which external images a Dockerfile builds on, read the way Docker (BuildKit) reads it: FROM,
// COPY --from and RUN --mount=from=, with ARG/ENV substitution, stage names and build args.
// dockerfile-syntax.ts splits the text into instructions (continuations, heredocs, the escape
// directive); substitution, scoping and stage resolution are done here, because they decide what is
// external. Everything runs in time linear in the text: scopes are looked up, never copied, stages
// are found by name in a map, patterns are matched without backtracking (glob-match.ts), and the
// work substitution may do in a whole Dockerfile is bounded (MAX_SUBSTITUTION_WORK).
import { argumentsText, flagOptions, flagsIn, leadingFlags, LineIndex, readDockerfileSyntax } from './dockerfile-syntax';
import type { DockerfileSyntax, Flag, Instruction, Position, Word } from './dockerfile-syntax';
import { replaceMatches, trimPrefix, trimSuffix } from './glob-match';
import { ImageRefError, isScratch, parseImageRef } from './image-ref';
import { PersistentMap } from './persistent-map';
import type { AnalysisWarning, BaseImage, CopiedImage, DockerfileAnalysis, ImageRef } from './types';
import { MAX_DOCKERFILE_BYTES, nearestKey } from './rules';

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

/** Deeper `${A:-${B:-...}}` nesting than this is not a real Dockerfile either. */
const MAX_NESTING = 16;
/**
 * Units of substitution work (characters produced, characters scanned by pattern matching, names
 * recorded as unresolved) one Dockerfile may cost. Real ones use a few thousand; without a bound,
 * `ARG B=$A$A` repeated doubles a value per line, and one long value matched many times is
 * quadratic. At this bound an analysis stays well under a second.
 */
export const MAX_SUBSTITUTION_WORK = 32 * 1024 * 1024;

const INSTRUCTIONS = new Set([
  'ADD', 'ARG', 'CMD', 'COPY', 'ENTRYPOINT', 'ENV', 'EXPOSE', 'FROM', 'HEALTHCHECK', 'LABEL',
  'MAINTAINER', 'ONBUILD', 'RUN', 'SHELL', 'STOPSIGNAL', 'USER', 'VOLUME', 'WORKDIR',
]);

/** Set by the builder for every build, usable in FROM without an ARG; their values depend on the builder. */
const PLATFORM_ARGS = new Set([
  'BUILDPLATFORM', 'BUILDOS', 'BUILDARCH', 'BUILDVARIANT',
  'TARGETPLATFORM', 'TARGETOS', 'TARGETARCH', 'TARGETVARIANT',
]);

/** Docker's predefined proxy args: a build may pass them without any ARG declaring them. */
const PREDEFINED_ARGS = new Set(['HTTP_PROXY', 'HTTPS_PROXY', 'FTP_PROXY', 'NO_PROXY', 'ALL_PROXY'].flatMap((n) => [n, n.toLowerCase()]));

/** BuildKit's rule for `AS <name>`, applied after lower-casing. */
const STAGE_NAME = /^[a-z][a-z0-9-_.]*$/;
const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
/** The same, read at lastIndex of a longer word. */
const VARIABLE_NAME_AT = /[A-Za-z_][A-Za-z0-9_]*/y;

/** What a name means where it is used: a value, declared without one, or set by the builder. */
type Binding =
  | { kind: 'value'; value: string }
  | { kind: 'unset' }
  | { kind: 'platform' }
  /** Has a value at build time that depends on names whose values are not known here. */
  | { kind: 'unknown'; dependsOn: string[] };
/** Where names are looked up: read only, and never copied (a view over the maps that hold them). */
interface Scope {
  get(name: string): Binding | undefined;
}

interface Expansion {
  value: string;
  /** Names whose value was needed and is not known; empty when `value` is what Docker would use. */
  unresolved: string[];
}

/** Counts the substitution work of one Dockerfile and stops it, positioned, at MAX_SUBSTITUTION_WORK. */
class WorkBudget {
  private spent = 0;

  charge(units: number, where: Position): void {
    this.spent += units;
    if (this.spent > MAX_SUBSTITUTION_WORK) {
      throw new DockerfileError(
        `variable substitution up to here needs more than ${MAX_SUBSTITUTION_WORK} characters of work (values built from values, or long values matched again and again); no buildable Dockerfile needs this much, so it is refused`,
        where.line,
        where.col,
      );
    }
  }
}

/** `${VAR#pat}`, `${VAR%pat}` and their greedy forms, as BuildKit's lexer defines them. */
function trimByPattern(value: string, op: string, pattern: string, charge: (units: number) => void): string {
  return op.startsWith('#') ? trimPrefix(value, pattern, op.length === 2, charge) : trimSuffix(value, pattern, op.length === 2, charge);
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
    private readonly budget: WorkBudget,
    /** Keep `$NAME` as written for names the builder sets (for --platform). */
    private readonly keepPlatformArgs = false,
  ) {}

  private readonly charge = (units: number): void => this.budget.charge(units, this.where);

  expand(word: string): Expansion {
    this.unresolved = [];
    const value = this.expandRange(word, 0, word.length, 0, false);
    return { value, unresolved: this.unresolved.length === 0 ? this.unresolved : [...new Set(this.unresolved)] };
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
        this.charge(text.length);
        out += text;
        i = end;
      } else {
        // A run of plain characters, taken as one slice.
        let j = i + 1;
        while (j < to && !this.isSpecial(word[j], inDouble)) j++;
        out += word.slice(i, j);
        i = j;
      }
    }
    return out;
  }

  private isSpecial(ch: string, inDouble: boolean): boolean {
    return ch === '$' || ch === this.escape || (!inDouble && (ch === "'" || ch === '"'));
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
    if (binding?.kind === 'unknown') this.dependsOn(binding.dependsOn);
    else this.unresolved.push(name);
    return undefined;
  }

  /** Records names an unknown value depends on (a loop: a spread of a huge list overflows the stack). */
  private dependsOn(names: readonly string[]): void {
    this.charge(names.length);
    for (const name of names) this.unresolved.push(name);
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
      VARIABLE_NAME_AT.lastIndex = at + 1;
      const match = at + 1 < to ? VARIABLE_NAME_AT.exec(word) : null;
      if (!match) return ['$', at + 1];
      const name = match[0].length > to - at - 1 ? match[0].slice(0, to - at - 1) : match[0];
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
      this.dependsOn(binding.kind === 'unknown' ? binding.dependsOn : [name]);
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
        return [trimByPattern(value, op, operand(op.length), this.charge), close + 1];
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
      return [replaceMatches(value, pattern, replacement, all, this.charge), close + 1];
    }
    return this.error(`"${written}" uses an operator Docker does not support (use :-, -, :+, +, :?, ?, #, ##, %, %%, / or //)`);
  }
}

/** Splits ARG/ENV arguments into words the way BuildKit does: on white space outside quotes (each word kept as written). */
function splitWords(content: string, escape: string): string[] {
  const words: string[] = [];
  let start = 0;
  let quote = '';
  for (let i = 0; i < content.length; i++) {
    const ch = content[i];
    if (ch === escape && quote !== "'" && i + 1 < content.length) {
      i++;
    } else if (quote !== '') {
      if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") {
      quote = ch;
    } else if (/\s/.test(ch)) {
      if (i > start) words.push(content.slice(start, i));
      start = i + 1;
    }
  }
  if (content.length > start) words.push(content.slice(start));
  return words;
}

interface Stage {
  /** Lower-cased `AS` name; undefined without one. */
  name?: string;
  index: number;
  /** Its scope while it is read; a later `FROM <this stage>` inherits the ENV it ends with. */
  scope: StageScope;
}

/**
 * The names of one stage: its ARGs, and its ENV (what it set itself over what it inherited from the
 * stage it is built FROM); ENV always wins over an ARG of the same name. Maps are made on first use:
 * a Dockerfile may hold tens of thousands of stages.
 */
class StageScope implements Scope {
  private args?: Map<string, Binding>;
  private ownEnv?: Map<string, Binding>;
  private finalEnv?: PersistentMap<Binding>;
  private movedOut = false;

  constructor(private inheritedEnv?: PersistentMap<Binding>) {}

  /**
   * A stage built FROM `earlier`. When no later FROM can name `earlier` again, its ENV is taken
   * over as it is (no copy, no persistent version): a chain of stages then costs nothing per stage.
   */
  static builtOn(earlier: StageScope, lastUse: boolean): StageScope {
    if (!lastUse) return new StageScope(earlier.env());
    earlier.assertNotMoved();
    const scope = new StageScope(earlier.inheritedEnv);
    scope.ownEnv = earlier.ownEnv;
    earlier.movedOut = true;
    earlier.inheritedEnv = undefined;
    earlier.ownEnv = undefined;
    return scope;
  }

  private assertNotMoved(): void {
    if (this.movedOut) throw new Error('internal: the ENV of a stage was read after a later stage took it over');
  }

  get(name: string): Binding | undefined {
    return this.ownEnv?.get(name) ?? this.inheritedEnv?.get(name) ?? this.args?.get(name);
  }

  setArg(name: string, binding: Binding): void {
    (this.args ??= new Map()).set(name, binding);
  }

  setEnv(name: string, binding: Binding): void {
    (this.ownEnv ??= new Map()).set(name, binding);
    this.finalEnv = undefined;
  }

  /** The whole ENV as one shared map, built once per stage that is inherited from more than once. */
  env(): PersistentMap<Binding> {
    this.assertNotMoved();
    if (this.finalEnv === undefined) {
      let env = this.inheritedEnv ?? PersistentMap.empty<Binding>();
      for (const [name, binding] of this.ownEnv ?? []) env = env.set(name, binding);
      this.finalEnv = env;
      // The stage's own map is in there now; holding both would keep tens of thousands of maps alive.
      this.inheritedEnv = env;
      this.ownEnv = undefined;
    }
    return this.finalEnv;
  }
}

function bindingOf(expansion: Expansion): Binding {
  return expansion.unresolved.length === 0 ? { kind: 'value', value: expansion.value } : { kind: 'unknown', dependsOn: expansion.unresolved };
}

/**
 * Whether a warning says a FROM's image is unknown (an ARG with no value, or a builder platform arg),
 * as describeUnresolved phrases it; an unknown `--platform` alone leaves the image known. State files
 * keep warnings as text, so this reads the text.
 */
export function isUnresolvedFromWarning(message: string): boolean {
  return message.startsWith('FROM ') && !message.startsWith('FROM --platform=');
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

/** The flags and the remaining words of a FROM. */
function flagsAndArgs(syntax: DockerfileSyntax, instruction: Instruction): { flags: Flag[]; args: Word[] } {
  return flagsIn(syntax.text, syntax.escape, instruction.wordEnd, instruction.end);
}

/** The flags of COPY, ADD and RUN (their other words do not matter here). */
function flagsOf(syntax: DockerfileSyntax, instruction: Instruction): Flag[] {
  return leadingFlags(syntax.text, syntax.escape, instruction.wordEnd, instruction.end);
}

/**
 * Every external image a Dockerfile uses: FROM bases (not earlier stages, not scratch) and images named
 * by COPY --from or RUN --mount=...,from=. Build args override declared ARGs only. References that
 * depend on a value not known here are warnings, never guesses. Throws DockerfileError (only) for
 * input Docker would refuse or that is not a Dockerfile.
 */
export function baseImagesOf(dockerfileText: string, buildArgs: Record<string, string> = {}): DockerfileAnalysis {
  try {
    return analyze(dockerfileText, buildArgs);
  } catch (e) {
    if (e instanceof DockerfileError) throw e;
    // Anything else failing on strange input is still strange input, not a crash of ours.
    const reason = e instanceof Error ? e.message : String(e);
    throw new DockerfileError(`cannot be read as a Dockerfile (${reason})`, 1, 1);
  }
}

function analyze(dockerfileText: string, buildArgs: Record<string, string>): DockerfileAnalysis {
  if (Buffer.byteLength(dockerfileText, 'utf8') > MAX_DOCKERFILE_BYTES) {
    throw new DockerfileError(`not a Dockerfile: larger than ${MAX_DOCKERFILE_BYTES} bytes`, 1, 1);
  }
  const text = dockerfileText.startsWith('\ufeff') ? dockerfileText.slice(1) : dockerfileText;
  const nul = text.indexOf('\0');
  if (nul >= 0) {
    const before = text.slice(0, nul).split('\n');
    throw new DockerfileError('not a Dockerfile: it contains NUL bytes (binary data)', before.length, before[before.length - 1].length + 1);
  }
  return new StageWalker(text, buildArgs).walk();
}

/**
 * One pass over a Dockerfile's instructions, stage by stage, with one method per instruction that
 * matters (ARG, ENV, FROM, COPY/ADD --from, RUN --mount from=). It holds what the instructions
 * share: the global ARGs FROM sees, the stages so far and their scopes, and what was found.
 */
class StageWalker {
  private readonly lines: LineIndex;
  private readonly syntax: DockerfileSyntax;
  private readonly budget = new WorkBudget();
  private readonly bases: BaseImage[] = [];
  private readonly copies: CopiedImage[] = [];
  private readonly warnings: AnalysisWarning[] = [];
  /** Names usable in FROM: the builder's platform args, then global ARGs in order. */
  private readonly global = new Map<string, Binding>();
  private readonly stages: Stage[] = [];
  private readonly stagesByName = new Map<string, Stage>();
  /** The stage being read; undefined before the first FROM. */
  private current: StageScope | undefined;
  /** All stage names, so that COPY --from can name a stage defined after it (BuildKit resolves it). */
  private readonly allStageNames = new Set<string>();
  /**
   * How many FROMs name each stage as written (a plain word is its own expansion), so that the last
   * one can take the stage's ENV over; a FROM word that substitution may change turns that off.
   */
  private readonly plainFromTargets = new Map<string, number>();
  private fromTargetsUnknown = false;
  /** Where each ARG is first declared, to tell a build arg that no ARG takes (a typo) from one that is used. */
  private readonly declaredArgs = new Map<string, Position>();

  constructor(
    text: string,
    private readonly buildArgs: Record<string, string>,
  ) {
    this.lines = new LineIndex(text);
    this.syntax = readDockerfileSyntax(text, this.lines);
    for (const name of PLATFORM_ARGS) {
      const given = this.buildArg(name);
      this.global.set(name, given !== undefined ? { kind: 'value', value: given } : { kind: 'platform' });
    }
  }

  walk(): DockerfileAnalysis {
    this.checkDirectives();
    this.findStageNames();
    for (const instruction of this.syntax.instructions) {
      const keyword = instruction.keyword;
      const at = this.positionOf(instruction.start);
      if (this.current === undefined && keyword !== 'ARG' && keyword !== 'FROM') {
        throw new DockerfileError(`${keyword} before the first FROM: only ARG instructions, comments and parser directives may come before FROM`, at.line, at.col);
      }
      switch (keyword) {
        case 'ARG':
          this.onArg(instruction, at);
          break;
        case 'ENV':
          this.onEnv(instruction, at);
          break;
        case 'FROM':
          this.current = this.onFrom(instruction, at);
          break;
        case 'COPY':
        case 'ADD':
          this.onCopyOrAdd(instruction, at);
          break;
        case 'RUN':
          this.onRun(instruction, at);
          break;
        default:
          // ONBUILD triggers run in builds of images built on this one, not in this build.
          break;
      }
    }
    if (this.stages.length === 0) {
      throw new DockerfileError('no FROM instruction: a Dockerfile starts its first stage with FROM <image>', 1, 1);
    }
    this.warnUndeclaredBuildArgs();
    return { bases: this.bases, copies: this.copies, warnings: this.warnings };
  }

  /** A build arg no ARG declares has no effect (Docker ignores it too): most often a misspelt name. */
  private warnUndeclaredBuildArgs(): void {
    const declared = [...this.declaredArgs.keys()];
    for (const name of Object.keys(this.buildArgs).sort()) {
      if (this.declaredArgs.has(name) || PLATFORM_ARGS.has(name) || PREDEFINED_ARGS.has(name)) continue;
      const near = nearestKey(name, declared);
      if (near !== undefined) {
        this.warn(this.declaredArgs.get(near) as Position, `build arg ${name} is given but no ARG declares it, so it has no effect; did you mean ${near} (declared here)? Rename ${name} to ${near} in the build args`);
      } else {
        this.warn({ line: 1, col: 1 }, `build arg ${name} is given but no ARG declares it, so it has no effect; remove it from the build args or declare ARG ${name}`);
      }
    }
  }

  private positionOf(offset: number): Position {
    return this.lines.positionAt(offset);
  }

  /** Own entries only: `ARG toString` must not find Object.prototype.toString. */
  private buildArg(name: string): string | undefined {
    return Object.hasOwn(this.buildArgs, name) ? this.buildArgs[name] : undefined;
  }

  private expander(scope: Scope, where: Position, keepPlatformArgs = false): WordExpander {
    return new WordExpander(scope, this.syntax.escape, where, this.budget, keepPlatformArgs);
  }

  private warn(where: Position, message: string): void {
    this.warnings.push({ line: where.line, col: where.col, message });
  }

  private checkDirectives(): void {
    for (const directive of this.syntax.directives) {
      if (directive.name.toLowerCase() === 'escape' && !['\\', '`'].includes(directive.value)) {
        const at = this.positionOf(directive.valueStart);
        throw new DockerfileError(`the escape directive takes \\ or \` (backtick), not ${JSON.stringify(directive.value)}`, at.line, at.col);
      }
    }
  }

  /** A first pass: every instruction is one Docker knows, and every stage name and FROM target is counted. */
  private findStageNames(): void {
    for (const instruction of this.syntax.instructions) {
      const keyword = instruction.keyword;
      if (!INSTRUCTIONS.has(keyword)) {
        const at = this.positionOf(instruction.start);
        const shown = instruction.written.slice(0, 40);
        throw new DockerfileError(`not a Dockerfile: ${JSON.stringify(shown)} is not a Dockerfile instruction`, at.line, at.col);
      }
      if (keyword !== 'FROM') continue;
      const { args } = flagsAndArgs(this.syntax, instruction);
      if (args.length === 3 && args[1].value.toLowerCase() === 'as') this.allStageNames.add(args[2].value.toLowerCase());
      const target = args[0]?.value ?? '';
      if (/[$'"]/.test(target) || target.includes(this.syntax.escape)) this.fromTargetsUnknown = true;
      else this.plainFromTargets.set(target.toLowerCase(), (this.plainFromTargets.get(target.toLowerCase()) ?? 0) + 1);
    }
  }

  private onArg(instruction: Instruction, at: Position): void {
    const current = this.current;
    const global = this.global;
    // Inside a stage, every value of one ARG line is read with the scope as it was before the line.
    const assigned: [string, Binding][] = [];
    const assign = current === undefined ? (name: string, b: Binding) => global.set(name, b) : (name: string, b: Binding) => assigned.push([name, b]);
    const lookupScope: Scope = current ?? global;
    for (const [name, rawValue] of propertiesOf(this.syntax, this.lines, instruction, at)) {
      if (!this.declaredArgs.has(name)) this.declaredArgs.set(name, at);
      const given = this.buildArg(name);
      if (given !== undefined) {
        assign(name, { kind: 'value', value: given });
      } else if (rawValue !== undefined) {
        assign(name, bindingOf(this.expander(lookupScope, at).expand(rawValue)));
      } else if (current !== undefined && global.get(name)?.kind === 'value') {
        // `ARG NAME` inside a stage brings in the global default.
        assign(name, global.get(name) as Binding);
      } else if (current !== undefined && PLATFORM_ARGS.has(name)) {
        assign(name, global.get(name) as Binding);
      } else {
        assign(name, { kind: 'unset' });
      }
    }
    for (const [name, binding] of assigned) (current as StageScope).setArg(name, binding);
  }

  private onEnv(instruction: Instruction, at: Position): void {
    const stage = this.current as StageScope;
    for (const [name, rawValue] of propertiesOf(this.syntax, this.lines, instruction, at)) {
      stage.setEnv(name, bindingOf(this.expander(stage, at).expand(rawValue ?? '')));
    }
  }

  private onCopyOrAdd(instruction: Instruction, at: Position): void {
    for (const flag of flagsOf(this.syntax, instruction)) {
      if (flag.name.toLowerCase() !== 'from') continue;
      const where = this.positionOf(flag.start);
      if (instruction.keyword === 'ADD') {
        throw new DockerfileError('ADD has no --from flag (Docker rejects it); use COPY --from=<stage or image>', where.line, where.col);
      }
      const value = flag.value;
      if (value === null || value === '') throw new DockerfileError('COPY --from needs a stage name, stage index or image', where.line, where.col);
      this.fromReference(value, where, 'copy', this.current as StageScope, at.line);
    }
  }

  private onRun(instruction: Instruction, at: Position): void {
    for (const flag of flagsOf(this.syntax, instruction)) {
      if (flag.name.toLowerCase() !== 'mount') continue;
      for (const option of flagOptions(flag)) {
        if (option.name.toLowerCase() !== 'from') continue;
        const where = this.positionOf(option.start);
        const value = option.value;
        if (value === null || value === '') throw new DockerfileError('RUN --mount from= needs a stage name, stage index or image', where.line, where.col);
        this.fromReference(value, where, 'mount', this.current as StageScope, at.line);
      }
    }
  }

  /** A FROM: checks its form, records its base (unless it names an earlier stage or scratch), and returns the new stage's scope. */
  private onFrom(instruction: Instruction, at: Position): StageScope {
    const { flags, args } = flagsAndArgs(this.syntax, instruction);
    for (const flag of flags) {
      if (flag.name.toLowerCase() !== 'platform') {
        const where = this.positionOf(flag.start);
        throw new DockerfileError(`FROM has no --${flag.name} flag (only --platform)`, where.line, where.col);
      }
    }
    if (!(args.length === 1 || (args.length === 3 && args[1].value.toLowerCase() === 'as'))) {
      const where = args.length > 0 ? this.positionOf(args[0].start) : at;
      throw new DockerfileError('FROM takes an image and an optional "AS <name>": FROM <image> [AS <name>]', where.line, where.col);
    }
    const where = this.positionOf(args[0].start);
    const name = args.length === 3 ? this.stageNameOf(args[2]) : undefined;
    const platform = this.platformOf(flags.find((f: Flag) => f.name.toLowerCase() === 'platform'));

    const written = args[0].value;
    const expansion = this.expander(this.global, where).expand(written);
    let scope: StageScope | undefined;
    if (expansion.unresolved.length > 0) {
      this.warn(where, describeUnresolved(expansion.unresolved, `FROM ${written}`, 'FROM only sees ARGs declared before the first FROM'));
    } else if (expansion.value === '') {
      throw new DockerfileError(`FROM ${written} names no image: it expands to an empty string`, where.line, where.col);
    } else {
      const target = expansion.value.toLowerCase();
      const earlier = this.stagesByName.get(target);
      if (earlier) {
        const left = (this.plainFromTargets.get(target) ?? 0) - 1;
        this.plainFromTargets.set(target, left);
        scope = StageScope.builtOn(earlier.scope, !this.fromTargetsUnknown && left === 0);
      } else if (!isScratch(expansion.value)) {
        const image = asImage(expansion.value, written, where, `FROM ${written}`);
        const base: BaseImage = { ...image, line: at.line };
        if (name !== undefined) base.stage = name;
        if (platform !== undefined) base.platform = platform;
        this.bases.push(orderedBase(base));
      }
    }
    scope ??= new StageScope();
    const stage: Stage = { name, index: this.stages.length, scope };
    this.stages.push(stage);
    if (name !== undefined) this.stagesByName.set(name, stage);
    return scope;
  }

  /** The lower-cased `AS` name, checked as BuildKit checks it. */
  private stageNameOf(word: Word): string {
    const name = word.value.toLowerCase();
    const nameAt = this.positionOf(word.start);
    if (!STAGE_NAME.test(name)) {
      throw new DockerfileError(`invalid stage name ${JSON.stringify(word.value)}: it must start with a letter and use only letters, digits, '-', '_' and '.'`, nameAt.line, nameAt.col);
    }
    if (this.stagesByName.has(name)) {
      throw new DockerfileError(`duplicate stage name ${JSON.stringify(name)}: each AS name must be unique`, nameAt.line, nameAt.col);
    }
    return name;
  }

  /** FROM --platform's value, expanded with the global ARGs (as written, with a warning, when it cannot be). */
  private platformOf(platformFlag: Flag | undefined): string | undefined {
    if (!platformFlag) return undefined;
    const flagAt = this.positionOf(platformFlag.start);
    if (!platformFlag.value) throw new DockerfileError('FROM --platform needs a value, e.g. --platform=linux/amd64', flagAt.line, flagAt.col);
    const expansion = this.expander(this.global, flagAt, true).expand(platformFlag.value);
    if (expansion.unresolved.length > 0) {
      this.warn(flagAt, describeUnresolved(expansion.unresolved, `FROM --platform=${platformFlag.value}`, 'no global ARG gives it one'));
      return platformFlag.value;
    }
    return expansion.value;
  }

  /** COPY --from or RUN --mount from=: an earlier stage, a stage index, scratch, or an external image. */
  private fromReference(value: string, where: Position, via: 'copy' | 'mount', stage: StageScope, instructionLine: number): void {
    const what = via === 'copy' ? `COPY --from=${value}` : `RUN --mount from=${value}`;
    const expansion = this.expander(stage, where).expand(value);
    if (expansion.unresolved.length > 0) {
      this.warn(where, describeUnresolved(expansion.unresolved, what, 'no ARG or ENV in this stage gives it one'));
      return;
    }
    const target = expansion.value;
    if (target === '') throw new DockerfileError(`${what} names nothing: it expands to an empty string`, where.line, where.col);
    if (/^[0-9]+$/.test(target)) {
      const index = Number(target);
      // The current stage is the last one pushed; only stages before it can be copied from.
      if (index >= this.stages.length - 1) {
        throw new DockerfileError(
          `${what}: stage index ${index} does not name an earlier stage (stages are numbered from 0; ${this.stages.length - 1} come before this one)`,
          where.line,
          where.col,
        );
      }
      return;
    }
    if (this.allStageNames.has(target.toLowerCase()) || isScratch(target)) return;
    const image = asImage(target, value, where, what);
    this.copies.push({ ...image, line: instructionLine, via });
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
function propertiesOf(syntax: DockerfileSyntax, lines: LineIndex, instruction: Instruction, at: Position): [string, string | undefined][] {
  const content = argumentsText(syntax, lines, instruction) ?? '';
  const words = splitWords(content, syntax.escape);
  const keyword = instruction.keyword;
  const isEnv = keyword === 'ENV';
  if (words.length === 0) throw new DockerfileError(`${keyword} needs at least one name`, at.line, at.col);
  if (isEnv && !words[0].includes('=')) {
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
      if (isEnv) {
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
