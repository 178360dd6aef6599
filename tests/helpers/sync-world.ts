/**
 * The coordinator's integration world: a zfs-fuse pool with datasets `vm` and `other`, a vcsim whose
 * NFS datastores `vmstore` and `otherstore` are those datasets' mountpoints (remote 127.0.0.1:<mountpoint>,
 * files written into the dataset, as ESXi would over NFS), the real daemon, and a vmware entry
 * (filesystem `<pool>/vm`, datastore `vmstore`) created through `vmware.create`.
 *
 * ```ts
 * const w = await startSyncWorld(t, { vms: [{ name: 'web', datastore: VM_DS }], sync: { deadline_seconds: 5 } });
 * const snap = await w.snapshot('manual-1');                 // pool.snapshot.create with vmware_sync
 * t.same(await w.probeSnapshots(), []);                       // no snapshot at all left in vcsim
 * ```
 * `probeSnapshots()` reads vcsim with the fixture's own SOAP probe (tests/fixtures/vcsim/probe.ts),
 * so "nothing left" does not rest on vsnapd's vSphere client or marker parser; `markedSnapshots()`
 * uses those, for tests that look at what vsnapd recognises as its own.
 */
import { join } from 'node:path';
import type { Client } from '../../client/index.js';
import { markedSnapshots } from '../../plugins/vmware/sync/marker.js';
import type { SyncReport } from '../../plugins/vmware/sync/report.js';
import { VsphereClient } from '../../vsphere/index.js';
import { startVcsim, type VcsimHandle, type VcsimSpec, type VcsimVm } from '../fixtures/vcsim/index.js';
import { list, SoapProbe } from '../fixtures/vcsim/probe.js';
import { ZFS_BIN, ZPOOL_BIN } from '../fixtures/zfs/daemon.js';
import { withPool, zfs, type PoolFixture } from '../fixtures/zfs/pool.js';
import { deepMerge, startTestDaemon, type Teardown, type TestDaemon } from './daemon.js';
import { tempDir } from './tmp-datastore.js';

/** Datastore backed by `<pool>/vm` (the entry's). */
export const VM_DS = 'vmstore';
/** Datastore backed by `<pool>/other` (no entry). */
export const OTHER_DS = 'otherstore';

/** Options of {@link startSyncWorld}. */
export interface SyncWorldOptions {
  vms: VcsimVm[];
  /** `vmware.sync` config overrides. */
  sync?: Record<string, unknown>;
  /** `vmware.history` config overrides. */
  history?: Record<string, unknown>;
  /** More vcsim spec (delays, control, methods). */
  vcsim?: Omit<VcsimSpec, 'nfsDatastores' | 'vms'>;
  /** Daemon environment (test hooks). */
  env?: Record<string, string>;
  /** More daemon config, deep-merged over the world's (`listen`, `metrics` …). */
  config?: Record<string, unknown>;
  /**
   * Give the daemon an `nfs` section with its exports file in the world's temp folder (no NFS server:
   * reloads report NOT_INSTALLED) and make vcsim's CreateNasDatastore mount only what that file
   * exports to the host (restore tests).
   */
  nfs?: boolean;
}

/** A vsnapd-marked snapshot found in vcsim. */
export interface MarkedInVcsim {
  vm: string;
  snapshot: string;
  runId: string;
  name: string;
}

/** The world. */
export interface SyncWorld {
  pool: PoolFixture;
  vc: VcsimHandle;
  daemon: TestDaemon;
  client: Client;
  dataset: string;
  entryId: number;
  /** The daemon's data folder (kept across {@link restart}). */
  dataDir: string;
  /** The NFS exports file the daemon writes (with `nfs: true`), else null. */
  exportsPath: string | null;
  /** Takes `<dataset>@<name>` with vmware_sync through pool.snapshot.create; returns the snapshot entry, the run report (from the job's result) and the job. */
  snapshot(name: string, opts?: { dataset?: string; recursive?: boolean }): Promise<{ entry: SnapshotEntry; report: SyncReport | null; job: JobRecord }>;
  /** Every vsnapd-marked snapshot in vcsim now. */
  markedSnapshots(): Promise<MarkedInVcsim[]>;
  /** Every snapshot (marked or not) in vcsim now, as `vm/name`. */
  allSnapshots(): Promise<string[]>;
  /**
   * Every node of every VM's snapshot tree in vcsim now (marked or not, children included), as
   * `vm/name`, sorted; read with the fixture's SOAP probe (each VM's `snapshot.rootSnapshotList`,
   * vim25 VirtualMachineSnapshotTree, walked through `childSnapshotList`), not vsnapd's client.
   */
  probeSnapshots(): Promise<string[]>;
  /** User properties of a ZFS snapshot, read with the zfs CLI. */
  zfsProps(snapshot: string): Promise<Record<string, string>>;
  /** Starts a new daemon on the same data folder (after the old one died or was stopped). */
  restart(env?: Record<string, string>): Promise<void>;
}

/** The parts of a snapshot entry the tests read. */
export interface SnapshotEntry {
  name: string;
  properties: Record<string, { value: string }>;
}

/** The parts of a job record the tests read. */
export interface JobRecord {
  id: number;
  method: string;
  state: string;
  logs_excerpt: string | null;
  progress: { percent: number | null; description: string; extra: unknown };
  /** `pool.snapshot.create_coordinated`: `{snapshot, vmware_sync: {vmsynced, run_id, error, report}}`. */
  result: { snapshot: SnapshotEntry; vmware_sync: { report: SyncReport | null } | null } | null;
}

