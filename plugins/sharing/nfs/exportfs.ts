/**
 * Reloads the kernel NFS server's export table with `exportfs -ra` (re-export everything listed in
 * /etc/exports and /etc/exports.d/*.exports, drop what is gone). A machine without an NFS server
 * (no `exportfs`: Debian's nfs-kernel-server is not installed) is a normal state for vsnapd, e.g.
 * when the datastores are iSCSI or the exports are managed elsewhere: the file is still written and
 * the reload is reported as NOT_INSTALLED, never as a failed call.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { loadExeca } from '../../../daemon/lazy.js';

/** Outcome of a reload attempt. */
export type ReloadState = 'RELOADED' | 'NOT_INSTALLED' | 'FAILED';

/** What {@link reloadExports} reports. */
export interface ReloadResult {
  state: ReloadState;
  /** The exportfs binary used (absolute), null when none was found. */
  binary: string | null;
  /** Human-readable detail: why it was not installed, or exportfs's error output. */
  message: string;
}

/** Folders searched besides PATH: exportfs lives in /usr/sbin, often missing from a service's PATH. */
const SBIN = ['/usr/local/sbin', '/usr/sbin', '/sbin'];

/** True when `file` exists and is executable. */
async function executable(file: string): Promise<boolean> {
  try {
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the exportfs binary: `configured` as is when it contains a `/`, otherwise that name in PATH
 * and the sbin folders. Returns the absolute path or null.
 */
export async function findExportfs(configured: string, envPath = process.env.PATH ?? ''): Promise<string | null> {
  if (configured.includes('/')) return (await executable(configured)) ? configured : null;
  const dirs = [...envPath.split(delimiter).filter((d) => d.startsWith('/')), ...SBIN];
  for (const dir of new Set(dirs)) {
    const candidate = join(dir, configured);
    if (await executable(candidate)) return candidate;
  }
  return null;
}

/**
 * Runs `exportfs -ra` with the binary found from `configured` (see {@link findExportfs}).
 * Never throws: a missing binary is NOT_INSTALLED, a non-zero exit or a timeout (`timeoutMs`,
 * default 30 s) is FAILED with exportfs's stderr as the message.
 */
export async function reloadExports(configured: string, timeoutMs = 30_000): Promise<ReloadResult> {
  const binary = await findExportfs(configured);
  if (!binary) {
    return {
      state: 'NOT_INSTALLED',
      binary: null,
      message: `NFS server not installed: ${configured} not found (install nfs-kernel-server to serve the exports)`,
    };
  }
  const { execa } = await loadExeca();
  const r = await execa(binary, ['-ra'], { reject: false, timeout: timeoutMs });
  if (r.exitCode === 0 && !r.timedOut) {
    return { state: 'RELOADED', binary, message: r.stderr.trim() || 'exports reloaded' };
  }
  const detail = r.timedOut ? `timed out after ${timeoutMs} ms` : (r.stderr.trim() || r.shortMessage);
  return { state: 'FAILED', binary, message: `${binary} -ra failed: ${detail}` };
}
