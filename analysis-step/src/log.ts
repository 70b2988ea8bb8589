// Logs: one JSON object per line. Every string passes through redaction of the service's secrets
// (token, git credentials) before it is written, as a last line of defence.
export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, string | number | boolean | undefined>;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: LogFields): void;
}

export function jsonLogger(write: (line: string) => void, secrets: () => readonly string[], now: () => Date = () => new Date()): Logger {
  const clean = (s: string) => {
    let out = s;
    for (const secret of secrets()) if (secret.length >= 3) out = out.split(secret).join('***');
    return out;
  };
  return {
    log(level, msg, fields = {}) {
      const entry: Record<string, string | number | boolean> = { time: now().toISOString(), level, msg: clean(msg) };
      for (const [k, v] of Object.entries(fields)) {
        if (v === undefined) continue;
        entry[k] = typeof v === 'string' ? clean(v) : v;
      }
      write(`${JSON.stringify(entry)}\n`);
    },
  };
}