/** Starts the world; everything is removed at teardown. */
export async function startSyncWorld(t: Teardown, opts: SyncWorldOptions): Promise<SyncWorld> {
  const pool = await withPool(t, { datasets: ['vm', 'other'] });
  const nfs = (name: string, ds: string) => ({ name, remoteHost: '127.0.0.1', remotePath: pool.mountpoint(ds), localPath: pool.mountpoint(ds) });
  const dataRoot = tempDir(t, 'vsnapd-sync-data-');
  const dataDir = join(dataRoot, 'data');
  const exportsPath = opts.nfs ? join(dataRoot, 'exports.d', 'vsnapd.exports') : null;
  const vc = await startVcsim(
    { ...opts.vcsim, nfsDatastores: [nfs(VM_DS, 'vm'), nfs(OTHER_DS, 'other')], vms: opts.vms, ...(exportsPath ? { nfsExportsFile: exportsPath } : {}) },
    { t },
  );
  const config = deepMerge(
    {
      data_dir: dataDir,
      zfs: { zfs_path: ZFS_BIN, zpool_path: ZPOOL_BIN },
      pool: { timezone: 'UTC' },
      vmware: { sync: { sweep_interval_minutes: 0, ...opts.sync }, ...(opts.history ? { history: opts.history } : {}) },
      ...(exportsPath ? { nfs: { exports_path: exportsPath, exportfs_path: join(dataRoot, 'no-nfs-server', 'exportfs') } } : {}),
    },
    opts.config ?? {},
  );
  const start = async (env?: Record<string, string>) => {
    const daemon = await startTestDaemon(t, { config, ...(env ? { env } : {}) });
    return { daemon, client: await daemon.root() };
  };
  let { daemon, client } = await start(opts.env);
  const dataset = pool.dataset('vm');
  const entry = await client.call<{ id: number }>('vmware.create', {
    hostname: vc.host,
    port: vc.port,
    username: vc.username,
    password: vc.password,
    filesystem: dataset,
    datastores: [VM_DS],
    tls: { ca: vc.certPem },
  });

  const world: SyncWorld = {
    pool,
    vc,
    get daemon() {
      return daemon;
    },
    get client() {
      return client;
    },
    dataset,
    entryId: entry.id,
    dataDir,
    exportsPath,
    async snapshot(name, o = {}) {
      const ds = o.dataset ?? dataset;
      const snap = await client.call<SnapshotEntry>('pool.snapshot.create', { dataset: ds, name, recursive: o.recursive ?? false, vmware_sync: true });
      const jobs = await client.call<JobRecord[]>('core.get_jobs', [['method', '=', 'pool.snapshot.create_coordinated']]);
      const job = jobs.filter((j) => (j.logs_excerpt ?? '').includes(`${ds}@${name}`)).pop() ?? (jobs[jobs.length - 1] as JobRecord);
      return { entry: snap, report: job.result?.vmware_sync?.report ?? null, job };
    },
    async markedSnapshots() {
      const c = await VsphereClient.connect({ host: vc.host, port: vc.port, username: vc.username, password: vc.password, tls: { ca: vc.certPem } });
      try {
        const inv = await c.inventory();
        return inv.vms.flatMap((vm) => markedSnapshots(vm.snapshots).map((m) => ({ vm: vm.name, snapshot: m.node.snapshot.value, runId: m.marker.runId, name: m.node.name })));
      } finally {
        await c.close();
      }
    },
    async allSnapshots() {
      const c = await VsphereClient.connect({ host: vc.host, port: vc.port, username: vc.username, password: vc.password, tls: { ca: vc.certPem } });
      try {
        const inv = await c.inventory();
        const walk = (vm: string, nodes: { name: string; children: typeof nodes }[]): string[] => nodes.flatMap((n) => [`${vm}/${n.name}`, ...walk(vm, n.children)]);
        return inv.vms.flatMap((vm) => walk(vm.name, vm.snapshots)).sort();
      } finally {
        await c.close();
      }
    },
    async probeSnapshots() {
      const probe = new SoapProbe(vc.url, { ca: vc.certPem });
      try {
        const sc = await probe.serviceContent();
        const login = await probe.login(sc, vc.username, vc.password);
        if (login.fault) throw new Error(`probe login: ${login.fault.message}`);
        const { objects, fault } = await probe.view(sc, 'VirtualMachine', ['name', 'snapshot']);
        if (fault) throw new Error(`probe view: ${fault.message}`);
        interface Tree {
          name?: unknown;
          childSnapshotList?: Tree | Tree[];
        }
        const walk = (vm: string, nodes: Tree | Tree[] | undefined): string[] => list(nodes).flatMap((n) => [`${vm}/${String(n.name)}`, ...walk(vm, n.childSnapshotList)]);
        return objects.flatMap((o) => walk(String(o.props.name), (o.props.snapshot as { rootSnapshotList?: Tree | Tree[] } | undefined)?.rootSnapshotList)).sort();
      } finally {
        await probe.close();
      }
    },
    async zfsProps(snapshot) {
      const out = await zfs('get', '-H', '-o', 'property,value,source', 'all', snapshot);
      const props: Record<string, string> = {};
      for (const line of out.split('\n')) {
        const [k, v, source] = line.split('\t');
        if (k && k.includes(':') && v !== undefined && source === 'local') props[k] = v;
      }
      return props;
    },
    async restart(env) {
      await daemon.stop();
      ({ daemon, client } = await start(env));
    },
  };
  return world;
}
