import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { DatastoreFileError, openDatastore } from '../../../daemon/datastore/index.js';
import { SecretBox, SecretDecryptError } from '../../../daemon/datastore/secrets.js';
import { Errno } from '../../../daemon/errors.js';
import { dbPaths, silentLog, tempDir } from '../../helpers/tmp-datastore.js';

interface Vm {
  id: number;
  hostname: string;
  password: unknown;
  token?: unknown;
}

const PASSWORD = 'S3cr3t-Pa55w0rd-for-vcenter!';
const spec = { name: 'vmware', secretFields: ['password', 'token'] } as const;

t.test('secret fields are never on disk in clear, and decrypt transparently (also after reopening)', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  const ds = await openDatastore({ file, keyFile, log: silentLog });
  const c = ds.collection<Vm>(spec);
  const row = await c.insert({ hostname: 'vc1', password: PASSWORD, token: { api: 'tok-ABCDEF-123456' } });
  t.same(row, { id: 1, hostname: 'vc1', password: PASSWORD, token: { api: 'tok-ABCDEF-123456' } }, 'insert returns the clear row');
  await c.insert({ hostname: 'vc2', password: null });
  await c.update(1, { password: `${PASSWORD}-2` });
  await ds.close();

  const text = readFileSync(file, 'utf8');
  t.notOk(text.includes(PASSWORD), 'password not in the file');
  t.notOk(text.includes('tok-ABCDEF-123456'), 'object secret not in the file');
  t.notOk(text.includes(Buffer.from(PASSWORD).toString('base64').slice(0, 16)), 'nor its base64');
  const stored = JSON.parse(text).collections.vmware.rows;
  t.match(stored[0], { hostname: 'vc1', password: { $secret: /^v1:[A-Za-z0-9+/=]+$/ }, token: { $secret: /^v1:/ } });
  t.equal(stored[1].password, null, 'null stays null');

  const again = await openDatastore({ file, keyFile, log: silentLog });
  t.teardown(() => again.close());
  t.same(again.collection<Vm>(spec).all(), [
    { id: 1, hostname: 'vc1', password: `${PASSWORD}-2`, token: { api: 'tok-ABCDEF-123456' } },
    { id: 2, hostname: 'vc2', password: null },
  ]);
});

t.test('the key file is 32 random bytes, mode 0600 whatever the umask', async (t) => {
  const dir = tempDir(t);
  const old = process.umask(0);
  t.teardown(() => void process.umask(old));
  const ds = await openDatastore({ ...dbPaths(dir), log: silentLog });
  await ds.close();
  const { keyFile, file } = dbPaths(dir);
  t.equal(statSync(keyFile).mode & 0o777, 0o600);
  t.equal(statSync(file).mode & 0o777, 0o600, 'the db file too');
  t.equal(readFileSync(keyFile).length, 32);
});

t.test('a key file readable by others is set back to 0600', async (t) => {
  const dir = tempDir(t);
  const { keyFile } = dbPaths(dir);
  writeFileSync(keyFile, randomBytes(32));
  chmodSync(keyFile, 0o644);
  const ds = await openDatastore({ ...dbPaths(dir), log: silentLog });
  await ds.close();
  t.equal(statSync(keyFile).mode & 0o777, 0o600);
});

