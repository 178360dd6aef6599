import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { findExportfs, reloadExports } from '../../../../plugins/sharing/nfs/exportfs.js';

/** Writes an executable shell script standing in for exportfs (unit test of the process handling only). */
async function script(dir: string, name: string, body: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, `#!/bin/sh\n${body}\n`);
  await chmod(file, 0o755);
  return file;
}

t.test('missing exportfs is NOT_INSTALLED, not an error', async (t) => {
  const r = await reloadExports('/nonexistent/sbin/exportfs');
  t.equal(r.state, 'NOT_INSTALLED');
  t.equal(r.binary, null);
  t.match(r.message, /NFS server not installed.*nfs-kernel-server/);
});

t.test('finds a bare name on PATH', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-exportfs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const bin = await script(dir, 'exportfs-test-name', 'exit 0');
  t.equal(await findExportfs('exportfs-test-name', `/nonexistent:${dir}`), bin);
  t.equal(await findExportfs('exportfs-test-other', dir), null);
});

t.test('runs -ra and reports success or failure', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'vsnapd-exportfs-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const log = join(dir, 'args');
  const ok = await script(dir, 'ok', `echo "$@" > ${log}`);
  const r = await reloadExports(ok);
  t.same([r.state, r.binary], ['RELOADED', ok]);
  t.equal(await readFile(log, 'utf8'), '-ra\n');
  const bad = await script(dir, 'bad', 'echo "exportfs: /mnt/x does not support NFS export" >&2; exit 1');
  const f = await reloadExports(bad);
  t.equal(f.state, 'FAILED');
  t.match(f.message, /-ra failed: exportfs: \/mnt\/x does not support NFS export/);
});
