import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdirSync, readFileSync, rmdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { openDatastore } from '../../../daemon/datastore/index.js';
import { processStartTicks } from '../../../daemon/process-identity.js';
import { CallError, Errno } from '../../../daemon/errors.js';
import { dbPaths, openTemp, silentLog, tempDir } from '../../helpers/tmp-datastore.js';

interface Host {
  id: number;
  hostname: string;
  port: number;
  tags?: string[];
  note?: string | null;
}

const onDisk = (file: string): { version: number; collections: Record<string, { next_id: number; rows: Record<string, unknown>[] }> } =>
  JSON.parse(readFileSync(file, 'utf8'));

t.test('a fresh datastore: file and key created 0600, format version 1', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  const ds = await openTemp(t, dir);
  t.equal(ds.version, 1);
  t.equal(statSync(file).mode & 0o777, 0o600);
  t.equal(statSync(keyFile).mode & 0o777, 0o600);
  t.equal(statSync(keyFile).size, 32);
  const doc = onDisk(file);
  t.equal(doc.version, 1);
  t.same(doc.collections, {});
  t.match(doc, { key_check: { $secret: /^v1:/ } });
});

t.test('insert, get, all, update, delete', async (t) => {
  const dir = tempDir(t);
  const ds = await openTemp(t, dir);
  const c = ds.collection<Host>({ name: 'vmware' });
  t.same(c.all(), []);
  const a = await c.insert({ hostname: 'vc1', port: 443, tags: ['x'] });
  const b = await c.insert({ hostname: 'vc2', port: 8443, id: 77 } as Omit<Host, 'id'>);
  t.same(a, { id: 1, hostname: 'vc1', port: 443, tags: ['x'] });
  t.equal(b.id, 2, 'an id in the data is ignored');
  t.same(c.get(2), { id: 2, hostname: 'vc2', port: 8443 });
  t.equal(c.get(3), undefined);
  t.same(await c.update(1, { port: 444, note: undefined, id: 9 } as Partial<Host>), { id: 1, hostname: 'vc1', port: 444, tags: ['x'] }, 'shallow merge; undefined = not given; id kept');
  t.same(await c.update(1, { note: null }), { id: 1, hostname: 'vc1', port: 444, tags: ['x'], note: null });
  t.equal(await c.delete(2), true);
  t.equal(await c.delete(2), false);
  const d = await c.insert({ hostname: 'vc3', port: 1 });
  t.equal(d.id, 3, 'ids are never reused');
  t.same(c.all().map((r) => r.id), [1, 3], 'id order');
  t.same(onDisk(dbPaths(dir).file).collections.vmware, { next_id: 4, rows: c.all() }, 'memory equals disk');

  const err = await c.update(42, { port: 1 }).catch((e: unknown) => e);
  t.ok(err instanceof CallError);
  t.equal((err as CallError).errno, Errno.ENOENT);
  t.equal((err as CallError).message, 'vmware 42 does not exist');
});

t.test('reads are deep copies', async (t) => {
  const ds = await openTemp(t, tempDir(t));
  const c = ds.collection<Host>({ name: 'vmware' });
  const inserted = await c.insert({ hostname: 'vc1', port: 443, tags: ['x'] });
  inserted.tags?.push('changed');
  const one = c.get(1);
  one?.tags?.push('changed');
  c.all()[0].hostname = 'changed';
  t.same(c.get(1), { id: 1, hostname: 'vc1', port: 443, tags: ['x'] });
});

t.test('stored values are JSON: Dates become strings, functions/undefined vanish, BigInt is refused', async (t) => {
  const ds = await openTemp(t, tempDir(t));
  const c = ds.collection<{ id: number; at: unknown; f?: unknown }>({ name: 'x' });
  const r = await c.insert({ at: new Date(0), f: () => 1 });
  t.same(r, { id: 1, at: '1970-01-01T00:00:00.000Z' });
  await t.rejects(c.insert({ at: 1n }), { name: 'CallError', errno: Errno.EINVAL, message: /A row of x cannot be stored/ });
});

