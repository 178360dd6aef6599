/**
 * The root logger: pino, JSON lines on stdout (the journal captures them under systemd). Secrets are
 * redacted by field name at any depth (see {@link redactSecrets}) in every record and in child
 * logger bindings, so a plugin that logs a request object cannot leak a password, API key or cookie.
 */
import { pino, type Logger, type LoggerOptions, type DestinationStream } from 'pino';
import { REDACTED, SECRET_NAMES, redactSecrets } from './redact.js';

/** Creates the root logger at `level`; `destination` defaults to stdout. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    formatters: {
      // Runs on each record's merge object (not on `msg`): redact whatever a caller passed.
      log: (object) => redactSecrets(object) as Record<string, unknown>,
      bindings: (bindings) => redactSecrets(bindings) as Record<string, unknown>,
    },
    // Child-logger bindings bypass `formatters` (pino resets them for children) but not `redact`:
    // cover secret names at the top and two levels down there.
    redact: { paths: SECRET_NAMES.flatMap((n) => [n, `*.${n}`, `*.*.${n}`]), censor: REDACTED },
  };
  return destination ? pino(options, destination) : pino(options);
}
