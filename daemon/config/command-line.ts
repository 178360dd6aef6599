/**
 * The daemon's command line: `vsnapd [run] [--config F] [--host H] [--port P] [--socket S]
 * [--data-dir D] [--log-level L]` and `vsnapd hash-password` (reads a password on stdin, prints its
 * scrypt hash for `auth.admin.password_hash`).
 */
import { parseArgs } from 'node:util';
import { ConfigError } from './errors.js';

/** Settings given on the command line or in the environment; absent ones are undefined. */
export interface Overrides {
  config?: string;
  host?: string;
  port?: string;
  socket?: string;
  dataDir?: string;
  logLevel?: string;
}

/** What the command line asks for. */
export interface CommandLine {
  command: 'run' | 'hash-password' | 'help';
  flags: Overrides;
}

/** Usage text printed by `--help` and after a command-line error. */
export const USAGE = `usage: vsnapd [run] [options]
       vsnapd hash-password        read a password on stdin, print its scrypt hash

options (each also settable by the environment variable shown; flags win over the environment,
the environment over the config file, the file over built-in defaults):
  --config <file>      VSNAPD_CONFIG     config file (default: etc/vsnapd.json of this package)
  --host <address>     VSNAPD_HOST       TCP listen address (default 127.0.0.1; 0.0.0.0, ::, ::1 …)
  --port <n>           VSNAPD_PORT       TCP listen port (default 6080; 0 = any free port)
  --socket <path>      VSNAPD_SOCKET     Unix socket path (default /run/vsnapd/vsnapd.sock as root)
  --data-dir <dir>     VSNAPD_DATA_DIR   data folder (default /var/lib/vsnapd as root)
  --log-level <level>  VSNAPD_LOG_LEVEL  fatal|error|warn|info|debug|trace|silent
  -h, --help           this text`;

/** Parses `argv` (without node and script). Throws {@link ConfigError} on unknown options or commands. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string' },
        host: { type: 'string' },
        port: { type: 'string' },
        socket: { type: 'string' },
        'data-dir': { type: 'string' },
        'log-level': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command = 'run', ...rest] = positionals;
  if (rest.length > 0 || !['run', 'hash-password'].includes(command)) {
    throw new ConfigError(`unexpected argument "${positionals.join(' ')}"\n${USAGE}`);
  }
  return {
    command: values.help ? 'help' : (command as 'run' | 'hash-password'),
    flags: {
      config: values.config,
      host: values.host,
      port: values.port,
      socket: values.socket,
      dataDir: values['data-dir'],
      logLevel: values['log-level'],
    },
  };
}

/** Reads the `VSNAPD_*` variables of {@link USAGE} (empty strings count as unset). */
export function overridesFromEnv(env: Readonly<Record<string, string | undefined>>): Overrides {
  const get = (name: string): string | undefined => (env[name] === '' ? undefined : env[name]);
  return {
    config: get('VSNAPD_CONFIG'),
    host: get('VSNAPD_HOST'),
    port: get('VSNAPD_PORT'),
    socket: get('VSNAPD_SOCKET'),
    dataDir: get('VSNAPD_DATA_DIR'),
    logLevel: get('VSNAPD_LOG_LEVEL'),
  };
}
