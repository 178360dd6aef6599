import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { DatastoreFileError, MIGRATIONS, openDatastore, type Migration } from '../../../daemon/datastore/index.js';
import { targetVersion } from '../../../daemon/datastore/schema.js';
import { dbPaths, silentLog, tempDir } from '../../helpers/tmp-datastore.js';

const v1 = {
  version: 1,
  collections: {
    vmware: { next_id: 3, rows: [{ id: 1, host: 'vc1' }, { id: 2, host: 'vc2' }] },
  },
};

/** v2 renames `host` to `hostname`; v3 adds `enabled: true` to every row (returning a new document). */
const migrations: Migration[] = [
  {
    version: 2,
    description: 'rename vmware.host to hostname',
    up(data) {
      for (const row of data.collections.vmware?.rows ?? []) {
        row.hostname = row.host;
        delete row.host;
      }
    },
  },
  {
    version: 3,
    description: 'vmware.enabled defaults to true',
    up(data) {
      const copy = structuredClone(data);
      for (const row of copy.collections.vmware?.rows ?? []) row.enabled = true;
      return copy;
    },
  },
];

const backups = (dir: string): string[] => readdirSync(dir).filter((f) => f.endsWith('.bak'));

t.test('vsnapd ships a valid migration list', async (t) => {
  t.ok(targetVersion(MIGRATIONS) >= 1);
});

t.test('an old file is backed up, migrated in order and written at the new version', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  const original = JSON.stringify(v1);
  writeFileSync(file, original);
  const ds = await openDatastore({ file, keyFile, log: silentLog, migrations });
  t.equal(ds.version, 3);
  t.same(ds.collection({ name: 'vmware' }).all(), [
    { id: 1, hostname: 'vc1', enabled: true },
    { id: 2, hostname: 'vc2', enabled: true },
  ]);
  await ds.close();
  const doc = JSON.parse(readFileSync(file, 'utf8'));
  t.equal(doc.version, 3, 'written at once');
  t.equal(doc.collections.vmware.next_id, 3);
  const [bak] = backups(dir);
  t.match(bak, /^vsnapd\.db\.json\.v1-\d{8}T\d+Z\.bak$/);
  t.equal(readFileSync(join(dir, bak), 'utf8'), original, 'the backup is the old file');
  t.equal(statSync(join(dir, bak)).mode & 0o777, 0o600);

  const again = await openDatastore({ file, keyFile, log: silentLog, migrations });
  await again.close();
  t.equal(backups(dir).length, 1, 'no migration (and no backup) when current');
});

t.test('only the missing migrations run', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  writeFileSync(file, JSON.stringify({ version: 2, collections: { vmware: { next_id: 2, rows: [{ id: 1, hostname: 'x', host: 'kept' }] } } }));
  const ds = await openDatastore({ file, keyFile, log: silentLog, migrations });
  t.same(ds.collection({ name: 'vmware' }).all(), [{ id: 1, hostname: 'x', host: 'kept', enabled: true }]);
  await ds.close();
});

t.test('a new file starts at the latest version without migrating', async (t) => {
  const dir = tempDir(t);
  const ds = await openDatastore({ ...dbPaths(dir), log: silentLog, migrations });
  t.equal(ds.version, 3);
  await ds.close();
  t.same(backups(dir), []);
});

t.test('a failing migration refuses to open and leaves the file untouched', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  const original = JSON.stringify(v1);
  writeFileSync(file, original);
  const broken: Migration[] = [
    migrations[0],
    {
      version: 3,
      description: 'explodes',
      up() {
        throw new Error('boom');
      },
    },
  ];
  const err = await openDatastore({ file, keyFile, log: silentLog, migrations: broken }).catch((e: unknown) => e);
  t.ok(err instanceof DatastoreFileError);
  t.match((err as Error).message, new RegExp(`Datastore ${file}: migration to version 3 \\(explodes\\) failed: boom; the file was left untouched \\(copy at .+\\.bak\\)`));
  t.equal(readFileSync(file, 'utf8'), original);
});

t.test('a migration producing a damaged document is refused', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  writeFileSync(file, JSON.stringify(v1));
  const bad: Migration[] = [{ version: 2, description: 'drops ids', up: (d) => void d.collections.vmware.rows.forEach((r) => delete (r as Record<string, unknown>).id) }];
  await t.rejects(openDatastore({ file, keyFile, log: silentLog, migrations: bad }), { message: /is damaged \(collections\.vmware\.rows\.0\.id/ });
  t.equal(readFileSync(file, 'utf8'), JSON.stringify(v1));
});

t.test('migration lists must be numbered 2, 3, …', async (t) => {
  t.equal(targetVersion([]), 1);
  t.throws(() => targetVersion([{ version: 3, description: 'x', up: () => undefined }]), /has version 3; expected 2/);
  t.throws(() => targetVersion([migrations[0], migrations[0]]), /#1 has version 2; expected 3/);
});
