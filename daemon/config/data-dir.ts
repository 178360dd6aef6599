/**
 * Creating the data folder (`data_dir`) with a clear message for what the file system refuses:
 * a file in the way, a parent that is a file, no permission, a read-only file system.
 */
import { mkdirSync, statSync } from 'node:fs';
import { describeFsError, errnoName } from '../fs-error.js';
import { ConfigError } from './errors.js';

/** What to tell the operator for a file-system error met while creating `dir`. */
function explain(dir: string, err: unknown): string {
  switch (errnoName(err)) {
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
      return describeFsError(err, 'data_dir: cannot create the folder', dir);
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
    throw new ConfigError(explain(dir, err), { cause: err });
  }
  // mkdir -p succeeds on an existing path only when it is a folder; a symlink to a file fails above.
  if (!statSync(dir).isDirectory()) throw new ConfigError(explain(dir, Object.assign(new Error('not a folder'), { code: 'EEXIST' })));
}
