/**
 * The daemon's command line: `vsnapd [run] [--config F] [--host H] [--port P] [--socket S]
 * [--data-dir D] [--log-level L]`, `vsnapd hash-password` (reads a password on stdin, prints its
 * scrypt hash for `auth.admin.password_hash`), and `vsnapd backup --out FILE` / `vsnapd restore --in
 * FILE` (the configuration archive, daemon/backup/; passphrase on stdin).
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

/** The commands. */
const COMMANDS = ['run', 'hash-password', 'backup', 'restore'] as const;

/** What the command line asks for. */
export interface CommandLine {
  command: (typeof COMMANDS)[number] | 'help';
  flags: Overrides;
  /** `backup --out`: the archive to write. */
  out?: string;
  /** `restore --in`: the archive to read. */
  in?: string;
}

/** Usage text printed by `--help` and after a command-line error. */
export const USAGE = `usage: vsnapd [run] [options]
       vsnapd hash-password        read a password on stdin, print its scrypt hash
       vsnapd backup --out <file>  write the datastore and the secret key of the data folder to one
                                   encrypted archive (passphrase: first line of stdin, ≥ 8 characters)
       vsnapd restore --in <file>  put such an archive back into the data folder (stop vsnapd first;
                                   the files it replaces are kept as *.before-restore-<time>)

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
        out: { type: 'string' },
        in: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    throw new ConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  const { values, positionals } = parsed;
  const [command = 'run', ...rest] = positionals;
  if (rest.length > 0 || !(COMMANDS as readonly string[]).includes(command)) {
    throw new ConfigError(`unexpected argument "${positionals.join(' ')}"\n${USAGE}`);
  }
  if (!values.help && command === 'backup' && !values.out) throw new ConfigError(`backup: --out <file> is required\n${USAGE}`);
  if (!values.help && command === 'restore' && !values.in) throw new ConfigError(`restore: --in <file> is required\n${USAGE}`);
  return {
    command: values.help ? 'help' : (command as (typeof COMMANDS)[number]),
    out: values.out,
    in: values.in,
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
