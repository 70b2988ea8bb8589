// How a Dockerfile's text splits into parser directives and instructions, and an instruction into
// words, flags and argument text: the reading the analyser was built on (the dockerfile-ast
// library's, quirks included, so every analysis stays what it was; test/dockerfile-syntax.test.ts
// compares the two), in one pass over the text and in time linear in its size. The library
// allocated position objects per character and rescanned the flags of an instruction per flag:
// a 1 MiB line took seconds, 150,000 flags minutes.
//
// Offsets are UTF-16 indexes into the text; `positionAt` turns one into a 1-based line and column
// the way editors count (CR, LF and CRLF each end a line).

export interface Position {
  line: number;
  col: number;
}

export interface ParserDirective {
  /** As written (`escape`, `syntax`, ...). */
  name: string;
  value: string;
  valueStart: number;
}

export interface Instruction {
  /** The instruction word as written (escape characters inside it kept). */
  written: string;
  /** `written` upper-cased. */
  keyword: string;
  start: number;
  /** Where the instruction word ends and its arguments begin. */
  wordEnd: number;
  /** The end of the instruction: its last line's line break (after any here-documents), or the end of the text. */
  end: number;
}

/** A word of an instruction's arguments: escapes and line continuations applied, quotes kept. */
export interface Word {
  value: string;
  start: number;
  end: number;
}

export interface FlagOption {
  name: string;
  value: string | null;
  start: number;
}

export interface Flag {
  /** Without the leading `--`. */
  name: string;
  /** null for `--name` without `=`. */
  value: string | null;
  start: number;
  /** Where option offsets count from (see flagOptions). */
  valueStart: number;
}

export interface DockerfileSyntax {
  text: string;
  directives: ParserDirective[];
  /** `\` unless an escape directive sets `` ` ``. */
  escape: string;
  instructions: Instruction[];
}

const isNewline = (ch: string): boolean => ch === '\r' || ch === '\n';
const isBlank = (ch: string): boolean => ch === ' ' || ch === '\t';

/** 1-based positions of offsets, by binary search over the line starts (computed once). */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(private readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const ch = text.charCodeAt(i);
      if (ch === 13 /* \r */) {
        if (text.charCodeAt(i + 1) === 10) i++;
        this.starts.push(i + 1);
      } else if (ch === 10 /* \n */) {
        this.starts.push(i + 1);
      }
    }
  }

  /** 0-based line of an offset. */
  lineOf(offset: number): number {
    const at = Math.max(Math.min(offset, this.text.length), 0);
    let low = 0;
    let high = this.starts.length;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (this.starts[mid] > at) high = mid;
      else low = mid + 1;
    }
    return low - 1;
  }

  lineStart(line: number): number {
    return line >= this.starts.length ? this.text.length : this.starts[line];
  }

  positionAt(offset: number): Position {
    let at = Math.max(Math.min(offset, this.text.length), 0);
    const line = this.lineOf(at);
    const start = this.starts[line];
    // An offset between the CR and LF of one line break counts as the CR's.
    while (at > start && isNewline(this.text[at - 1])) at--;
    return { line: line + 1, col: at - start + 1 };
  }
}

/** Reads the directives and the instructions of a Dockerfile (a leading byte order mark skipped). */
export function readDockerfileSyntax(text: string, lines: LineIndex = new LineIndex(text)): DockerfileSyntax {
  const directives = readDirectives(text);
  const escapeDirective = directives.find((d) => d.name.toLowerCase() === 'escape' && (d.value === '\\' || d.value === '`'));
  const escape = escapeDirective ? escapeDirective.value : '\\';
  const reader = new InstructionReader(text, escape);
  let from = 0;
  if (directives.length > 0) from = lines.lineStart(directives.length);
  else if (text.startsWith('\ufeff')) from = 1;
  return { text, directives, escape, instructions: reader.readAll(from) };
}

