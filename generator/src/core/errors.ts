// Errors a user can act on. The CLI prints them as `file:line:col: message` with no stack trace;
// anything else that escapes is a bug and is reported as one.
//
// Input decides how long a message is and how many there are, so both are bounded here, once for
// every reader: a 1 MB tag must not make a 1 MB line, nor 20,000 bad entries 13 MB of output.

export interface Located {
  /**
   * What the problem is in: a file of the state repo (`images.yaml`, `images/a.yaml`), or what the
   * user gave on the command line or in the environment (`--build-arg`, `TMPDIR`, `GitHub`).
   * line and col are set only when the subject is a file.
   */
  subject: string;
  line?: number;
  col?: number;
}

/** One problem in one subject, with where it is and how to fix it. */
export interface Problem extends Located {
  message: string;
}

/** How many characters of a value from the input a message quotes. */
export const MAX_QUOTED_CHARS = 200;
/** Longer messages keep their start and their end (where the fix is) and lose the middle. */
export const MAX_MESSAGE_CHARS = 1000;
/** How many problems one error lists before saying how many more there are. */
export const MAX_LISTED_PROBLEMS = 100;

/** A value from the input as a message shows it: a JSON string, cut after 200 characters with "…". */
export function quoted(value: string): string {
  if (value.length <= MAX_QUOTED_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(value.slice(0, MAX_QUOTED_CHARS)).slice(0, -1)}…" (${value.length} characters)`;
}

// Everything a terminal could take as a command (C0 and C1 controls, DEL, bidirectional overrides),
// except the line feed that separates problems and the tab.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** Text from outside made safe to print: control characters written as \u escapes. */
export function printable(text: string): string {
  return text.replace(CONTROL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** At most `max` characters: the start and the end, joined by " … ". */
export function shortened(text: string, max = MAX_MESSAGE_CHARS): string {
  if (text.length <= max) return text;
  const tail = Math.floor(max / 4);
  return `${text.slice(0, max - tail - 3)} … ${text.slice(text.length - tail)}`;
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.subject : `${p.subject}:${p.line}:${p.col ?? 1}`;
  return shortened(printable(`${where}: ${p.message}`));
}

/** Problems one a line: the first 100, then how many were left out. */
export function formatProblems(problems: readonly Problem[]): string {
  const lines = problems.slice(0, MAX_LISTED_PROBLEMS).map(formatProblem);
  const more = problems.length - MAX_LISTED_PROBLEMS;
  if (more > 0) lines.push(`... and ${more} more problem${more === 1 ? '' : 's'} (fix the ones above and run again to see them)`);
  return lines.join('\n');
}

/** Bad input: one or more problems, each already phrased for the user. */
export class UserError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem | Problem[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(formatProblems(list));
    this.name = 'UserError';
    this.problems = list;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** An error from outside the user's files (a git host, GitHub, an analysis refused) that knows how to say itself as a problem. */
export interface ExplainsItself {
  toProblem(): Problem;
}

/**
 * An error that says why in one word (`reason`, for a front end to map: the service to an HTTP
 * status) and, when an input was at fault, which (`field`, its subject; else `subject`).
 */
export abstract class ReasonedError<Reason extends string> extends Error implements ExplainsItself {
  readonly reason: Reason;
  readonly field?: string;
  protected abstract readonly subject: string;
  constructor(reason: Reason, message: string, field?: string) {
    super(message);
    this.name = new.target.name;
    this.reason = reason;
    this.field = field;
  }

  toProblem(): Problem {
    return { subject: this.field ?? this.subject, message: this.message };
  }
}

const explainsItself = (e: unknown): e is ExplainsItself => e instanceof Error && typeof (e as Partial<ExplainsItself>).toProblem === 'function';

/**
 * Every error a user can act on as `subject[:line:col]: message` problems; undefined for anything
 * else, which is a bug. The one place the front ends learn what to tell the user.
 */
export function toProblems(e: unknown): Problem[] | undefined {
  if (e instanceof UserError) return e.problems;
  if (explainsItself(e)) return [e.toProblem()];
  return undefined;
}
