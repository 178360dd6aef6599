/**
 * The root logger: pino on stdout, as JSON lines, as journal lines with syslog priorities under
 * systemd, or as readable lines on a terminal (log-format.ts). Secrets are
 * redacted by field name at any depth (see {@link redactSecrets}) in every record and in child
 * logger bindings, so a plugin that logs a request object cannot leak a password, API key or cookie.
 */
import { pino, type Bindings, type ChildLoggerOptions, type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { detectLogFormat, formattingDestination, type LogFormat } from './log-format.js';
import { REDACTED, SECRET_NAMES, redactSecrets } from './redact.js';

/**
 * Creates the root logger at `level`. `destination` defaults to stdout; `format` defaults to what
 * stdout is ({@link detectLogFormat}) for stdout and to JSON for a given destination.
 */
export function createLogger(level: string, destination?: DestinationStream, format: LogFormat = destination ? 'json' : detectLogFormat()): Logger {
  const options: LoggerOptions = {
    level,
    base: { pid: process.pid },
    formatters: {
      // Runs on each record's merge object (not on `msg`): redact whatever a caller passed.
      log: (object) => redactSecrets(object) as Record<string, unknown>,
      bindings: (bindings) => redactSecrets(bindings) as Record<string, unknown>,
    },
    // Second line of defence for child bindings (redacted at any depth by the `child` wrapper below).
    redact: { paths: SECRET_NAMES.flatMap((n) => [n, `*.${n}`, `*.*.${n}`]), censor: REDACTED },
  };
  const out = format === 'json' ? destination : formattingDestination(destination ?? pino.destination({ dest: 1, sync: true }), format);
  const logger = out ? pino(options, out) : pino(options);
  // pino gives child loggers a formatter that passes bindings through unchanged, and `redact`
  // paths only reach two levels down: redact child bindings here, at any depth. Children are
  // created with Object.create(parent), so they inherit this wrapper (and `this` is the parent).
  type ChildFn = (this: Logger, bindings: Bindings, options?: ChildLoggerOptions) => Logger;
  const child = logger.child as unknown as ChildFn; // pino's generic signature, minus the custom-level type parameter
  const redactingChild: ChildFn = function (bindings, childOptions) {
    return child.call(this, redactSecrets(bindings) as Bindings, childOptions);
  };
  logger.child = redactingChild as unknown as Logger['child'];
  return logger;
}