/** `# name=value` lines at the very top; a blank line, a plain comment or anything else ends them. */
function readDirectives(text: string): ParserDirective[] {
  const directives: ParserDirective[] = [];
  const n = text.length;
  scan: for (let i = text.startsWith('\ufeff') ? 1 : 0; i < n; i++) {
    const ch = text[i];
    if (isBlank(ch)) continue;
    if (ch !== '#') break;
    let nameStart = -1;
    let nameEnd = -1;
    for (let j = i + 1; j < n; j++) {
      const c = text[j];
      if (isBlank(c)) {
        if (nameStart !== -1 && nameEnd === -1) nameEnd = j;
      } else if (isNewline(c)) {
        break scan;
      } else if (c === '=') {
        if (nameEnd === -1) nameEnd = j;
        let valueStart = -1;
        let valueEnd = -1;
        let lineEnd = n;
        for (let k = j + 1; k < n; k++) {
          const v = text[k];
          if (isNewline(v)) {
            if (valueStart !== -1 && valueEnd === -1) valueEnd = k;
            lineEnd = k;
            break;
          }
          if (isBlank(v)) {
            if (valueStart !== -1 && valueEnd === -1) valueEnd = k;
          } else if (valueStart === -1) {
            valueStart = k;
          }
        }
        if (nameStart === -1) break scan;
        if (valueStart === -1) {
          valueStart = j + 1;
          valueEnd = lineEnd;
        } else if (valueEnd === -1) {
          valueEnd = n;
        }
        directives.push({ name: text.substring(nameStart, nameEnd), value: text.substring(valueStart, valueEnd), valueStart });
        // Scanning resumes just after the value: trailing blanks then a line break end the directives.
        i = text[valueEnd] === '\r' ? valueEnd + 1 : valueEnd;
        continue scan;
      } else if (nameStart === -1) {
        nameStart = j;
      }
    }
    // A `#` line running to the end of the text without "=": scanning goes on inside it.
  }
  return directives;
}

class InstructionReader {
  private readonly n: number;

  constructor(
    private readonly text: string,
    private readonly escape: string,
  ) {
    this.n = text.length;
  }

  readAll(from: number): Instruction[] {
    const instructions: Instruction[] = [];
    for (let i = from; i < this.n; i++) {
      const ch = this.text[i];
      if (isBlank(ch) || isNewline(ch)) continue;
      if (ch === '#') {
        i = this.lineEnd(i);
        continue;
      }
      const instruction = this.readInstruction(i);
      instructions.push(instruction);
      i = instruction.end;
    }
    return instructions;
  }

  /** The offset of the line break ending the line that holds `from` (or the end of the text). */
  private lineEnd(from: number): number {
    for (let i = from + 1; i < this.n; i++) if (isNewline(this.text[i])) return i;
    return this.n;
  }

  /** The first offset from `from` that is not a space or tab. */
  private skipBlanks(from: number): number {
    let j = from;
    while (j < this.n && isBlank(this.text[j])) j++;
    return j;
  }

