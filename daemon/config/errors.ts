/** Configuration problems: reported on stderr as one clear line each, and the daemon exits with code 2. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Exit code for an invalid configuration or command line (as `EX_USAGE`-style tools use 2). */
export const CONFIG_EXIT_CODE = 2;
