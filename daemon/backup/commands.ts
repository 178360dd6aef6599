/**
 * `vsnapd backup --out FILE` and `vsnapd restore --in FILE`: the configuration (datastore and secret
 * key) to and from one passphrase-encrypted archive (archive.ts). Backup reads the files as they are
 * (the datastore is replaced atomically on every write, so a running daemon does not disturb it).
 * Restore needs the daemon stopped: it takes the datastore lock, checks the archive by opening it as
 * a datastore in a staging folder (key check, migrations), then moves the current files aside
 * (`<name>.before-restore-<time>`) and puts the restored ones in place.
 */
import { chmod, mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { Logger } from 'pino';
import { datastoreFiles, openDatastore } from '../datastore/index.js';
import { acquireLock } from '../datastore/lock.js';
import { readKeyFile } from '../datastore/secrets.js';
import { describeFsError } from '../fs-error.js';
import { BackupError, openBackup, sealBackup } from './archive.js';

/**
 * Writes the archive of the data folder `dataDir` to `out` (mode 0600).
 * @returns the archive's size in bytes.
 * @throws BackupError when there is no datastore or key to back up, the passphrase is too short, or
 *   `out` cannot be written (the file system's refusal in plain words, daemon/fs-error.ts).
 */
export async function backupConfig(dataDir: string, out: string, passphrase: string): Promise<number> {
  const { file, keyFile } = datastoreFiles(dataDir);
  const db = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new BackupError(e.code === 'ENOENT' ? `no datastore to back up: ${file} does not exist (is the data folder ${dataDir}?)` : describeFsError(e, 'cannot read the datastore', file));
  });
  const secretKey = await readKeyFile(keyFile);
  if (!secretKey) throw new BackupError(`no secret key to back up: ${keyFile} does not exist`);
  const archive = await sealBackup({ db, secretKey }, passphrase);
  try {
    await writeFile(out, archive, { mode: 0o600 });
    await chmod(out, 0o600);
  } catch (err) {
    throw new BackupError(describeFsError(err, 'cannot write the backup', out));
  }
  return Buffer.byteLength(archive);
}

/**
 * Restores the archive `input` into the data folder `dataDir` (created when missing).
 * @returns the paths the previous files were moved to (none when the folder held none).
 * @throws BackupError (passphrase, archive), DatastoreFileError (a daemon holds the datastore, or the
 *   archive's datastore does not open with its key); the data folder is unchanged then.
 */
export async function restoreConfig(dataDir: string, input: string, passphrase: string, log: Logger): Promise<string[]> {
  const text = await readFile(input, 'utf8').catch((e: NodeJS.ErrnoException) => {
    throw new BackupError(describeFsError(e, 'cannot read the backup', input));
  });
  const contents = await openBackup(text, passphrase);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const target = datastoreFiles(dataDir);
  const release = await acquireLock(target.file);
  const staging = await mkdtemp(join(dataDir, '.restore-'));
  try {
    const staged = datastoreFiles(staging);
    await writeFile(staged.keyFile, contents.secretKey, { mode: 0o600 });
    await writeFile(staged.file, contents.db, { mode: 0o600 });
    // Opening checks that the key is the datastore's and migrates it to this version.
    const db = await openDatastore({ ...staged, log });
    await db.close();
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const moved: string[] = [];
    for (const name of [basename(target.file), basename(target.keyFile)]) {
      const aside = join(dataDir, `${name}.before-restore-${stamp}`);
      const was = await rename(join(dataDir, name), aside).then(
        () => true,
        (e: NodeJS.ErrnoException) => {
          if (e.code !== 'ENOENT') throw e;
          return false;
        },
      );
      if (was) moved.push(aside);
    }
    await rename(staged.keyFile, target.keyFile);
    await rename(staged.file, target.file);
    return moved;
  } finally {
    await rm(staging, { recursive: true, force: true });
    await release();
  }
}