  private readInstruction(start: number): Instruction {
    const { text, escape, n } = this;
    let written = '';
    // Characters are taken in runs (one slice each): appending them one by one costs more in garbage than in work.
    let runStart = start;
    const flush = (to: number) => {
      if (runStart !== -1) written += text.slice(runStart, to);
      runStart = -1;
    };
    let wordEnd = -1;
    let continued = false;
    const made = (end: number, wEnd: number): Instruction => ({ written, keyword: written.toUpperCase(), start, wordEnd: wEnd, end });
    for (let i = start + 1; i < n; i++) {
      const ch = text[i];
      if (ch !== escape && !isBlank(ch) && !isNewline(ch) && !(ch === '#' && continued)) {
        wordEnd = i + 1;
        if (runStart === -1) runStart = i;
        continued = false;
        continue;
      }
      flush(i);
      if (ch === escape) {
        continued = true;
        const next = i + 1 < n ? text[i + 1] : '';
        if (isNewline(next)) {
          if (wordEnd === -1) wordEnd = i;
          i++;
        } else if (isBlank(next)) {
          const j = this.skipBlanks(i + 2);
          if (j === n) {
            written += escape;
            return made(n, i + 1);
          }
          if (isNewline(text[j])) {
            i = j;
          } else {
            wordEnd = i + 1;
            written += escape;
            i = j - 2;
          }
        } else {
          wordEnd = i + 1;
          written += escape;
          continued = false;
        }
        continue;
      }
      if (isBlank(ch)) {
        if (continued) {
          const j = this.skipBlanks(i + 1);
          if (j < n && isNewline(text[j])) {
            i = j;
            continue;
          }
          continued = false;
        }
        if (wordEnd === -1) wordEnd = i;
        const end = this.readArguments(written, start, wordEnd, i);
        return made(end, wordEnd);
      }
      if (isNewline(ch)) {
        if (continued) continue;
        return made(i, i);
      }
      // Only `#` after an escaped line break is left: it is skipped.
    }
    flush(n);
    return made(n, wordEnd === -1 ? n : wordEnd);
  }

  /** Finds where the arguments starting after `from` end: a line break not continued, then any here-documents. */
  private readArguments(written: string, start: number, wordEnd: number, from: number): number {
    const { text, escape, n } = this;
    let continued = false;
    scan: for (let i = from + 1; i < n; i++) {
      const ch = text[i];
      if (isNewline(ch)) {
        if (continued) continue;
        return this.skipHeredocs({ written, keyword: written.toUpperCase(), start, wordEnd, end: i }, i);
      }
      if (ch === escape) {
        const next = i + 1 < n ? text[i + 1] : '';
        if (isNewline(next)) {
          continued = true;
          i++;
        } else if (isBlank(next)) {
          for (let j = i + 2; j < n; j++) {
            const c = text[j];
            if (isBlank(c)) continue;
            if (isNewline(c)) continued = true;
            i = j;
            continue scan;
          }
          return n;
        }
        continue;
      }
      if (ch === '#') {
        if (continued) i = this.lineEnd(i);
        continue;
      }
      if (isBlank(ch)) continue;
      continued = false;
    }
    return n;
  }

  /** ADD, COPY and RUN (also as ONBUILD triggers) may name here-documents: their bodies belong to the instruction. */
  private skipHeredocs(instruction: Instruction, offset: number): number {
    let keyword = instruction.keyword;
    let argsFrom = instruction.wordEnd;
    if (keyword === 'ONBUILD') {
      let trigger: Word | undefined;
      visitWords(this.text, this.escape, instruction.wordEnd, instruction.end, (word) => {
        trigger = word;
        return true;
      });
      if (trigger === undefined) return offset;
      keyword = this.text.substring(trigger.start, trigger.end).toUpperCase();
      argsFrom = trigger.end;
    }
    if (keyword !== 'ADD' && keyword !== 'COPY' && keyword !== 'RUN') return offset;
    // The arguments are the words after as many words as there are leading flags (see flagsIn);
    // words are visited, not collected: a line may hold a million of them.
    let tabbed = false;
    const names: string[] = [];
    const heredoc = (value: string) => {
      if (value.startsWith('<<') && value.length > 2) {
        if (value.startsWith('<<-')) tabbed = true;
        const name = heredocName(value);
        if (name !== null) names.push(name);
      }
    };
    const leading: string[] = [];
    let flags = 0;
    let inFlags = true;
    visitWords(this.text, this.escape, argsFrom, instruction.end, (word) => {
      if (inFlags && word.value.includes('--')) {
        leading.push(word.value);
        if (word.value.startsWith('--')) flags++;
        return false;
      }
      if (inFlags) {
        inFlags = false;
        for (const value of leading.slice(flags)) heredoc(value);
      }
      heredoc(word.value);
      return false;
    });
    if (inFlags) for (const value of leading.slice(flags)) heredoc(value);
    let end = offset;
    for (const name of names) end = this.heredocEnd(name, end, tabbed);
    return end;
  }

