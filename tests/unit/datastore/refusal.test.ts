import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { DatastoreFileError, openDatastore } from '../../../daemon/datastore/index.js';
import { dbPaths, silentLog, tempDir } from '../../helpers/tmp-datastore.js';

/**
 * Each case writes `content` as the db file, expects openDatastore to refuse with a message naming
 * the file and matching `why`, and checks the file is byte-for-byte and mtime untouched, no key
 * file was created and the lock was released.
 */
const cases: [string, string, RegExp][] = [
  ['not JSON', '{"version": 1, "collections": {', /is not valid JSON \(.+\); it was left untouched/],
  ['empty file (e.g. truncated by a crash)', '', /is not valid JSON/],
  ['JSON null (lowdb would take it for "no file")', 'null', /does not hold a JSON object \(found null\)/],
  ['JSON array', '[]', /does not hold a JSON object/],
  ['JSON false', 'false', /does not hold a JSON object/],
  ['no version', '{"collections": {}}', /has no valid "version" \(found undefined\)/],
  ['version as a string', '{"version": "1", "collections": {}}', /has no valid "version" \(found "1"\)/],
  ['version 0', '{"version": 0, "collections": {}}', /has no valid "version"/],
  ['future version', '{"version": 99, "collections": {}}', /format version 99, newer than this vsnapd knows \(1\).*Upgrade vsnapd/],
  ['collections missing', '{"version": 1}', /is damaged \(collections: .+\)/],
  ['rows not a list', '{"version": 1, "collections": {"vmware": {"next_id": 1, "rows": {}}}}', /is damaged \(collections\.vmware\.rows: /],
  ['row without id', '{"version": 1, "collections": {"vmware": {"next_id": 2, "rows": [{"hostname": "x"}]}}}', /is damaged \(collections\.vmware\.rows\.0\.id: /],
  ['duplicate ids', '{"version": 1, "collections": {"vmware": {"next_id": 3, "rows": [{"id": 1}, {"id": 1}]}}}', /collections\.vmware\.rows\.1\.id: duplicate id 1/],
  ['id not below next_id', '{"version": 1, "collections": {"vmware": {"next_id": 2, "rows": [{"id": 5}]}}}', /id 5 is not below next_id 2/],
  ['bad key_check', '{"version": 1, "key_check": "x", "collections": {}}', /is damaged \(key_check: /],
];

for (const [name, content, why] of cases) {
  t.test(`refuses to open: ${name}`, async (t) => {
    const dir = tempDir(t);
    const { file, keyFile } = dbPaths(dir);
    writeFileSync(file, content);
    const mtime = statSync(file).mtimeMs;
    const err = await openDatastore({ file, keyFile, log: silentLog }).then(
      (ds) => ds.close().then(() => t.fail('opened')),
      (e: unknown) => e,
    );
    t.ok(err instanceof DatastoreFileError, 'a DatastoreFileError');
    t.match((err as Error).message, file, 'names the file');
    t.match((err as Error).message, why);
    t.equal(readFileSync(file, 'utf8'), content, 'content untouched');
    t.equal(statSync(file).mtimeMs, mtime, 'not rewritten');
    t.notOk(existsSync(keyFile), 'no key file created');
    t.notOk(existsSync(`${file}.lock`), 'lock released');
  });
}

t.test('after fixing the file it opens', async (t) => {
  const dir = tempDir(t);
  const { file, keyFile } = dbPaths(dir);
  writeFileSync(file, '{oops');
  await t.rejects(openDatastore({ file, keyFile, log: silentLog }), DatastoreFileError);
  writeFileSync(file, '{"version": 1, "collections": {"vmware": {"next_id": 2, "rows": [{"id": 1, "hostname": "vc"}]}}, "future_key": true}');
  const ds = await openDatastore({ file, keyFile, log: silentLog });
  t.same(ds.collection({ name: 'vmware' }).all(), [{ id: 1, hostname: 'vc' }]);
  await ds.close();
  t.equal(JSON.parse(readFileSync(file, 'utf8')).future_key, true, 'unknown top-level keys are kept');
});

t.test('an unreadable path is a clear error', async (t) => {
  const dir = tempDir(t);
  const err = await openDatastore({ file: dir, keyFile: `${dir}/k`, log: silentLog }).catch((e: unknown) => e);
  t.ok(err instanceof DatastoreFileError);
  t.match((err as Error).message, new RegExp(`Cannot read datastore ${dir}`));
});
