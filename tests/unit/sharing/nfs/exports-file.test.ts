import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { syncExportsFile, writeFileAtomic } from '../../../../plugins/sharing/nfs/exports-file.js';

t.test('atomic write creates the folder, sets 0644 and leaves no temp file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-exports-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'exports.d', 'vsnapd.exports');
  await writeFileAtomic(file, 'one\n');
  await writeFileAtomic(file, 'two\n');
  t.equal(await readFile(file, 'utf8'), 'two\n');
  t.equal((await stat(file)).mode & 0o777, 0o644);
  t.same(await readdir(join(dir, 'exports.d')), ['vsnapd.exports']);
});

t.test('a failed write leaves the old file and no temp file', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-exports-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'vsnapd.exports');
  await writeFile(file, 'old\n');
  // Renaming a file over a non-empty directory fails: simulate with a directory at the target.
  const blocked = join(dir, 'blocked');
  await writeFileAtomic(join(blocked, 'x'), 'x');
  await t.rejects(writeFileAtomic(blocked, 'new\n'));
  t.equal(await readFile(file, 'utf8'), 'old\n');
  t.same((await readdir(dir)).sort(), ['blocked', 'vsnapd.exports']);
});

t.test('sync reports changes and removes the file when there is nothing to export', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-exports-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'vsnapd.exports');
  t.same(await syncExportsFile(file, null), { changed: false }, 'nothing to remove');
  t.same(await syncExportsFile(file, 'a\n'), { changed: true });
  t.same(await syncExportsFile(file, 'a\n'), { changed: false });
  t.same(await syncExportsFile(file, 'b\n'), { changed: true });
  t.same(await syncExportsFile(file, null), { changed: true });
  t.same(await readdir(dir), []);
});