  /** The line break after the line that is exactly `name` (leading tabs allowed when tabbed). */
  private heredocEnd(name: string, from: number, tabbed: boolean): number {
    const { text, n } = this;
    let wordStart = -1;
    let lineStart = true;
    for (let i = from; i < n; i++) {
      const ch = text[i];
      if (ch === ' ') {
        lineStart = false;
      } else if (ch === '\t') {
        if (!tabbed) lineStart = false;
      } else if (isNewline(ch)) {
        if (wordStart !== -1 && i - wordStart === name.length && text.startsWith(name, wordStart)) return i;
        wordStart = -1;
        lineStart = true;
      } else if (lineStart) {
        wordStart = i;
        lineStart = false;
      }
    }
    return n;
  }
}

function heredocName(word: string): string | null {
  let value = word.substring(2);
  if (value.charAt(0) === '-') value = value.substring(1);
  for (const quote of ['"', "'"]) {
    if (value.charAt(0) === quote) {
      if (value.charAt(value.length - 1) !== quote) return null;
      value = value.substring(1, value.length - 1);
    }
  }
  if (value.charAt(0) === '<') return null;
  return value;
}

/**
 * The words of text[from, to): split on blanks, the escape character applied (kept before `$`),
 * escaped line breaks joining lines, and comment lines inside continuations skipped.
 */
export function wordsIn(text: string, escape: string, from: number, to: number): Word[] {
  const words: Word[] = [];
  visitWords(text, escape, from, to, (word) => {
    words.push(word);
    return false;
  });
  return words;
}

/** Returned by a WordScan step: the visitor wants no more words. */
const STOP = -1;

/** One pass of visitWords over text[from, from + len): the state its steps share. */
class WordScan {
  atLineStart = false;
  comment = false;
  /** Where the current word started (relative to `from`), or -1 between words. */
  found = -1;
  // Blanks seen since an escaped line break, and whether we are inside such a sequence.
  blankAfterEscape = false;
  escaping = false;
  escapeMarker = -1;
  value = '';
  // Plain characters are taken in runs, one slice each (see readInstruction).
  runStart = -1;

  constructor(
    readonly text: string,
    readonly escape: string,
    readonly from: number,
    readonly len: number,
    readonly visit: (word: Word) => boolean,
  ) {}

  flush(to: number): void {
    if (this.runStart !== -1) this.value += this.text.slice(this.from + this.runStart, this.from + to);
    this.runStart = -1;
  }

  /** Hands the word over; true when the visitor wants no more. */
  push(end: number): boolean {
    const stop = this.visit({ value: this.value, start: this.from + this.found, end: this.from + end });
    this.value = '';
    this.found = -1;
    return stop;
  }

  /** A blank or line break at i; true when the visitor wants no more. */
  blank(i: number, ch: string): boolean {
    if (this.escaping) {
      this.blankAfterEscape = true;
      if (isNewline(ch)) {
        this.blankAfterEscape = false;
        if (this.comment) {
          this.comment = false;
          this.atLineStart = true;
        }
      }
      return false;
    }
    if (this.found !== -1) {
      if (this.push(this.escapeMarker === -1 ? i : this.escapeMarker)) return true;
      this.escapeMarker = -1;
    }
    return false;
  }

