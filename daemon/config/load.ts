/**
 * Builds the daemon's configuration from, in rising precedence: built-in defaults, the config file,
 * `VSNAPD_*` environment variables, command-line flags. Every problem is a {@link ConfigError} that
 * names its source (file and attribute, variable or flag) and what would be right.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { z } from 'zod';
import { defaultDataDir, defaultSocketPath } from '../../client/paths.js';
import type { Overrides } from './command-line.js';
import { MAX_SOCKET_PATH } from '../server/unix-socket.js';
import { ConfigError } from './errors.js';
import { describeFsError } from '../fs-error.js';
import { INSTALL_ROOT } from '../install-root.js';
import { describeIssues } from './issues.js';
import { sectionIssues } from './section.js';
import { CoreConfig, LogLevel } from './schema.js';

/** The config file shipped with the package, used when neither `--config` nor `VSNAPD_CONFIG` is given. */
export const DEFAULT_CONFIG_FILE = join(INSTALL_ROOT, 'etc/vsnapd.json');

/** The resolved configuration. Paths are absolute. */
export interface DaemonConfig {
  /** The file that was read, or null when the default file does not exist (built-in defaults apply). */
  readonly configFile: string | null;
  readonly host: string;
  readonly port: number;
  readonly socketPath: string;
  /** TLS on the TCP listener (absolute paths), null for plain ws://. */
  readonly tls: TlsSettings | null;
  readonly dataDir: string;
  readonly logLevel: z.output<typeof LogLevel>;
  readonly api: CoreConfig['api'];
  readonly jobs: CoreConfig['jobs'];
  readonly metrics: CoreConfig['metrics'];
  readonly audit: CoreConfig['audit'];
  /** Every top-level section of the file as written (plugins parse theirs with `PluginContext.config`). */
  readonly sections: Readonly<Record<string, unknown>>;
}

/** Resolved `listen.tls`: a configured certificate, or a self-signed one kept in the data folder. */
export type TlsSettings =
  | { readonly kind: 'files'; readonly certificate: string; readonly privateKey: string }
  | { readonly kind: 'self_signed' };

/** Reads and parses a config file. A missing *default* file is not an error (returns null). */
function readConfigFile(file: string, explicit: boolean): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !explicit) return null;
    throw new ConfigError(describeFsError(err, 'cannot read the config file', file));
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file}: the config file must hold a JSON object ({"listen": {…}, …})`);
  }
  return value as Record<string, unknown>;
}

/** Parses a port given as text (flag or variable); `source` names it in the error. */
function parsePort(text: string, source: string): number {
  if (!/^\d{1,5}$/.test(text) || Number(text) > 65535) {
    throw new ConfigError(`${source}: expected a TCP port number 0–65535, got "${text}"`);
  }
  return Number(text);
}

/**
 * Loads the configuration. `flags` win over `env`, which win over the file, which wins over defaults.
 * Throws {@link ConfigError}; when the core sections are invalid its message also lists the problems
 * of `pluginSections` (section → schema, see `declaredSections`), one line each.
 */
export function loadConfig(flags: Overrides, env: Overrides, cwd: string = process.cwd(), pluginSections: Readonly<Record<string, z.ZodType>> = {}): DaemonConfig {
  const explicitFile = flags.config ?? env.config;
  const configFile = explicitFile ? resolve(cwd, explicitFile) : DEFAULT_CONFIG_FILE;
  const raw = readConfigFile(configFile, explicitFile !== undefined);
  const parsed = CoreConfig.safeParse(raw ?? {});
  if (!parsed.success) {
    // The plugins' sections are checked too, so one run of the daemon names every problem of the file.
    const core = describeIssues(parsed.error.issues).map((l) => `${configFile}: ${l}`);
    throw new ConfigError([...core, ...sectionIssues(raw ?? {}, configFile, pluginSections)].join('\n'));
  }
  const core = parsed.data;

  const pick = (flag: string | undefined, flagName: string, envValue: string | undefined, envName: string) =>
    flag !== undefined ? { value: flag, source: flagName } : envValue !== undefined ? { value: envValue, source: envName } : null;

  const host = pick(flags.host, '--host', env.host, 'VSNAPD_HOST');
  const port = pick(flags.port, '--port', env.port, 'VSNAPD_PORT');
  const socket = pick(flags.socket, '--socket', env.socket, 'VSNAPD_SOCKET');
  const dataDir = pick(flags.dataDir, '--data-dir', env.dataDir, 'VSNAPD_DATA_DIR');
  const logLevel = pick(flags.logLevel, '--log-level', env.logLevel, 'VSNAPD_LOG_LEVEL');

  let level = core.log_level;
  if (logLevel) {
    const l = LogLevel.safeParse(logLevel.value);
    if (!l.success) {
      throw new ConfigError(`${logLevel.source}: expected one of ${LogLevel.options.join(', ')}, got "${logLevel.value}"`);
    }
    level = l.data;
  }
  if (host && host.value.trim() === '') throw new ConfigError(`${host.source}: the listen address must not be empty`);

  const fileDir = dirname(configFile);
  // Paths in the file are relative to the file; paths from flags/env to the working directory.
  const socketPath = socket
    ? resolve(cwd, socket.value)
    : core.listen.socket
      ? resolve(fileDir, core.listen.socket)
      : defaultSocketPath();
  if (Buffer.byteLength(socketPath) > MAX_SOCKET_PATH) {
    const source = socket?.source ?? `${configFile}: listen.socket`;
    throw new ConfigError(`${source}: socket path ${socketPath} is longer than ${MAX_SOCKET_PATH} bytes (the Unix socket limit)`);
  }
  const t = core.listen.tls;
  const tls: TlsSettings | null =
    t.certificate !== null && t.private_key !== null
      ? { kind: 'files', certificate: resolve(fileDir, t.certificate), privateKey: resolve(fileDir, t.private_key) }
      : t.self_signed
        ? { kind: 'self_signed' }
        : null;
  return {
    configFile: raw === null ? null : configFile,
    tls,
    host: host?.value ?? core.listen.host,
    port: port ? parsePort(port.value, port.source) : core.listen.port,
    socketPath,
    dataDir: dataDir ? resolve(cwd, dataDir.value) : core.data_dir ? resolve(fileDir, core.data_dir) : defaultDataDir(),
    logLevel: level,
    api: core.api,
    jobs: core.jobs,
    metrics: core.metrics,
    audit: core.audit,
    sections: raw ?? {},
  };
}
