// How a command ends with a non-zero exit code when it has already said why (`generate --check`
// listing what is out of date, `rebuild` after GitHub refused). Commands throw it; main() in
// cli.ts is the only place that turns an outcome into the process's exit code.
export class ExitError extends Error {
  readonly code: number;
  constructor(code: number, why = `exit ${code}`) {
    super(why);
    this.name = 'ExitError';
    this.code = code;
  }
}
