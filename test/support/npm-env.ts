// The environment for npm (and npx) run from a test.
/**
 * The environment for npm run from a test: `npm test` exports its own npm_* settings (local
 * prefix, lifecycle, the package being tested) that would make a nested npm act on this repository;
 * only the settings that say where packages come from are kept.
 */
export function npmEnv(): NodeJS.ProcessEnv {
  const keep = new Set(['npm_config_cache', 'npm_config_registry', 'npm_config_userconfig']);
  return Object.fromEntries(
    Object.entries(process.env).filter(([k]) => (!/^npm_/i.test(k) || keep.has(k.toLowerCase())) && k !== 'INIT_CWD' && k !== '_PACOTE_NO_PREPARE_'),
  );
}
