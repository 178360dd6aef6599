/**
 * `vmware.restore_cleanup`: removes what one restore created, in reverse order — power off and
 * unregister its VMs, unmount its datastore, delete its share, destroy its clone — and deletes the
 * record when nothing is left. It acts only on objects that are provably the restore's own
 * (owned.ts: recorded morefs and ids, the clone's `vsnapd:restore` property, the share's owner mark),
 * never on a name alone. An object counts as gone only when that is proven: vCenter answers that the
 * moref no longer exists (or the inventory lacks it), `zfs` answers "dataset does not exist"; any other
 * failure (vCenter unreachable, its entry deleted, a ZFS I/O error) keeps the record FAILED, naming
 * what is left. Each object proven gone is cleared from the record at once, so running it again is
 * safe (idempotent) and needs only what is still left (no vCenter once its side is clean).
 */
import { CallError, Errno } from '../../../daemon/errors.js';
import type { JobHandle } from '../../../daemon/registry/method.js';
import { isVimFault, type Inventory, type VsphereClient } from '../../../vsphere/index.js';
import { ownDatastore, ownShare, ownVm, vsphereLeftText, vsphereMayHold } from './owned.js';
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

/**
 * True when a `zfs` failure says the dataset does not exist (libzfs's "dataset does not exist",
 * ENOENT). Nothing else — a suspended pool, an I/O error, zfs-fuse not running, a missing binary —
 * tells whether it exists.
 */
function datasetMissing(err: unknown): boolean {
  return err instanceof CallError && err.errno === Errno.ENOENT && /dataset does not exist/i.test(err.message);
}

/** What the dataset at the record's clone name is: this restore's clone, nothing, someone else's, or unknown (a ZFS error). */
type CloneState = { kind: 'own' } | { kind: 'gone' } | { kind: 'foreign'; mark: string } | { kind: 'unknown'; error: string };

async function cloneState(zfs: RestoreDeps['zfs'], e: RestoreEntry): Promise<CloneState> {
  try {
    const mark = (await zfs.getUserProperties(e.clone.name))['vsnapd:restore'];
    return mark?.value === e.id && mark.source === 'LOCAL' ? { kind: 'own' } : { kind: 'foreign', mark: mark?.value ?? 'unset' };
  } catch (err) {
    if (datasetMissing(err)) return { kind: 'gone' };
    return { kind: 'unknown', error: err instanceof Error ? err.message : String(err) };
  }
}

/** Removes the restore's own VMs and datastore from vCenter; returns the steps. */
async function cleanVsphere(client: VsphereClient, e: RestoreEntry, rec: RestoreRecord, cloneOwn: boolean): Promise<RestoreStep[]> {
  const steps: RestoreStep[] = [];
  const inv: Inventory = await client.inventory();
  const ds = ownDatastore(inv, e, cloneOwn);
  for (const [i, v] of [...e.vms.entries()].reverse()) {
    const vm = ownVm(inv, v, ds);
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
        row.vmx_path = null;
      }
    });
  }
  if (steps.some((s) => !s.ok)) return steps; // a VM left on the datastore keeps it mounted
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
    x.datastore.datastore_system = null;
  });
  return steps;
}

/** The vCenter side: VMs and datastore, or a failed step saying why they could not be removed and what is left. */
async function vsphereSteps(d: RestoreDeps, e: RestoreEntry, rec: RestoreRecord, cloneOwn: boolean): Promise<RestoreStep[]> {
  const entry = d.entries.get(e.entry_id);
  if (!entry) {
    return [{ step: 'unregister', ok: false, error: `vmware entry ${e.entry_id} (${e.hostname}) no longer exists, so these may be left there: ${vsphereLeftText(e)}`, ms: 0 }];
  }
  let client: VsphereClient | undefined;
  try {
    client = await d.entries.connect(entry);
    return await cleanVsphere(client, e, rec, cloneOwn);
  } catch (err) {
    return [{ step: 'unregister', ok: false, error: `cannot reach ${e.hostname}: ${d.entries.describeError(err).message}; left there: ${vsphereLeftText(rec.entry)}`, ms: 0 }];
  } finally {
    await client?.close().catch(() => undefined);
  }
}

/** The ZFS side: destroys the clone when it is the restore's own; a failed step when that cannot be told. */
async function cloneSteps(d: RestoreDeps, e: RestoreEntry, clone: CloneState): Promise<RestoreStep[]> {
  switch (clone.kind) {
    case 'gone':
      return [];
    case 'own':
      return [await timed('destroy', () => destroyClone(d.zfs, e.clone.name))];
    case 'foreign':
      return [{ step: 'destroy', ok: false, error: `${e.clone.name} is not restore ${e.id}'s clone (its vsnapd:restore is ${clone.mark}); left alone`, ms: 0 }];
    case 'unknown':
      return [{ step: 'destroy', ok: false, error: `cannot tell whether ${e.clone.name} still exists: ${clone.error}; left as it is`, ms: 0 }];
  }
}

/**
 * Cleans up restore `id`. @returns the record as it ends (state FAILED with `error` when something
 * could not be removed or could not be proven gone; the record is then kept, run it again) — after a
 * complete cleanup the record is deleted and returned with state CLEANED and every `created` false.
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
  const clone = await cloneState(d.zfs, e);
  const steps: RestoreStep[] = [];
  if (vsphereMayHold(e)) {
    job?.setProgress(10, `removing the VMs and datastore of restore ${id} from ${e.hostname}`);
    steps.push(...(await vsphereSteps(d, e, rec, clone.kind === 'own')));
  }
  if (steps.every((s) => s.ok)) {
    job?.setProgress(60, `withdrawing the export of ${e.share.path}`);
    const share = ownShare(d.nfs.list(), e);
    if (share) steps.push(await timed('unshare', async () => void (await d.nfs.remove(share.id))));
    if (steps.every((s) => s.ok)) {
      await rec.change((x) => {
        x.share.created = false;
        x.share.id = null;
      });
      job?.setProgress(80, `destroying ${e.clone.name}`);
      steps.push(...(await cloneSteps(d, e, clone)));
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
