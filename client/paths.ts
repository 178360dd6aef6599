/**
 * Default file locations shared by the daemon and `midclt`, so that both agree on where the local
 * socket is without any configuration. Root gets the system folders (`/run/vsnapd`, `/var/lib/vsnapd`);
 * other users get per-user folders (XDG base directories), so a developer can run the daemon unprivileged.
 */
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variables these defaults read (a subset of `process.env`). */
export type PathEnv = Readonly<Record<string, string | undefined>>;

/** The uid whose defaults apply; `process.getuid` is absent on Windows, where we behave as non-root. */
function currentUid(): number {
  return typeof process.getuid === 'function' ? process.getuid() : -1;
}

/**
 * The daemon's run folder: `/run/vsnapd` for root, else `$XDG_RUNTIME_DIR/vsnapd`, else `/tmp/vsnapd-<uid>`.
 */
export function defaultRunDir(env: PathEnv = process.env, uid: number = currentUid()): string {
  if (uid === 0) return '/run/vsnapd';
  if (env.XDG_RUNTIME_DIR) return join(env.XDG_RUNTIME_DIR, 'vsnapd');
  return join(tmpdir(), `vsnapd-${uid}`);
}

/** The local API socket: `<run folder>/vsnapd.sock` (see {@link defaultRunDir}). */
export function defaultSocketPath(env: PathEnv = process.env, uid: number = currentUid()): string {
  return join(defaultRunDir(env, uid), 'vsnapd.sock');
}

/**
 * The socket `midclt` and the client library use when no URL is given: `$VSNAPD_SOCKET`, else
 * {@link defaultSocketPath}.
 */
export function localSocketPath(env: PathEnv = process.env, uid: number = currentUid()): string {
  return env.VSNAPD_SOCKET || defaultSocketPath(env, uid);
}

/** The data folder: `/var/lib/vsnapd` for root, else `$XDG_STATE_HOME/vsnapd` or `~/.local/state/vsnapd`. */
export function defaultDataDir(env: PathEnv = process.env, uid: number = currentUid()): string {
  if (uid === 0) return '/var/lib/vsnapd';
  if (env.XDG_STATE_HOME) return join(env.XDG_STATE_HOME, 'vsnapd');
  return join(homedir(), '.local', 'state', 'vsnapd');
}
