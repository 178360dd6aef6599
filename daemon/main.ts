/**
 * The daemon's entry point (`npm start`, systemd's ExecStart): parses flags and environment, loads
 * the config, runs {@link startDaemon} and stops it gracefully on SIGTERM/SIGINT.
 * Exit codes: 0 after a graceful stop, 2 for an invalid config or command line, 1 for anything else.
 *
 * Test-only: with `VSNAPD_EXIT_WITH_PARENT=1` the daemon also stops gracefully when its stdin reaches
 * end-of-file. The test helpers (tests/helpers/daemon.ts) spawn it with a stdin pipe and this variable,
 * so a daemon never outlives the test or demo process that started it, even one killed with SIGKILL
 * (the kernel closes the pipe's write end when its holder dies). Never set it under systemd: stdin
 * is /dev/null there, which is end-of-file at once.
 */
import { text } from 'node:stream/consumers';
import { hashPassword } from './auth/password.js';
import { backupConfig, restoreConfig } from './backup/commands.js';
import { USAGE, overridesFromEnv, parseCommandLine, type CommandLine } from './config/command-line.js';
import { CONFIG_EXIT_CODE, ConfigError } from './config/errors.js';
import { loadConfig } from './config/load.js';
import { BackupError } from './backup/archive.js';
import { plugins } from '../plugins/index.js';
import { startDaemon } from './daemon.js';
import { declaredSections } from './plugin-host.js';
import { DatastoreFileError } from './datastore/index.js';
import { createLogger } from './log.js';
import { isJournalStream, priorityPrefix } from './log-format.js';

/**
 * Prints an error (no stack: these are the operator's problems, not bugs) and exits. Under systemd
 * each line carries the `err` priority prefix, so `journalctl -p err` shows why the daemon stopped.
 */
function fail(message: string, code: number): never {
  const prefix = isJournalStream(2) ? priorityPrefix(50) : '';
  process.stderr.write(`vsnapd: ${message}`.split('\n').map((line) => `${prefix}${line}\n`).join(''));
  process.exit(code);
}

async function main(): Promise<void> {
  const cl = parseCommandLine(process.argv.slice(2));
  if (cl.command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  if (cl.command === 'hash-password') {
    const password = (await text(process.stdin)).replace(/\r?\n$/, '');
    if (password === '') fail('hash-password: no password on stdin', CONFIG_EXIT_CODE);
    process.stdout.write(`${await hashPassword(password)}\n`);
    return;
  }
  const config = loadConfig(cl.flags, overridesFromEnv(process.env), process.cwd(), declaredSections(plugins));
  if (cl.command === 'backup' || cl.command === 'restore') {
    await backupCommand(cl, config.dataDir);
    return;
  }
  const log = createLogger(config.logLevel);
  process.on('unhandledRejection', (err) => log.error({ err }, 'unhandled promise rejection (a bug; the daemon keeps running)'));
  process.on('uncaughtException', (err) => {
    log.fatal({ err }, 'uncaught exception; exiting');
    process.exit(1);
  });
  const daemon = await startDaemon(config, { log });
  let signals = 0;
  let stopping = false;
  const shutDown = (reason: Record<string, string>) => {
    stopping = true;
    log.info(reason, 'shutting down');
    daemon.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (++signals > 1) {
      log.warn({ signal }, 'second signal: exiting without waiting');
      process.exit(1);
    }
    if (!stopping) shutDown({ signal });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  if (process.env.VSNAPD_EXIT_WITH_PARENT === '1') {
    exitWithParent(() => {
      if (!stopping) shutDown({ reason: 'stdin closed (VSNAPD_EXIT_WITH_PARENT)' });
    });
  }
}

/** `vsnapd backup --out F` / `vsnapd restore --in F` on the data folder, the passphrase read from stdin. */
async function backupCommand(cl: CommandLine, dataDir: string): Promise<void> {
  const passphrase = (await text(process.stdin)).split(/\r?\n/)[0] ?? '';
  if (cl.command === 'backup') {
    const bytes = await backupConfig(dataDir, cl.out!, passphrase);
    process.stdout.write(`vsnapd: wrote ${cl.out} (${bytes} bytes): the datastore and the secret key of ${dataDir}, encrypted with the passphrase. Keep both safe.\n`);
    return;
  }
  const moved = await restoreConfig(dataDir, cl.in!, passphrase, createLogger('warn')).catch((err: unknown) => {
    // A running daemon holding the datastore, or an archive whose datastore does not open: not a start failure.
    throw err instanceof DatastoreFileError ? new BackupError(`restore: ${err.message}`) : err;
  });
  process.stdout.write(`vsnapd: restored ${cl.in} into ${dataDir}${moved.length ? `; the previous files are ${moved.join(', ')}` : ''}. Start vsnapd.\n`);
}

/**
 * Calls `onEnd` once stdin reaches end-of-file or fails (its writer, the parent, closed it or died).
 * What the parent writes is read and ignored; the parent's stdout/stderr pipes die with it too, so
 * write errors on them (EPIPE) are ignored rather than crashing the graceful stop.
 */
function exitWithParent(onEnd: () => void): void {
  for (const out of [process.stdout, process.stderr]) out.on('error', () => undefined);
  process.stdin.on('data', () => undefined);
  process.stdin.once('end', onEnd);
  process.stdin.once('error', onEnd);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) fail(err.message, CONFIG_EXIT_CODE);
  if (err instanceof BackupError) fail(err.message, 1);
  const e = err as Error & { code?: string };
  fail(`cannot start: ${e.message}`, 1);
});
