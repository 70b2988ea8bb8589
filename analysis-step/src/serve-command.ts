// `image-factory serve`: runs the analysis service (analysis-step/) in the foreground, as the
// container does. Flags override the environment variables documented in analysis-step/README.md.
import type { Command } from 'commander';
import { loadService, settingsOf, type SettingOverrides } from './config';
import { createAnalysisService } from './server';
import { UserError } from '../../generator/src/core/errors';

interface ServeFlags {
  config?: string;
  port?: string;
  host?: string;
  tokenFile?: string;
  credentialsDir?: string;
  fetchTimeout?: string;
  maxConcurrent?: string;
  allowFileUrls?: boolean;
}

/** A port taken or not allowed is the user's to fix (another port), not a bug of ours: a UserError, exit 1. */
function listenProblem(e: unknown, host: string, port: number, fromFlag: boolean): UserError | undefined {
  const code = (e as NodeJS.ErrnoException).code;
  const setting = fromFlag ? '--port' : 'PORT';
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new UserError({ subject: setting, message: `${where} is already in use by another process; stop it or choose another port (--port or PORT)` });
  if (code === 'EACCES') return new UserError({ subject: setting, message: `${where} may not be listened on by this user (ports below 1024 need privileges); choose a port of 1024 or more` });
  if (code === 'EADDRNOTAVAIL') return new UserError({ subject: '--host', message: `${host} is not an address of this machine; use one of its addresses, or 0.0.0.0` });
  return undefined;
}

/** Starts the service; resolves when SIGINT or SIGTERM has stopped it (in-flight requests finish first). */
export async function serve(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const overrides: SettingOverrides = {
    config: flags.config,
    port: flags.port,
    host: flags.host,
    tokenFile: flags.tokenFile,
    credentialsDir: flags.credentialsDir,
    fetchTimeout: flags.fetchTimeout,
    maxConcurrent: flags.maxConcurrent,
    allowFileURLs: flags.allowFileUrls ? true : undefined,
  };
  const loaded = loadService(settingsOf(env, overrides));
  const service = createAnalysisService(loaded);
  try {
    await service.listen();
  } catch (e) {
    await service.close();
    throw listenProblem(e, loaded.settings.host, loaded.settings.port, flags.port !== undefined) ?? e;
  }
  await new Promise<void>((resolve) => {
    const stop = () => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      service.close().then(resolve, resolve);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

export function register(program: Command): void {
  program
    .command('serve')
    .description('run the analysis service that Kargo\u2019s http step calls (POST /v1/analyze, /healthz, /readyz, /metrics)')
    .option('--config <path>', 'the allowlist: a JSON file {"allowedRepositories": [...]}, or a folder of them (env IMAGE_FACTORY_CONFIG)')
    .option('--token-file <file>', 'file holding the bearer token callers must send (env IMAGE_FACTORY_TOKEN_FILE)')
    .option('--credentials-dir <dir>', 'folder with git username and password files (env IMAGE_FACTORY_GIT_CREDENTIALS_DIR)')
    .option('--port <n>', 'port to listen on (env PORT, default 8080)')
    .option('--host <addr>', 'address to listen on', '0.0.0.0')
    .option('--fetch-timeout <seconds>', 'time allowed for one git fetch, in whole seconds (env IMAGE_FACTORY_FETCH_TIMEOUT_SECONDS, default 60)')
    .option('--max-concurrent <n>', 'analyses at once; as many more wait their turn, beyond that 429 (env IMAGE_FACTORY_MAX_CONCURRENT, default 4)')
    .option('--allow-file-urls', 'tests only: accept file:// and http:// loopback repositories (env IMAGE_FACTORY_ALLOW_FILE_URLS)')
    .action(async (flags: ServeFlags) => serve(flags));
}
