/** Preparing the Unix socket path: parent folder, stale socket files, permissions. */
import { chmodSync, lstatSync, mkdirSync, unlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname } from 'node:path';

/** Longest Unix socket path Linux accepts, in bytes. */
export const MAX_SOCKET_PATH = 107;

/** True when something accepts connections on the socket at `path`. */
function socketAlive(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect(path);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/**
 * Makes `path` ready to bind: creates its folder (0700 when created), removes a stale socket left by
 * a crashed daemon. Throws when another daemon is listening there or the path is not a socket.
 */
export async function prepareSocketPath(path: string): Promise<void> {
  // sockaddr_un.sun_path holds 108 bytes with the NUL; Linux would silently bind a truncated path.
  if (Buffer.byteLength(path) > MAX_SOCKET_PATH) {
    throw new Error(`socket path ${path} is ${Buffer.byteLength(path)} bytes long; Unix sockets allow at most ${MAX_SOCKET_PATH}`);
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  let stat;
  try {
    stat = lstatSync(path);
  } catch {
    return;
  }
  if (!stat.isSocket()) throw new Error(`${path} exists and is not a socket; refusing to replace it`);
  if (await socketAlive(path)) throw new Error(`another daemon is already listening on ${path}`);
  unlinkSync(path);
}

/** Sets the socket to 0600: only root (the daemon's user) may connect, since connections are trusted as root. */
export function restrictSocket(path: string): void {
  chmodSync(path, 0o600);
}

/** Removes the socket file, ignoring a missing one. */
export function removeSocket(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