  /** The escape character at i; returns the index the pass goes on after (`len` ends it), or STOP. */
  escapeAt(i: number): number {
    const { text, from, len } = this;
    const next = i + 1 < len ? text[from + i + 1] : '';
    if (isBlank(next)) {
      for (let j = i + 2; j < len; j++) {
        const c = text[from + j];
        if (isBlank(c)) continue;
        if (isNewline(c)) {
          if (c === '\r') j++;
          this.comment = false;
          this.escaping = true;
          this.atLineStart = true;
          if (this.found !== -1) this.escapeMarker = i;
          return j;
        }
        this.escapeMarker = i;
        return this.found === -1 ? j - 1 : i;
      }
      return i;
    }
    if (isNewline(next)) {
      this.comment = false;
      this.escaping = true;
      this.atLineStart = true;
      if (this.found !== -1 && this.escapeMarker === -1) this.escapeMarker = i;
      return i + (next === '\r' ? 2 : 1);
    }
    if (this.blankAfterEscape && this.escapeMarker !== -1 && this.push(this.escapeMarker)) return STOP;
    this.escapeMarker = -1;
    this.blankAfterEscape = false;
    this.escaping = false;
    if (next === '') return len;
    this.value += next === '$' ? this.escape + next : next;
    if (this.found === -1) this.found = i;
    return i + 1;
  }

  /** Any other character at i: a comment's start, or the start of a run of plain ones; true when the visitor wants no more. */
  other(i: number, ch: string): boolean {
    if (this.comment) return false;
    if (this.atLineStart && ch === '#') {
      this.comment = true;
    } else {
      if (this.blankAfterEscape && this.escapeMarker !== -1 && this.push(this.escapeMarker)) return true;
      this.blankAfterEscape = false;
      this.escaping = false;
      this.escapeMarker = -1;
      this.runStart = i;
      if (this.found === -1) this.found = i;
    }
    this.atLineStart = false;
    return false;
  }
}

/** Calls `visit` with each word of text[from, to) (see wordsIn) until it returns true. */
function visitWords(text: string, escape: string, from: number, to: number, visit: (word: Word) => boolean): void {
  const len = to - from;
  const scan = new WordScan(text, escape, from, len, visit);
  for (let i = 0; i < len; i++) {
    const ch = text[from + i];
    if (scan.runStart !== -1) {
      if (!isBlank(ch) && !isNewline(ch) && ch !== escape) continue;
      scan.flush(i);
    }
    if (isBlank(ch) || isNewline(ch)) {
      if (scan.blank(i, ch)) return;
    } else if (ch === escape) {
      i = scan.escapeAt(i);
      if (i === STOP) return;
    } else if (scan.other(i, ch)) return;
  }
  scan.flush(len);
  if (scan.found !== -1) scan.push(scan.escapeMarker === -1 ? len : scan.escapeMarker);
}

/**
 * The leading `--flag[=value]` words of text[from, to) and the words after them. Flags are looked
 * for until a word without "--"; the arguments are the words minus as many words as there were flags.
 */
export function flagsIn(text: string, escape: string, from: number, to: number): { flags: Flag[]; args: Word[] } {
  const words = wordsIn(text, escape, from, to);
  const count = leadingFlagCount(words);
  const flags: Flag[] = [];
  for (let i = 0; flags.length < count; i++) if (words[i].value.startsWith('--')) flags.push(flagOf(text, words[i]));
  return { flags, args: words.slice(count) };
}

function leadingFlagCount(words: Word[]): number {
  let count = 0;
  for (const word of words) {
    if (!word.value.includes('--')) break;
    if (word.value.startsWith('--')) count++;
  }
  return count;
}

/** The leading flags of text[from, to) alone (see flagsIn), reading no further than they go. */
export function leadingFlags(text: string, escape: string, from: number, to: number): Flag[] {
  const flags: Flag[] = [];
  visitWords(text, escape, from, to, (word) => {
    if (!word.value.includes('--')) return true;
    if (word.value.startsWith('--')) flags.push(flagOf(text, word));
    return false;
  });
  return flags;
}