t.test('a base64 key file is accepted', async (t) => {
  const dir = tempDir(t);
  const { keyFile } = dbPaths(dir);
  writeFileSync(keyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
  const ds = await openDatastore({ ...dbPaths(dir), log: silentLog });
  const c = ds.collection<Vm>(spec);
  await c.insert({ hostname: 'x', password: 'p' });
  await ds.close();
  const again = await openDatastore({ ...dbPaths(dir), log: silentLog });
  t.equal(again.collection<Vm>(spec).get(1)?.password, 'p');
  await again.close();
});

t.test('a key file that is not a key is refused', async (t) => {
  const dir = tempDir(t);
  const { keyFile } = dbPaths(dir);
  writeFileSync(keyFile, 'too short', { mode: 0o600 });
  await t.rejects(openDatastore({ ...dbPaths(dir), log: silentLog }), { message: new RegExp(`Secret key file ${keyFile} is not a 32-byte key \\(it has 9 bytes\\)`) });
});

async function withSecret(t: { teardown(fn: () => unknown): void }): Promise<{ dir: string; file: string; keyFile: string; content: string }> {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  const ds = await openDatastore({ file, keyFile, log: silentLog });
  await ds.collection<Vm>(spec).insert({ hostname: 'vc1', password: PASSWORD });
  await ds.close();
  return { dir, file, keyFile, content: readFileSync(file, 'utf8') };
}
t.test('a wrong key refuses to open, naming both files, leaving the db untouched', async (t) => {
  const { file, keyFile, content } = await withSecret(t);
  writeFileSync(keyFile, randomBytes(32));
  const err = await openDatastore({ file, keyFile, log: silentLog }).catch((e: unknown) => e);
  t.ok(err instanceof DatastoreFileError);
  t.match((err as Error).message, new RegExp(`Key file ${keyFile} is not the key datastore ${file} was encrypted with .*restore the original key file`));
  t.equal(readFileSync(file, 'utf8'), content);
});

t.test('a missing key file refuses to open when the db holds secrets (and no new key is made)', async (t) => {
  const { file, keyFile, content } = await withSecret(t);
  writeFileSync(`${keyFile}.moved`, readFileSync(keyFile));
  const { unlinkSync } = await import('node:fs');
  unlinkSync(keyFile);
  await t.rejects(openDatastore({ file, keyFile, log: silentLog }), { message: new RegExp(`holds encrypted secrets but the key file ${keyFile} is missing`) });
  t.notOk(existsSync(keyFile));
  t.equal(readFileSync(file, 'utf8'), content);
});

t.test('a tampered or moved ciphertext is a clear read error, not an empty password', async (t) => {
  const { file, keyFile } = await withSecret(t);
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  const sealed = doc.collections.vmware.rows[0].password;
  doc.collections.vmware.rows[0].token = sealed; // same ciphertext, other field
  const raw = Buffer.from(sealed.$secret.slice(3), 'base64');
  raw[raw.length - 1] ^= 1;
  doc.collections.vmware.rows[0].password = { $secret: `v1:${raw.toString('base64')}` };
  writeFileSync(file, JSON.stringify(doc));
  const ds = await openDatastore({ file, keyFile, log: silentLog });
  t.teardown(() => ds.close());
  const c = ds.collection<Vm>(spec);
  t.throws(() => c.all(), { name: 'CallError', errno: Errno.EIO, message: /Cannot decrypt vmware 1 field "password": vmware:password: does not decrypt with this key/ });
  await t.rejects(c.update(1, { password: 'fixed' }), { message: /Cannot decrypt vmware 1 field "token"/ }, 'a ciphertext copied to another field does not decrypt');
  t.throws(() => c.get(1), { message: /field "token"/ }, 'the update was stored; the other field is still unreadable');
  await c.update(1, { token: null });
  t.same(c.get(1), { id: 1, hostname: 'vc1', password: 'fixed', token: null });
});

t.test('fields newly declared secret are sealed at once', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  writeFileSync(file, JSON.stringify({ version: 1, collections: { vmware: { next_id: 2, rows: [{ id: 1, hostname: 'h', password: PASSWORD }] } } }));
  const ds = await openDatastore({ file, keyFile, log: silentLog });
  const c = ds.collection<Vm>(spec);
  t.equal(c.get(1)?.password, PASSWORD, 'readable before sealing');
  await ds.flush();
  t.notOk(readFileSync(file, 'utf8').includes(PASSWORD), 'sealed on disk');
  t.equal(c.get(1)?.password, PASSWORD);
  await ds.close();
});

t.test('SecretBox', async (t) => {
  const box = new SecretBox(randomBytes(32));
  for (const v of ['', 'x', 'ünïcødé {{{', 0, 12.5, true, [1, 'a'], { a: { b: null } }]) {
    t.same(box.open(box.seal(v, 'c:f'), 'c:f'), v, JSON.stringify(v));
  }
  const a = box.seal('same', 'c:f');
  const b = box.seal('same', 'c:f');
  t.not(a.$secret, b.$secret, 'random IV: equal values differ on disk');
  t.throws(() => box.open(a, 'c:other'), SecretDecryptError);
  t.throws(() => new SecretBox(randomBytes(32)).open(a, 'c:f'), { message: /c:f: does not decrypt with this key/ });
  t.throws(() => box.open({ $secret: 'v2:abc' }, 'c:f'), { message: /unknown secret format/ });
  t.throws(() => box.open({ $secret: 'v1:abc' }, 'c:f'), { message: /truncated/ });
  t.throws(() => new SecretBox(randomBytes(16)), RangeError);
});
