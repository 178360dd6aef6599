/**
 * Start-up recovery of instant restores (plugins/vmware/restore/index.ts `start`): a record left
 * RESTORING or CLEANING by another daemon process becomes FAILED, raising VMWareRestoreFailed; only
 * records this very process wrote are left alone. "This process" is pid + boot id + start time
 * (daemon/process-identity.ts): a daemon restarted in a container, or after a reboot, often gets the
 * pid of the one that died, and a bare pid comparison then left the record RESTORING for good.
 * Runs over a real datastore; the plugin context is a small fake (only what `start` touches).
 */
import t from 'tap';
import type { PluginContext } from '../../../../../daemon/plugin.js';
import { bootId, currentProcess, processStartTicks } from '../../../../../daemon/process-identity.js';
import { setupRestore, type RestoreSetupDeps } from '../../../../../plugins/vmware/restore/index.js';
import type { RestoreEntry } from '../../../../../plugins/vmware/restore/schemas.js';
import { openRestoreStore, type RestoreRow } from '../../../../../plugins/vmware/restore/store.js';
import { openTemp, silentLog, tempDir } from '../../../../helpers/tmp-datastore.js';

/** A restore record in `state`. */
function entry(id: string, state: RestoreEntry['state']): RestoreEntry {
  return {
    id,
    snapshot: 'tank/vm@s1',
    run_id: 'run1',
    entry_id: 1,
    hostname: 'vc.example.com',
    host: { moref: 'host-1', name: 'esx1' },
    state,
    error: null,
    started_at: { $date: 1_700_000_000_000 },
    ended_at: null,
    clone: { name: `tank/vm-restore-${id}`, mountpoint: `/mnt/tank/vm-restore-${id}`, created: true },
    share: { id: 3, path: `/mnt/tank/vm-restore-${id}`, hosts: ['10.0.0.5'], created: true },
    datastore: { name: `vsnapd-restore-${id}`, moref: null, datastore_system: null, remote_host: '10.0.0.1', remote_path: null, created: false },
    vms: [],
    steps: [],
  };
}

t.test('a RESTORING/CLEANING record of another process becomes FAILED, even under the same pid', async (t) => {
  const db = await openTemp(t, tempDir(t));
  const store = openRestoreStore(db);
  const me = currentProcess();
  const rows: Omit<RestoreRow, 'id'>[] = [
    { entry: entry('0000000a', 'RESTORING'), pid: process.pid }, // an older version's record: a bare pid, now reused
    { entry: entry('0000000b', 'CLEANING'), pid: process.pid, process: { ...me, bootId: 'a-boot-before-the-reboot' } },
    { entry: entry('0000000c', 'RESTORING'), pid: process.pid, process: { ...me, startTicks: '1' } }, // the pid reused by a later process
    { entry: entry('0000000d', 'RESTORING'), pid: process.pid, process: me }, // this very process's own
    { entry: entry('0000000e', 'READY'), pid: 1 },
  ];
  for (const r of rows) await store.insert(r);
  t.equal(me.bootId, bootId());
  t.equal(me.startTicks, processStartTicks(process.pid));

  const raised: string[] = [];
  const ctx = {
    db,
    log: silentLog,
    alerts: { defineClass() {}, oneshotCreate: async (_klass: string, _args: unknown, key: string) => void raised.push(key), oneshotDelete: async () => {} },
    events: { define() {} },
    services: { get: () => undefined },
  } as unknown as PluginContext;
  const deps = { entries: { connect: async () => undefined }, runs: { get: () => undefined } } as unknown as RestoreSetupDeps;
  await setupRestore(ctx, deps).start();

  const states = Object.fromEntries(store.all().map((r) => [r.entry.id, r.entry.state]));
  t.same(states, { '0000000a': 'FAILED', '0000000b': 'FAILED', '0000000c': 'FAILED', '0000000d': 'RESTORING', '0000000e': 'READY' });
  t.same(raised.sort(), ['0000000a', '0000000b', '0000000c'], 'VMWareRestoreFailed raised for each');
  const failed = store.all().filter((r) => r.entry.state === 'FAILED');
  t.equal(failed.length, 3);
  for (const r of failed) {
    t.match(r.entry.error, /the daemon stopped while this restore was (running|being cleaned up)/);
    t.same(r.process, me, 'now recorded as this process\'s');
  }
});
