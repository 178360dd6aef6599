/**
 * The removal side of a run (SPEC §4 step 5; issue 21): a VM's VMware snapshot is removed as soon as
 * possible. Its removal is queued the moment both its creation has ended and the ZFS snapshot exists
 * (or failed): the VMs created before the ZFS snapshot all at that moment, in the order vSphere
 * created their snapshots, a creation that ends later (VMware phase deadline) when it ends. Each VM's
 * removal then goes on by itself (re-read, leftovers by marker, consolidation: ./remove.ts) under the
 * run's limiter, whose global and per-host caps also bound the creations still running.
 *
 * It also learns each snapshot's vSphere `createTime` (one coalesced re-read of the VMs as their
 * creations end, {@link VmReader}), which orders the removals and starts the VM's `held_ms`.
 */
import type { Alerts } from '../../../daemon/plugin.js';
import type { VmwareEntriesService } from '../entries-service.js';
import { flattenSnapshots, moRefKey } from '../../../vsphere/index.js';
import { raiseDeleteFailed } from './alerts.js';
import type { SyncConfig } from './config.js';
import type { VmWork } from './create-phase.js';
import type { HostLimiter } from './limiter.js';
import { removeRunSnapshots, type RemovalOutcome } from './remove.js';
import type { RunRecorder } from './run-store.js';
import { finishServer, type ServerRun } from './server-run.js';
import { VmReader } from './vm-reader.js';

/** What the removals of a run need. */
export interface RemovalContext {
  runId: string;
  cfg: SyncConfig;
  limiter: HostLimiter;
  recorder: RunRecorder;
  alerts: Alerts;
  entries: VmwareEntriesService;
  /** The VMware snapshot name of the run (for alerts). */
  snapshotName: string;
  /** A VM's removal is final (progress). */
  onRemoved(w: VmWork, o: RemovalOutcome): void;
  log(line: string): void;
}

interface Item {
  s: ServerRun;
  w: VmWork;
}

/** When the snapshot was created as far as is known: vSphere's createTime, else when vsnapd saw it. */
function createdAt(w: VmWork): number {
  return w.createTime ?? w.createdAt ?? Number.MAX_SAFE_INTEGER;
}

/** See the module comment. One per run. */
export class RunRemoval {
  readonly #c: RemovalContext;
  readonly #readers = new Map<ServerRun, VmReader>();
  #early: Item[] = [];
  #zfsDone = false;
  #running: Promise<unknown>[] = [];

  constructor(c: RemovalContext) {
    this.#c = c;
  }

  #reader(s: ServerRun): VmReader | null {
    if (!s.client) return null;
    let r = this.#readers.get(s);
    if (!r) this.#readers.set(s, (r = new VmReader(s.client)));
    return r;
  }

  /** A protected VM's creation ended (whatever its outcome). */
  created(s: ServerRun, w: VmWork): void {
    if (w.snapshot) this.#readCreateTime(s, w);
    if (!w.snapshot && !w.uncertain) return;
    if (this.#zfsDone) this.#dispatch([{ s, w }]);
    else this.#early.push({ s, w });
  }

  /** The ZFS snapshot was taken (or failed): every snapshot made so far goes, oldest first. */
  zfsTaken(): void {
    this.#zfsDone = true;
    const early = this.#early.sort((a, b) => createdAt(a.w) - createdAt(b.w));
    this.#early = [];
    this.#dispatch(early);
  }

  /**
   * Settles when every queued removal is over and the servers are finished (entries' state set,
   * sessions closed). Call it once every creation has ended. Never rejects.
   */
  async settled(servers: readonly ServerRun[]): Promise<void> {
    while (this.#running.length > 0) await Promise.all(this.#running.splice(0));
    await Promise.all(servers.map((s) => finishServer(s, this.#c.entries)));
  }

  /** The snapshot's vSphere createTime, from the VM's snapshot tree (best effort: else the observed time is used). */
  #readCreateTime(s: ServerRun, w: VmWork): void {
    const snapshot = w.snapshot;
    const reader = this.#reader(s);
    if (!snapshot || !reader) return;
    void reader.read(w.sel.vm.moref).then(
      (vm) => {
        const node = flattenSnapshots(vm?.snapshots ?? []).find((n) => moRefKey(n.snapshot) === moRefKey(snapshot));
        const t = node ? Date.parse(node.createTime) : NaN;
        if (Number.isFinite(t)) w.createTime = t;
      },
      () => undefined,
    );
  }

  /** Starts the items' removals; the limiter serves them in this order. */
  #dispatch(items: readonly Item[]): void {
    const c = this.#c;
    for (const { s, w } of items) {
      const client = s.client;
      const reader = this.#reader(s);
      if (!client || !reader) continue;
      const target = { vm: w.sel.vm.moref, vmName: w.sel.vm.name, hostKey: w.hostKey, snapshot: w.snapshot, runId: c.runId };
      const opts = { limiter: c.limiter, timeoutMs: c.cfg.remove_timeout_seconds * 1000, reader, onDone: (o: RemovalOutcome) => this.#done(s, w, o) };
      this.#running.push(removeRunSnapshots(client, [target], opts));
    }
  }

  /** Books a VM's final removal outcome: the VM's work, the run record, alerts, progress. */
  #done(s: ServerRun, w: VmWork, o: RemovalOutcome): void {
    const c = this.#c;
    // A timed-out create whose snapshot is not there (yet) stays pending: the server may still make it.
    const unresolved = !o.ok || (w.snapshot === null && o.removed.length === 0);
    w.removed = !unresolved;
    w.removeMs = o.ms;
    w.removedAt = o.removedAt;
    if (w.snapshot === null && o.createdAt !== null) w.createTime = o.createdAt;
    c.recorder.item(w.sel.vm.moref.value, { status: unresolved ? (o.ok ? 'pending' : 'created') : 'removed' });
    const alert = { hostname: s.group.hostname, vm: w.sel.vm.name, vmMoref: w.sel.vm.moref.value, snapshot: c.snapshotName };
    for (const f of o.failed) {
      c.log(`${w.sel.vm.name}: removing snapshot ${f.snapshot} failed: ${f.error}`);
      void raiseDeleteFailed(c.alerts, { ...alert, error: f.error }).catch(() => undefined);
    }
    if (o.consolidation) {
      c.log(`${w.sel.vm.name}: ${o.consolidation}`);
      void raiseDeleteFailed(c.alerts, { ...alert, error: o.consolidation }).catch(() => undefined);
    }
    c.onRemoved(w, o);
  }
}