t.test('200 concurrent inserts and updates lose nothing', async (t) => {
  const dir = tempDir(t);
  const ds = await openTemp(t, dir);
  const c = ds.collection<Host>({ name: 'vmware' });
  const other = ds.collection<Host>({ name: 'other' });
  const inserted = await Promise.all(
    Array.from({ length: 200 }, (_, i) => (i % 2 ? other : c).insert({ hostname: `h${i}`, port: i })),
  );
  t.same(new Set(inserted.filter((_, i) => i % 2 === 0).map((r) => r.id)).size, 100, 'unique ids');
  await Promise.all(inserted.map((r, i) => (i % 2 ? other : c).update(r.id, { port: r.port + 1000 })));
  // Interleave updates of the same row: the last one queued wins, none is lost.
  await Promise.all(Array.from({ length: 50 }, (_, i) => c.update(1, { tags: [`t${i}`] })));
  t.equal(c.all().length, 100);
  t.equal(other.all().length, 100);
  t.ok(c.all().every((r) => r.port >= 1000));
  t.same(c.get(1)?.tags, ['t49']);
  await ds.close();
  const again = await openDatastore({ ...dbPaths(dir), log: silentLog });
  t.teardown(() => again.close());
  const c2 = again.collection<Host>({ name: 'vmware' });
  t.equal(c2.all().length, 100, 'all on disk after reopen');
  t.ok(c2.all().every((r) => r.port >= 1000));
  t.equal(again.collection<Host>({ name: 'other' }).all().length, 100);
});

t.test('a failed write rejects its changes and leaves memory and disk as they were', async (t) => {
  const dir = tempDir(t);
  const { file } = dbPaths(dir);
  const ds = await openTemp(t, dir);
  const c = ds.collection<Host>({ name: 'vmware' });
  await c.insert({ hostname: 'vc1', port: 1 });
  const before = readFileSync(file, 'utf8');
  mkdirSync(`${file}.tmp`); // the temp file cannot be created: the write fails
  const results = await Promise.allSettled([c.insert({ hostname: 'vc2', port: 2 }), c.update(1, { port: 9 })]);
  t.same(results.map((r) => r.status), ['rejected', 'rejected']);
  t.match((results[0] as PromiseRejectedResult).reason, { name: 'CallError', message: /Cannot write datastore/ });
  t.same(c.all(), [{ id: 1, hostname: 'vc1', port: 1 }], 'memory unchanged');
  t.equal(readFileSync(file, 'utf8'), before, 'disk unchanged');
  rmdirSync(`${file}.tmp`);
  t.same(await c.insert({ hostname: 'vc2', port: 2 }), { id: 2, hostname: 'vc2', port: 2 }, 'works again; the failed insert took no id');
});

t.test('close: waits for queued writes, refuses new ones, releases the lock', async (t) => {
  const dir = tempDir(t);
  const ds = await openDatastore({ ...dbPaths(dir), log: silentLog });
  const c = ds.collection<Host>({ name: 'vmware' });
  const pending = c.insert({ hostname: 'vc1', port: 1 });
  await ds.close();
  t.same(await pending, { id: 1, hostname: 'vc1', port: 1 }, 'queued before close: written');
  await t.rejects(c.insert({ hostname: 'late', port: 2 }), { name: 'CallError', errno: Errno.ECANCELED, message: /closed/ });
  await ds.close(); // idempotent
  const again = await openDatastore({ ...dbPaths(dir), log: silentLog });
  t.equal(again.collection<Host>({ name: 'vmware' }).all().length, 1);
  await again.close();
});

t.test('lock file: a second open is refused while the first is open; a stale lock is taken over', async (t) => {
  const dir = tempDir(t);
  const { file } = dbPaths(dir);
  const ds = await openDatastore({ ...dbPaths(dir), log: silentLog });
  await t.rejects(openDatastore({ ...dbPaths(dir), log: silentLog }), {
    name: 'DatastoreFileError',
    message: new RegExp(`${file} is in use by process ${process.pid} \\(lock file ${file}\\.lock\\)`),
  });
  await ds.close();
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  writeFileSync(`${file}.lock`, `${dead}\n`);
  const again = await openDatastore({ ...dbPaths(dir), log: silentLog });
  t.match(readFileSync(`${file}.lock`, 'utf8'), new RegExp(`^${process.pid} [0-9a-f-]{36} \\d+\n$`), 'pid, boot id, start time');
  await again.close();
});

