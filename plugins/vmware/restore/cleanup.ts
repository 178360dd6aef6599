/**
 * `vmware.restore_cleanup`: removes what one restore created, in reverse order — power off and
 * unregister its VMs, unmount its datastore, delete its share, destroy its clone — and deletes the
 * record when nothing is left. Only what the record names, and only after checking it is the
 * restore's own: a VM whose .vmx is on the restore's datastore, a datastore mounting the clone's
 * path, the share of the clone's path, a dataset carrying `vsnapd:restore=<id>`. Whatever is
 * already gone counts as removed, so running it again is safe (idempotent).
 */
import { CallError, Errno } from '../../../daemon/errors.js';
import type { JobHandle } from '../../../daemon/registry/method.js';
import { isVimFault, type Inventory, type VsphereClient } from '../../../vsphere/index.js';
import { RestoreRecord, timed } from './record.js';
import type { RestoreDeps } from './restore.js';
import type { RestoreEntry, RestoreStep } from './schemas.js';
import { findRestore } from './store.js';

/** Attempts of `zfs destroy` on a busy clone (an export or mount just withdrawn can hold it a moment). */
const DESTROY_ATTEMPTS = 6;

/** Destroys the clone, retrying EBUSY with a growing pause (0.25 s, 0.5 s … 1.5 s). */
async function destroyClone(zfs: RestoreDeps['zfs'], name: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await zfs.destroyDataset(name);
    } catch (err) {
      if (!(err instanceof CallError) || err.errno !== Errno.EBUSY || attempt >= DESTROY_ATTEMPTS) throw err;
      await new Promise((r) => setTimeout(r, 250 * attempt));
    }
  }
}

/** True for faults meaning "it is already gone". */
function gone(err: unknown): boolean {
  return isVimFault(err, 'ManagedObjectNotFound') || isVimFault(err, 'NotFound');
}

/** Removes the restore's VMs and datastore from vCenter; returns the steps. */
async function cleanVsphere(client: VsphereClient, e: RestoreEntry, rec: RestoreRecord): Promise<RestoreStep[]> {
  const steps: RestoreStep[] = [];
  const inv: Inventory = await client.inventory();
  const prefix = `[${e.datastore.name}] `;
  for (const [i, v] of [...e.vms.entries()].reverse()) {
    const vm = inv.vms.find((x) => (v.moref ? x.moref.value === v.moref : x.name === v.name) && (x.vmPathName ?? '').startsWith(prefix));
    if (vm) {
      if (vm.powerState !== 'poweredOff') {
        const off = await timed('power_off', () => client.setPower(vm.moref, false));
        steps.push(off);
        if (!off.ok) continue;
      }
      const un = await timed('unregister', async () => {
        await client.unregisterVm(vm.moref).catch((err: unknown) => {
          if (!gone(err)) throw err;
        });
      });
      steps.push(un);
      if (!un.ok) continue;
    }
    await rec.change((x) => {
      const row = x.vms[i];
      if (row) {
        row.registered = false;
        row.powered_on = false;
        row.moref = null;
      }
    });
  }
  const ds = inv.datastores.find((x) => x.name === e.datastore.name && x.nas?.remotePath === e.datastore.remote_path);
  const host = inv.hosts.find((h) => h.moref.value === e.host.moref);
  if (ds && host && ds.hosts.some((m) => m.host.value === host.moref.value)) {
    const dss = e.datastore.datastore_system ? { type: 'HostDatastoreSystem', value: e.datastore.datastore_system } : (await client.hostPlacement(host.moref)).datastoreSystem;
    const un = await timed('unmount', async () => {
      await client.removeDatastore(dss, ds.moref).catch((err: unknown) => {
        if (!gone(err)) throw err;
      });
    });
    steps.push(un);
    if (!un.ok) return steps;
  }
  await rec.change((x) => {
    x.datastore.created = false;
    x.datastore.moref = null;
  });
  return steps;
}

/**
 * Cleans up restore `id`. @returns the record as it ends (state FAILED with `error` when something
 * could not be removed; the record is then kept, run it again) — after a complete cleanup the
 * record is deleted and returned with state CLEANED and every `created` false.
 * @throws CallError ENOENT when there is no restore `id`, EBUSY while it is still restoring
 */
export async function cleanupRestore(d: RestoreDeps, id: string, job: JobHandle | null, running: ReadonlySet<string>): Promise<RestoreEntry> {
  const row = findRestore(d.store, id);
  if (!row) throw new CallError(`Restore ${id} does not exist (already cleaned up?); vmware.restore.query lists the restores`, Errno.ENOENT);
  if (running.has(id)) throw new CallError(`Restore ${id} is still running; wait for its job to end`, Errno.EBUSY);
  const rec = new RestoreRecord(d.store, d.events, row);
  await rec.change((e) => {
    e.state = 'CLEANING';
  });
  const e = rec.entry;
  const steps: RestoreStep[] = [];
  const vsphereLeft = e.vms.some((v) => v.registered || v.moref !== null || v.vmx_path !== null) || e.datastore.created || e.datastore.datastore_system !== null;
  if (vsphereLeft) {
    job?.setProgress(10, `removing the VMs and datastore of restore ${id} from ${e.hostname}`);
    const entry = d.entries.get(e.entry_id);
    let client: VsphereClient | undefined;
    const login = entry ? null : `vmware entry ${e.entry_id} no longer exists`;
    try {
      if (entry) client = await d.entries.connect(entry);
      if (client) steps.push(...(await cleanVsphere(client, e, rec)));
      else steps.push({ step: 'unregister', ok: false, error: login, ms: 0 });
    } catch (err) {
      steps.push({ step: 'unregister', ok: false, error: `cannot reach ${e.hostname}: ${d.entries.describeError(err).message}`, ms: 0 });
    } finally {
      await client?.close().catch(() => undefined);
    }
  }
  const vsphereOk = steps.every((s) => s.ok);
  if (vsphereOk) {
    job?.setProgress(60, `withdrawing the export of ${e.share.path}`);
    const share = d.nfs.list().find((s) => (e.share.id !== null ? s.id === e.share.id : true) && s.path === e.share.path);
    if (share) steps.push(await timed('unshare', async () => void (await d.nfs.remove(share.id))));
    if (steps.every((s) => s.ok)) {
      await rec.change((x) => {
        x.share.created = false;
        x.share.id = null;
      });
      job?.setProgress(80, `destroying ${e.clone.name}`);
      const props = await d.zfs.getUserProperties(e.clone.name).catch(() => null);
      if (props && props['vsnapd:restore']?.value === id) steps.push(await timed('destroy', () => destroyClone(d.zfs, e.clone.name)));
      else if (props) steps.push({ step: 'destroy', ok: false, error: `${e.clone.name} is not restore ${id}'s clone (its vsnapd:restore is ${props['vsnapd:restore']?.value ?? 'unset'}); left alone`, ms: 0 });
    }
  }
  const failed = steps.filter((s) => !s.ok);
  await rec.change((x) => {
    x.steps.push(...steps);
    if (failed.length === 0) x.clone.created = false;
    x.state = failed.length ? 'FAILED' : 'CLEANED';
    x.error = failed.length ? `cleanup incomplete: ${failed.map((s) => `${s.step}: ${s.error}`).join('; ')}` : x.error;
  });
  const out = rec.entry;
  if (failed.length === 0) await rec.delete();
  job?.setProgress(100, failed.length ? `cleanup of restore ${id} incomplete` : `restore ${id} removed`);
  return out;
}
