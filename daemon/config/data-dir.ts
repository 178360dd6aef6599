/**
 * Creating the data folder (`data_dir`) with a clear message for what the file system refuses:
 * a file in the way, a parent that is a file, no permission, a read-only file system.
 */
import { mkdirSync, statSync } from 'node:fs';
import { ConfigError } from './errors.js';

/** What to tell the operator for a file-system error code met while creating `dir`. */
function explain(dir: string, code: string | undefined): string {
  switch (code) {
    case 'EEXIST':
      return `data_dir ${dir} exists but is not a folder (a file is in the way): move it away or set data_dir (--data-dir, VSNAPD_DATA_DIR) to a folder`;
    case 'ENOTDIR':
      return `data_dir ${dir}: a parent of it is a file, not a folder: set data_dir (--data-dir, VSNAPD_DATA_DIR) to a path under a folder`;
    case 'EACCES':
    case 'EPERM':
      return `data_dir ${dir}: permission denied: run vsnapd as root or set data_dir (--data-dir, VSNAPD_DATA_DIR) to a folder this user may write`;
    case 'EROFS':
      return `data_dir ${dir} is on a read-only file system: set data_dir (--data-dir, VSNAPD_DATA_DIR) to a writable folder`;
    case 'ENOSPC':
      return `data_dir ${dir}: no space left on the device`;
    default:
      return `data_dir ${dir}: cannot create the folder (${code ?? 'unknown error'})`;
  }
}

/**
 * Creates `dir` (mode 0700, with parents) unless it is already a folder.
 * @throws ConfigError (exit code 2) with a message naming data_dir and what to do.
 */
export function prepareDataDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new ConfigError(explain(dir, (err as NodeJS.ErrnoException).code), { cause: err });
  }
  // mkdir -p succeeds on an existing path only when it is a folder; a symlink to a file fails above.
  if (!statSync(dir).isDirectory()) throw new ConfigError(explain(dir, 'EEXIST'));
}
