// Real git repositories for tests and benchmarks: made with the system git in temp dirs, with a
// clean environment (no global config), fixed author and dates so commit ids are reproducible.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const gitEnv = (when = '2026-11-24T10:00:00Z'): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: os.tmpdir(),
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
  GIT_AUTHOR_DATE: when,
  GIT_COMMITTER_DATE: when,
  LANG: 'C',
});

export function git(cwd: string, args: string[], env: NodeJS.ProcessEnv = gitEnv(), input?: string | Buffer): string {
  return execFileSync('git', args, { cwd, env, input, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
}

export interface TestRepo {
  /** The working tree (a non-bare repository). */
  dir: string;
  /** `file://` URL of dir. */
  url: string;
  /** Commits one file set each; returns the commit id. */
  commit(files: Record<string, string | null>, message?: string, when?: string): string;
  head(): string;
}

/** A repository that allows partial fetches by any reachable commit, as GitHub does. */
export function makeRepo(parent: string, name: string): TestRepo {
  const dir = path.join(parent, name);
  fs.mkdirSync(dir, { recursive: true });
  git(dir, ['init', '--quiet', '--initial-branch=main']);
  git(dir, ['config', 'uploadpack.allowFilter', 'true']);
  git(dir, ['config', 'uploadpack.allowAnySHA1InWant', 'true']);
  git(dir, ['config', 'http.receivepack', 'false']);
  return {
    dir,
    url: `file://${dir}`,
    commit(files, message = 'change', when = '2026-11-24T10:00:00Z') {
      for (const [rel, content] of Object.entries(files)) {
        const full = path.join(dir, rel);
        if (content === null) fs.rmSync(full, { force: true });
        else {
          fs.mkdirSync(path.dirname(full), { recursive: true });
          fs.writeFileSync(full, content);
        }
      }
      git(dir, ['add', '--all']);
      git(dir, ['commit', '--quiet', '--allow-empty', '-m', message], gitEnv(when));
      return git(dir, ['rev-parse', 'HEAD']).trim();
    },
    head: () => git(dir, ['rev-parse', 'HEAD']).trim(),
  };
}

/**
 * A large repository built with fast-import: `commits` commits, each changing `filesPerCommit` of
 * `files` files of ~`fileBytes` bytes (random-ish, so they do not compress away), plus a Dockerfile.
 */
export function makeLargeRepo(parent: string, name: string, opts: { files: number; commits: number; filesPerCommit: number; fileBytes: number }): TestRepo {
  const repo = makeRepo(parent, name);
  let seed = 12345;
  const rand = () => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed;
  };
  const blob = (n: number) => {
    const parts: string[] = [];
    let len = 0;
    while (len < n) {
      const s = rand().toString(36);
      parts.push(s);
      len += s.length + 1;
    }
    return parts.join(' ') + '\n';
  };
  const chunks: string[] = [];
  const data = (s: string) => `data ${Buffer.byteLength(s)}\n${s}\n`;
  const t0 = Date.parse('2026-01-01T00:00:00Z') / 1000;
  for (let c = 0; c < opts.commits; c++) {
    chunks.push(`commit refs/heads/main\ncommitter Test <test@example.com> ${t0 + c * 60} +0000\n${data(`commit ${c}`)}`);
    const touched = c === 0 ? opts.files : opts.filesPerCommit;
    for (let i = 0; i < touched; i++) {
      const f = c === 0 ? i : rand() % opts.files;
      chunks.push(`M 100644 inline src/d${f % 50}/f${f}.txt\n${data(blob(opts.fileBytes))}`);
    }
    if (c === 0 || c === opts.commits - 1) {
      chunks.push(`M 100644 inline Dockerfile\n${data(`FROM docker.io/library/node:22-bookworm-slim AS build\nRUN echo ${c}\nFROM gcr.io/distroless/nodejs22-debian12\nCOPY --from=build /x /x\n`)}`);
    }
    chunks.push('\n');
  }
  git(repo.dir, ['fast-import', '--quiet'], gitEnv(), chunks.join(''));
  git(repo.dir, ['reset', '--quiet', '--hard', 'main']);
  return repo;
}
