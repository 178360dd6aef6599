/**
 * Readiness for systemd's `Type=notify` (sd_notify(3)): once the listeners are bound and the plugins
 * started, `READY=1` and a `STATUS=` line go to the datagram socket named by `$NOTIFY_SOCKET`. Node
 * has no Unix datagram sockets, so the message is sent by `systemd-notify` (package systemd) as a
 * child process; `--pid` makes it send with the daemon's own pid as the sender (allowed to root, as
 * the daemon runs), so it is accepted with `NotifyAccess=main` as well as `all`.
 * Without `$NOTIFY_SOCKET` (a terminal, the tests, another service manager) nothing is sent.
 */
import { execFile } from 'node:child_process';
import type { Logger } from 'pino';

/** Where systemd-notify is looked for (PATH otherwise). */
const SYSTEMD_NOTIFY = 'systemd-notify';

/**
 * Tells the service manager the daemon is ready, with `status` as its status text. Resolves when the
 * message was handed over (or could not be: then a warning is logged; the daemon keeps running and
 * systemd's start timeout reports the failure). `$NOTIFY_SOCKET` is removed from the environment
 * afterwards, so children (zfs, exportfs) cannot send in the daemon's name.
 */
export async function notifyReady(log: Logger, status: string, env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const socket = env.NOTIFY_SOCKET;
  if (!socket) return;
  await new Promise<void>((resolve) => {
    execFile(SYSTEMD_NOTIFY, ['--ready', `--pid=${process.pid}`, `--status=${status}`], { env, timeout: 10_000 }, (err, _stdout, stderr) => {
      if (err) log.warn({ err: err.message, stderr: stderr.trim(), socket }, 'cannot tell systemd the daemon is ready (systemd-notify failed)');
      else log.debug({ socket }, 'READY=1 sent to the service manager');
      resolve();
    });
  });
  delete env.NOTIFY_SOCKET;
}
