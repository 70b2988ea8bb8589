// `image-factory serve`: runs the analysis service (analysis-step/) in the foreground, as the
// container does. Flags override the environment variables documented in analysis-step/README.md.
import type { Command } from 'commander';
import { loadService, settingsOf, type SettingOverrides } from './config';
import { createAnalysisService } from './server';

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
  await service.listen();
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
    .option('--fetch-timeout <d>', 'time allowed for one git fetch, e.g. 30s (env IMAGE_FACTORY_FETCH_TIMEOUT)')
    .option('--max-concurrent <n>', 'analyses at once; as many more wait their turn, beyond that 429 (env IMAGE_FACTORY_MAX_CONCURRENT, default 4)')
    .option('--allow-file-urls', 'tests only: accept file:// and http:// loopback repositories (env IMAGE_FACTORY_ALLOW_FILE_URLS)')
    .action(async (flags: ServeFlags) => serve(flags));
}
