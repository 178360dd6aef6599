/**
 * `vsnapd backup` / `vsnapd restore` as real processes: a datastore holding a vCenter entry (its
 * password encrypted under the data folder's secret key) is backed up to one passphrase-encrypted
 * archive, the data folder is wiped, and the restore brings back a datastore whose stored password
 * still decrypts; a daemon starts on it. Bad passphrases, a running daemon and a missing datastore
 * are refused with clear messages and change nothing, and so are archive paths the file system refuses. A first start tells the operator to back up the key.
 */
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { datastoreFiles, openDatastore } from '../../../daemon/datastore/index.js';
import { emptyHealth, openVmwareStore } from '../../../plugins/vmware/store.js';
import { runDaemonCommand, startTestDaemon } from '../../helpers/daemon.js';
import { silentLog } from '../../helpers/tmp-datastore.js';

const PASSWORD = 'vc-Password-4b2e9';
const PASSPHRASE = 'correct horse battery staple';

const tmp = mkdtempSync(join(tmpdir(), 'vsnapd-backup-'));
t.teardown(() => rmSync(tmp, { recursive: true, force: true }));
const data = join(tmp, 'data');
const archive = join(tmp, 'vsnapd-config.backup');

/** The vCenter entry's password as the datastore decrypts it. */
async function storedPassword(): Promise<string | undefined> {
  const db = await openDatastore({ ...datastoreFiles(data), log: silentLog });
  try {
    return openVmwareStore(db).all()[0]?.password;
  } finally {
    await db.close();
  }
}

const cli = (args: string[], passphrase: string) => runDaemonCommand([...args, '--data-dir', data], { input: `${passphrase}\n` });

t.test('backup, wipe, restore: the stored vCenter password still decrypts', async (t) => {
  const none = await cli(['backup', '--out', archive], PASSPHRASE);
  t.equal(none.code, 1, 'nothing to back up yet: exit 1');
  t.match(none.stderr, `no datastore to back up: ${join(data, 'vsnapd.db.json')} does not exist`);

  const db = await openDatastore({ ...datastoreFiles(data), log: silentLog });
  await openVmwareStore(db).insert({
    hostname: 'vc1.example.invalid',
    port: 443,
    username: 'administrator@vsphere.local',
    password: PASSWORD,
    filesystem: 'tank/vmware',
    datastores: ['ds1'],
    tls: { verify: true, thumbprint: null, ca: null },
    enabled: false,
    state: { state: 'PENDING' },
    health: emptyHealth(),
  });
  await db.close();
  const key = readFileSync(datastoreFiles(data).keyFile);

  const short = await cli(['backup', '--out', archive], 'short');
  t.equal(short.code, 1, 'a short passphrase is refused');
  t.match(short.stderr, 'the passphrase must have at least 8 characters (got 5)');
  t.notOk(existsSync(archive), '… and nothing written');

  const nowhere = join(tmp, 'no-such-folder', 'b.backup');
  const lost = await cli(['backup', '--out', nowhere], PASSPHRASE);
  t.equal(lost.code, 1, 'an archive path in a missing folder is refused');
  t.match(lost.stderr, `cannot write the backup ${nowhere}: it does not exist, or a folder on its way does not [ENOENT]`);
  const intoFolder = await cli(['restore', '--in', tmp], PASSPHRASE);
  t.equal(intoFolder.code, 1, 'restoring from a folder is refused');
  t.match(intoFolder.stderr, `cannot read the backup ${tmp}: it is a folder, not a file [EISDIR]`);

  const b = await cli(['backup', '--out', archive], PASSPHRASE);
  t.equal(b.code, 0, `backup: ${b.stdout}${b.stderr}`);
  t.equal(statSync(archive).mode & 0o777, 0o600, 'the archive is mode 0600');
  const text = readFileSync(archive, 'utf8');
  t.match(JSON.parse(text), { format: 'vsnapd-config-backup', version: 1, kdf: { name: 'scrypt' }, cipher: 'aes-256-gcm' });
  t.notMatch(text, PASSWORD, 'no password in clear');
  t.notMatch(text, key.toString('base64'), 'no key in clear');
  t.notMatch(text, 'vc1.example.invalid', 'no datastore content in clear');

  rmSync(data, { recursive: true });
  const wrong = await cli(['restore', '--in', archive], 'not the passphrase');
  t.equal(wrong.code, 1, 'a wrong passphrase is refused');
  t.match(wrong.stderr, 'the backup does not decrypt: wrong passphrase, or the file was altered');
  t.notOk(existsSync(datastoreFiles(data).file), '… and no datastore appears');

  const r = await cli(['restore', '--in', archive], PASSPHRASE);
  t.equal(r.code, 0, `restore: ${r.stdout}${r.stderr}`);
  t.same(readFileSync(datastoreFiles(data).keyFile), key, 'the secret key is back');
  t.equal(await storedPassword(), PASSWORD, 'the stored vCenter password decrypts');

  const again = await cli(['restore', '--in', archive], PASSPHRASE);
  t.equal(again.code, 0, 'restoring over existing files works');
  t.equal(readdirSync(data).filter((f) => f.includes('.before-restore-')).length, 2, 'the replaced datastore and key are kept aside');

  const d = await startTestDaemon(t, { config: { data_dir: data } });
  const entries = (await (await d.root()).call('vmware.query')) as { hostname: string; password: string }[];
  t.match(entries, [{ hostname: 'vc1.example.invalid', password: '********' }], 'a daemon starts on the restored data');
  const busy = await cli(['restore', '--in', archive], PASSPHRASE);
  t.equal(busy.code, 1, 'restore while the daemon runs is refused');
  t.match(busy.stderr, new RegExp(`restore: Datastore .* is in use by process ${d.pid}`));
});

t.test('a first start tells the operator to back up the secret key', async (t) => {
  const d = await startTestDaemon(t);
  t.match(d.output(), /"level":40,[^\n]*creating secret key file: back it up with the datastore \(vsnapd backup --out FILE\)/);
});
