// Errors a user can act on. The CLI prints them as `file:line:col: message` with no stack trace;
// anything else that escapes is a bug and is reported as one.

export interface Located {
  file: string;
  line?: number;
  col?: number;
}

/** One problem in one file, with where it is and how to fix it. */
export interface Problem extends Located {
  message: string;
}

export function formatProblem(p: Problem): string {
  const where = p.line === undefined ? p.file : `${p.file}:${p.line}:${p.col ?? 1}`;
  return `${where}: ${p.message}`;
}

/** Bad input: one or more problems, each already phrased for the user. */
export class UserError extends Error {
  readonly problems: Problem[];

  constructor(problems: Problem | Problem[]) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(formatProblem).join('\n'));
    this.name = 'UserError';
    this.problems = list;
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}
