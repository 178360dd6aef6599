/**
 * Where the zfs commands that mount and unmount run, so that their mounts land in the host's mount
 * namespace, where the NFS server and the admin look.
 *
 * A systemd unit with ProtectSystem=, PrivateTmp= and the like runs in a mount namespace of its own
 * whose root is a slave of the host's (systemd.exec(5)): the host's mounts reach the unit, the unit's
 * never reach the host. OpenZFS's `zfs clone` would then mount the clone where nfsd cannot see it,
 * and `zfs destroy` (OpenZFS or zfs-fuse) would unmount only the unit's copy. So the daemon asks
 * PID 1 to run those commands as transient services (`systemd-run --wait --pipe`), in PID 1's
 * namespace; every other zfs command (list, get, snapshot, send) runs directly.
 *
 * Config `zfs.mount_via`: `"auto"` (default: systemd-run when the daemon runs as a systemd service,
 * `$INVOCATION_ID` set, and its root mount is a slave, else directly), `[]` (always directly), or an
 * explicit command prefix such as `["systemd-run", "--wait", "--pipe", "--"]`.
 */
import { readFileSync } from 'node:fs';

/**
 * zfs(8) subcommands that mount, unmount or remount datasets: `create`, `clone` and `receive` mount
 * the new dataset, `destroy` unmounts it, `set`/`inherit` of mountpoint, canmount or sharenfs remount,
 * `rename`, `promote` and `rollback` remount.
 */
export const MOUNTING_SUBCOMMANDS: ReadonlySet<string> = new Set(['create', 'clone', 'receive', 'destroy', 'set', 'inherit', 'rename', 'promote', 'rollback', 'mount', 'unmount']);

/** The `zfs.mount_via` setting: `"auto"` or a command prefix (`[]`: none). */
export type MountVia = 'auto' | readonly string[];

/**
 * Whether the root mount (`/`) in a `/proc/self/mountinfo` text is a slave: its optional fields
 * (between the mount options and the `-` separator, proc(5)) hold `master:N`.
 */
export function rootIsSlave(mountinfo: string): boolean {
  // The last line for "/" is the one in effect (a later mount over / hides the earlier ones).
  const root = mountinfo
    .split('\n')
    .map((line) => line.split(' '))
    .filter((f) => f[4] === '/')
    .at(-1);
  if (!root) return false;
  const end = root.indexOf('-', 6);
  return root.slice(6, end < 0 ? undefined : end).some((f) => f.startsWith('master:'));
}

/**
 * The `systemd-run` prefix: a transient service of PID 1 that runs the command with our stdout and
 * stderr (`--pipe`), whose exit status systemd-run returns (`--wait`), in the C locale, stopped by
 * systemd after `timeoutMs` (RuntimeMaxSec=, whole seconds, at least 1) should systemd-run be
 * killed first.
 */
export function systemdRunPrefix(timeoutMs: number): string[] {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  return [
    'systemd-run',
    '--quiet',
    '--wait',
    '--pipe',
    '--collect',
    '--no-ask-password',
    '--service-type=exec',
    `--property=RuntimeMaxSec=${seconds}`,
    '--setenv=LC_ALL=C',
    '--setenv=LANG=C',
    '--',
  ];
}

/** What `"auto"` looks at (injectable for tests). */
export interface MountNamespaceFacts {
  /** `$INVOCATION_ID`: systemd sets it for every service it starts. */
  readonly invocationId: string | undefined;
  /** Reads `/proc/self/mountinfo`. */
  readonly mountinfo: () => string;
}

const processFacts: MountNamespaceFacts = {
  invocationId: process.env['INVOCATION_ID'],
  mountinfo: () => readFileSync('/proc/self/mountinfo', 'utf8'),
};

/**
 * The prefix the mounting zfs commands run with (`[]`: directly). `"auto"` chooses
 * {@link systemdRunPrefix} for a systemd service whose root mount is a slave, else `[]`; an array
 * is used as given. An unreadable mountinfo counts as not a slave.
 */
export function resolveMountVia(setting: MountVia, timeoutMs: number, facts: MountNamespaceFacts = processFacts): readonly string[] {
  if (setting !== 'auto') return setting;
  if (!facts.invocationId) return [];
  let mountinfo = '';
  try {
    mountinfo = facts.mountinfo();
  } catch {
    return [];
  }
  return rootIsSlave(mountinfo) ? systemdRunPrefix(timeoutMs) : [];
}