t.test('lock file: a live process that is not the owner does not hold it (reboot, pid reuse)', async (t) => {
  const dir = tempDir(t);
  const { file } = dbPaths(dir);
  const lock = `${file}.lock`;
  // A foreign live process (not a vsnapd) whose pid an old lock file names.
  const foreign = spawn('sleep', ['300'], { stdio: 'ignore' });
  t.teardown(() => void foreign.kill('SIGKILL'));
  await once(foreign, 'spawn');
  const pid = foreign.pid!;
  const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  const ticks = processStartTicks(pid)!;
  const btime = Number(/^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'))![1]);
  const takenOver = async (content: string, what: string, mtimeS?: number) => {
    writeFileSync(lock, content);
    if (mtimeS !== undefined) utimesSync(lock, mtimeS, mtimeS);
    const ds = await openDatastore({ ...dbPaths(dir), log: silentLog });
    t.match(readFileSync(lock, 'utf8'), new RegExp(`^${process.pid} `), `${what}: taken over`);
    await ds.close();
  };
  await takenOver(`${pid}\n`, 'old format (pid only) written before this boot: the reboot case', btime - 3600);
  await takenOver(`${pid} 00000000-0000-4000-8000-000000000000 ${ticks}\n`, 'written in another boot');
  await takenOver(`${pid} ${boot} ${Number(ticks) - 1}\n`, 'same boot, the pid now names a later process');
  const refused = async (content: string, what: string) => {
    writeFileSync(lock, content);
    await t.rejects(openDatastore({ ...dbPaths(dir), log: silentLog }), { name: 'DatastoreFileError', message: new RegExp(`in use by process ${pid} `) }, what);
  };
  await refused(`${pid} ${boot} ${ticks}\n`, 'the process that wrote it still runs: refused');
  await refused(`${pid}\n`, 'old format written during this boot by a running pid: refused, as before');
});

t.test('collections: names checked, same object per name, secret fields must agree', async (t) => {
  const ds = await openTemp(t, tempDir(t));
  t.throws(() => ds.collection({ name: '' }), /Invalid collection name/);
  t.throws(() => ds.collection({ name: '__proto__' }), /Invalid collection name/);
  t.throws(() => ds.collection({ name: 'a b' }), /Invalid collection name/);
  const a = ds.collection({ name: 'pool.snapshottask', secretFields: ['x', 'y'] });
  t.equal(ds.collection({ name: 'pool.snapshottask', secretFields: ['y', 'x'] }), a);
  t.throws(() => ds.collection({ name: 'pool.snapshottask' }), /different secret fields/);
});

t.test('flush resolves when queued writes are on disk', async (t) => {
  const dir = tempDir(t);
  const ds = await openTemp(t, dir);
  const c = ds.collection<Host>({ name: 'vmware' });
  void c.insert({ hostname: 'vc1', port: 1 });
  void c.insert({ hostname: 'vc2', port: 2 });
  await ds.flush();
  t.equal(onDisk(dbPaths(dir).file).collections.vmware.rows.length, 2);
});

t.test('unique keys are checked inside the serialised write: concurrent inserts and updates cannot both pass', async (t) => {
  const ds = await openTemp(t, tempDir(t));
  const c = ds.collection<Host>({ name: 'hosts', unique: [{ fields: ['hostname', 'port'], message: 'This host and port are taken' }] });
  const results = await Promise.allSettled(Array.from({ length: 5 }, () => c.insert({ hostname: 'vc', port: 443 }, { schema: 'host_create' })));
  t.equal(results.filter((r) => r.status === 'fulfilled').length, 1, 'one insert of five concurrent ones wins');
  for (const r of results.filter((x) => x.status === 'rejected')) {
    t.match(r.reason, { name: 'ValidationErrors', errors: [{ attribute: 'host_create.port', message: 'This host and port are taken', errno: Errno.EEXIST }] });
  }
  t.equal(c.all().length, 1);
  const other = await c.insert({ hostname: 'vc', port: 444 });
  await t.rejects(c.update(other.id, { port: 443 }), { errors: [{ attribute: 'hosts.port', errno: Errno.EEXIST }] }, 'an update onto a taken key is refused (default prefix: the collection)');
  t.same(await c.update(other.id, { note: 'x' }), { ...other, note: 'x' }, 'a row does not clash with itself');
  t.same(c.all().map((r) => r.port), [443, 444], 'nothing changed by the refused writes');
  t.throws(() => ds.collection({ name: 'sealed', secretFields: ['password'], unique: [{ fields: ['password'], message: 'x' }] }), /secret fields cannot be unique/);
});
