/**
 * Where a restore learns which VMs a snapshot's run covered and where their .vmx files are: the run
 * history's record (`vmware.run.get_instance(run_id)`, shared contract in COMMON.md: entries[].vms[]
 * with `name`, `moref`, `action`, `vmx_path`), with a search of the clone's files as fallback.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One VM row of a run record (the fields a restore reads). */
export interface RunVmView {
  name: string;
  moref: string;
  action: string;
  /** `config.files.vmPathName` at snapshot time, e.g. `[ds1] vm1/vm1.vmx` (absent/null: not recorded). */
  vmx_path?: string | null;
}

/** One run record (the fields a restore reads). */
export interface RunView {
  id: string;
  snapshot: string;
  entries: { id: number; hostname: string; vms: RunVmView[] }[];
}

/** Looks up a run record by id (the run history). */
export interface RunLookup {
  get(runId: string): RunView | undefined;
}

/** A requested VM found in the run. */
export interface RunVmMatch {
  entryId: number;
  vm: RunVmView;
}

/** Finds `wanted` (name or moref) among the run's VMs; undefined when it was not in the run. */
export function findRunVm(run: RunView, wanted: string): RunVmMatch | undefined {
  for (const e of run.entries) {
    const vm = e.vms.find((v) => v.moref === wanted) ?? e.vms.find((v) => v.name === wanted);
    if (vm) return { entryId: e.id, vm };
  }
  return undefined;
}

/** `[ds] dir/name.vmx` → `dir/name.vmx` (the path inside the datastore), or undefined. */
export function pathInDatastore(vmxPath: string): string | undefined {
  const m = /^\[[^\]]*\]\s*(.+)$/.exec(vmxPath);
  return m?.[1];
}

/**
 * Fallback when the run did not record a .vmx path: the first `.vmx` in the clone (one folder deep,
 * as ESXi lays VMs out) whose `displayName` is the VM's name at snapshot time, else one in a folder
 * named like the VM. Returns the path inside the clone (`dir/name.vmx`) or undefined.
 */
export async function searchVmx(root: string, vmName: string): Promise<string | undefined> {
  const dirs = await readdir(root, { withFileTypes: true }).catch(() => []);
  let byFolder: string | undefined;
  for (const d of dirs) {
    if (!d.isDirectory()) continue;
    const files = await readdir(join(root, d.name)).catch(() => [] as string[]);
    for (const f of files.filter((n) => n.endsWith('.vmx'))) {
      const rel = `${d.name}/${f}`;
      const text = await readFile(join(root, rel), 'utf8').catch(() => '');
      const name = /^displayName\s*=\s*"([^"]*)"/im.exec(text)?.[1];
      if (name === vmName) return rel;
      if (d.name === vmName) byFolder ??= rel;
    }
  }
  return byFolder;
}
