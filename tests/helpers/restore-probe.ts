/**
 * Independent views of what an instant restore leaves in a {@link SyncWorld}, for "exactly as before"
 * checks: vCenter through the vcsim fixture's own SOAP probe (not vsnapd's vSphere client), ZFS
 * through the `zfs` CLI, the NFS exports file as written on disk.
 *
 * ```ts
 * const v = await restoreProbe(t, w);
 * const before = await v.state();
 * // … restore and clean up …
 * t.same(await v.state(), before);
 * ```
 */
import { readFile } from 'node:fs/promises';
import { list, SoapProbe } from '../fixtures/vcsim/probe.js';
import { zfs } from '../fixtures/zfs/pool.js';
import type { Teardown } from './daemon.js';
import type { SyncWorld } from './sync-world.js';

/** vCenter as the probe sees it: VMs `name|powerState|vmPathName`, datastores `name:mounts`, hosts `name:datastores`, each sorted. */
export interface VcenterView {
  vms: string[];
  dss: string[];
  hosts: string[];
}

/** The probe and its views. */
export interface RestoreProbe {
  probe: SoapProbe;
  /** The probe's ServiceContent (for `probe.view`). */
  sc: Awaited<ReturnType<SoapProbe['serviceContent']>>;
  vcenter(): Promise<VcenterView>;
  /** Every dataset and snapshot of the world's pool, sorted (`zfs list -t all -r`). */
  zfsList(): Promise<string[]>;
  /** The exports file vsnapd writes (`(no file)` when absent). */
  exportsNow(): Promise<string>;
  /** All three at once. */
  state(): Promise<{ vcenter: VcenterView; zfs: string[]; exports: string }>;
}

/** Logs the probe in to the world's vcsim (logged out at teardown). */
export async function restoreProbe(t: Teardown, w: SyncWorld): Promise<RestoreProbe> {
  const probe = new SoapProbe(w.vc.url, { ca: w.vc.certPem });
  t.teardown(() => probe.close());
  const sc = await probe.serviceContent();
  await probe.login(sc, w.vc.username, w.vc.password);
  const vcenter = async (): Promise<VcenterView> => {
    const vms = (await probe.view(sc, 'VirtualMachine', ['name', 'runtime.powerState', 'config.files.vmPathName'])).objects.map((o) => o.props);
    const dss = (await probe.view(sc, 'Datastore', ['name', 'host'])).objects.map((o) => `${String(o.props.name)}:${list((o.props.host as Record<string, unknown>)?.DatastoreHostMount).length}`);
    const hosts = (await probe.view(sc, 'HostSystem', ['name', 'datastore'])).objects.map((o) => `${String(o.props.name)}:${list((o.props.datastore as Record<string, unknown>)?.ManagedObjectReference).length}`);
    return { vms: vms.map((v) => `${String(v.name)}|${String(v['runtime.powerState'])}|${String(v['config.files.vmPathName'])}`).sort(), dss: dss.sort(), hosts: hosts.sort() };
  };
  const zfsList = async () => (await zfs('list', '-H', '-o', 'name', '-t', 'all', '-r', w.pool.pool)).split('\n').filter(Boolean).sort();
  const exportsNow = () => readFile(w.exportsPath ?? '', 'utf8').catch(() => '(no file)');
  return { probe, sc, vcenter, zfsList, exportsNow, state: async () => ({ vcenter: await vcenter(), zfs: await zfsList(), exports: await exportsNow() }) };
}