function flagOf(text: string, word: Word): Flag {
  const value = word.value;
  // The first "=" as written (escapes and continuations included), searched within the word only.
  let eqInWord = -1;
  for (let i = word.start; i < word.end; i++) {
    if (text[i] === '=') {
      eqInWord = i - word.start;
      break;
    }
  }
  if (eqInWord === -1) return { name: value.substring(2), value: null, start: word.start, valueStart: word.end };
  if (eqInWord === value.length - 1) return { name: value.substring(2, eqInWord), value: '', start: word.start, valueStart: word.end };
  const eq = value.indexOf('=');
  return { name: value.substring(2, eq), value: value.substring(eq + 1), start: word.start, valueStart: word.start + eqInWord + 1 };
}

/** `name=value` pairs of a flag's comma-separated value (`--mount=type=cache,from=x`). */
export function flagOptions(flag: Flag): FlagOption[] {
  return flag.value === null ? [] : optionsOf(flag.value, flag.valueStart);
}

function optionsOf(value: string, offset: number): FlagOption[] {
  const options: FlagOption[] = [];
  const option = (nameStart: number, valueStart: number, valueEnd: number): FlagOption =>
    valueStart === -1
      ? { name: value.substring(nameStart, valueEnd), value: null, start: offset + nameStart }
      : { name: value.substring(nameStart, valueStart - 1), value: value.substring(valueStart, valueEnd), start: offset + nameStart };
  let nameStart = -1;
  let valueStart = -1;
  let hasOptions = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '=') {
      hasOptions = true;
      if (valueStart === -1) valueStart = i + 1;
    } else if (ch === ',') {
      options.push(option(nameStart, valueStart, i));
      nameStart = -1;
      valueStart = -1;
    } else if (nameStart === -1) {
      nameStart = i;
    }
  }
  if (hasOptions && nameStart !== -1) options.push(option(nameStart, valueStart, value.length));
  return options;
}

/**
 * The argument text of an instruction (what ARG and ENV split into NAME=value words): from the first
 * word to the last, each continuation line from its line start and up to its last character, joined
 * without separators; comment lines skipped. null when there is no word.
 */
export function argumentsText(syntax: DockerfileSyntax, lines: LineIndex, instruction: Instruction): string | null {
  const { text, escape } = syntax;
  const words = wordsIn(text, escape, instruction.wordEnd, instruction.end);
  if (words.length === 0) return null;
  const first = words[0].start;
  const last = words[words.length - 1].end;
  if (lines.lineOf(first) === lines.lineOf(last)) return text.substring(first, last);

  const len = last - first;
  const pieces: string[] = [];
  let pieceStart: number | null = first;
  let end = -1;
  let comment = false;
  const close = () => {
    if (pieceStart !== null) pieces.push(text.substring(pieceStart, first + end + 1));
    pieceStart = null;
    comment = false;
  };
  for (let i = 0; i < len; i++) {
    const ch = text[first + i];
    if (ch === escape) {
      const next = i + 1 < len ? text[first + i + 1] : '';
      if (isBlank(next)) {
        for (let j = i + 2; j < len; j++) {
          const c = text[first + j];
          if (isBlank(c)) continue;
          if (isNewline(c)) {
            if (c === '\r') j++;
            close();
            i = j;
          }
          break;
        }
      } else if (next === '\r') {
        close();
        i += 2;
      } else if (next === '\n') {
        close();
        i++;
      } else {
        i++;
      }
    } else if (isNewline(ch)) {
      if (comment) {
        pieceStart = null;
        comment = false;
      }
    } else if (!comment) {
      if (pieceStart === null) {
        if (ch === '#') {
          comment = true;
          continue;
        }
        const line = lines.lineOf(first + i);
        const lineStart = lines.lineStart(line);
        if (first + i !== lineStart) pieceStart = lineStart;
      }
      end = i;
    }
  }
  pieces.push(pieceStart === null ? text.substring(first + end, first + end + 1) : text.substring(pieceStart, first + end + 1));
  return pieces.join('');
}
