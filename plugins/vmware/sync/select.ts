/**
 * VM selection of a coordinated snapshot run (SPEC §4 step 2): which VMs of one vCenter/ESXi
 * inventory get a VMware snapshot before the ZFS snapshot of the datastores' dataset, and why the
 * others do not. Pure: the same function drives the run, the dry run (`vmware.plan`) and
 * `vmware.get_virtual_machines`.
 *
 * Rules, first match wins (reference B.5, B.10 step 3; TrueNAS §3.2 and its known bugs §7.15/§7.18):
 * 1. `other_datastore`: no virtual disk on a selected datastore. A VM whose only tie to the datastore
 *    is its configuration, an ISO or a floppy image is not protected by a VM snapshot, and TrueNAS's
 *    prefix match (`ds1` also matching `ds10`) is a known bug: names are compared exactly.
 * 2. `template`: templates never run.
 * 3. `disconnected` / `inaccessible` / `orphaned` / `invalid`: vSphere can only snapshot connected VMs.
 * 4. `agent_vm`: vCLS and other ESX Agent Manager VMs (name `vCLS-…`/`vCLS (n)`, or `config.managedBy`
 *    of `com.vmware.vim.eam`) belong to vSphere; snapshotting them is refused or harmful.
 * 5. `powered_off` / `suspended`: their disks are not being written, so the ZFS snapshot alone is
 *    already consistent (TrueNAS also snapshots powered-on VMs only). Suspended VMs are skipped too: a
 *    snapshot of a suspended VM always includes its memory file unless the host supports disk-only
 *    snapshots, and gains nothing over the ZFS snapshot of the suspended files.
 * 6. `cannot_snapshot`: PCI passthrough/SR-IOV devices, SCSI bus sharing, or
 *    `capability.snapshotOperationsSupported = false` (FT VMs, some appliances).
 * 7. `independent_only`: every disk on the selected datastores is independent or a physical-mode
 *    RDM, which VM snapshots never capture.
 * Selection rules (./rules, when an entry or task has any) come right after rule 1: `excluded` (an
 * exclude rule matched) and `not_included` (no include rule matched); a VM whose mode is `skip`
 * gets `mode_skip` after the technical rules, and mode `crash_consistent` turns quiescing off.
 * Otherwise the VM is protected. Independent/pRDM disks and disks on datastores outside the ZFS
 * snapshot are reported as warnings ("partially protected"). The snapshot is quiesced only when
 * VMware Tools run in the guest and the VM supports quiesced snapshots (quiescing a Tools-less VM
 * fails with ApplicationQuiesceFault, reference B.6).
 */
import type { DatastoreInfo, Inventory, VirtualDiskInfo, VirtualMachineInfo } from '../../../vsphere/index.js';
import { DEFAULT_DECISION, type RuleDecision } from './rules/evaluate.js';
import type { VmMode } from './rules/schema.js';

/** Why a VM is not snapshotted (machine-readable; `reason` has the sentence). */
export type SkipCode =
  | 'other_datastore'
  | 'template'
  | 'disconnected'
  | 'inaccessible'
  | 'orphaned'
  | 'invalid'
  | 'agent_vm'
  | 'powered_off'
  | 'suspended'
  | 'cannot_snapshot'
  | 'independent_only'
  | 'excluded'
  | 'not_included'
  | 'mode_skip';

/** The verdict on one VM. */
export interface VmSelection {
  vm: VirtualMachineInfo;
  /** True when the run takes a VMware snapshot of this VM. */
  protected: boolean;
  /** Why not (null when protected). */
  code: SkipCode | null;
  /** Human sentence for `code` (null when protected). */
  reason: string | null;
  /** Take a quiesced snapshot (VMware Tools running and quiescing supported); false when not protected. */
  quiesce: boolean;
  /** Names of the selected datastores holding at least one of its disks (exact names, sorted). */
  datastores: string[];
  /** "Partially protected" notes: independent/pRDM disks, disks outside the dataset, unreadable properties. */
  warnings: string[];
  /** The selection rule that selected or excluded it (null without rules, and for VMs unrelated to the datastores). */
  rule: string | null;
  /** Its snapshot mode by the rules (`quiesce` without rules). */
  mode: VmMode;
  /** The rule that set `mode` (null: the default). */
  modeRule: string | null;
}

/** The rule fields of a verdict as the API shows them (plan, run report, get_virtual_machines). */
export function ruleFields(sel: VmSelection): { rule: string | null; mode: VmMode; mode_rule: string | null } {
  return { rule: sel.rule, mode: sel.mode, mode_rule: sel.modeRule };
}

/** Selection options (from the plugin config). */
export interface SelectOptions {
  /** Quiesce where possible (default true); false takes crash-consistent snapshots everywhere. */
  quiesce?: boolean;
  /** The selection rules' verdict on a VM with disks on `datastores` (default: selected, mode quiesce). */
  decide?: (vm: VirtualMachineInfo, datastores: readonly string[]) => RuleDecision;
}

/** Extension keys of agent VMs (ESX Agent Manager deploys vCLS and other solution agents). */
const AGENT_EXTENSIONS = new Set(['com.vmware.vim.eam']);
/** vCLS VM names: `vCLS-<uuid>` (7.0 U3+) and `vCLS (1)` (7.0 U1/U2). */
const VCLS_NAME = /^vCLS[-\s(]/;

/**
 * The exact name of a disk's datastore: through the backing's datastore moref when the inventory
 * knows it, else the `[name]` prefix of the backing file name.
 */
export function diskDatastoreName(disk: VirtualDiskInfo, byMoref: ReadonlyMap<string, DatastoreInfo>): string | undefined {
  if (disk.datastore) {
    const ds = byMoref.get(disk.datastore.value);
    if (ds) return ds.name;
  }
  return disk.datastoreName;
}

function isAgentVm(vm: VirtualMachineInfo): string | null {
  if (VCLS_NAME.test(vm.name)) return `${vm.name} is a vSphere Cluster Services (vCLS) VM`;
  const mb = vm.managedBy;
  if (mb && (AGENT_EXTENSIONS.has(mb.extensionKey) || /agent/i.test(mb.type))) {
    return `managed by the vSphere extension ${mb.extensionKey}${mb.type ? ` (${mb.type})` : ''} as an agent VM`;
  }
  return null;
}

function cannotSnapshot(vm: VirtualMachineInfo): string | null {
  if (vm.passthrough.length > 0) {
    const devs = vm.passthrough.map((d) => `${d.label || d.type} (${d.type})`).join(', ');
    return `has passthrough devices that block snapshots: ${devs}`;
  }
  if (vm.sharedBus) return 'a SCSI controller shares its bus (bus sharing): vSphere cannot snapshot it';
  if (!vm.snapshotOperationsSupported && !vm.missing.includes('capability.snapshotOperationsSupported')) {
    return 'vSphere reports capability.snapshotOperationsSupported = false (e.g. Fault Tolerance)';
  }
  return null;
}

function diskNote(d: VirtualDiskInfo): string | null {
  if (d.rdmPhysical) return `${d.label || d.fileName} is a physical-mode RDM`;
  if (d.independent) return `${d.label || d.fileName} is ${d.diskMode ?? 'independent'}`;
  return null;
}

/** Decides one VM; see the module comment for the rules. */
export function classifyVm(vm: VirtualMachineInfo, selected: ReadonlySet<string>, byMoref: ReadonlyMap<string, DatastoreInfo>, opts: SelectOptions = {}): VmSelection {
  const onSelected: VirtualDiskInfo[] = [];
  const elsewhere: { disk: VirtualDiskInfo; ds: string }[] = [];
  for (const disk of vm.disks) {
    const ds = diskDatastoreName(disk, byMoref);
    if (ds !== undefined && selected.has(ds)) onSelected.push(disk);
    else elsewhere.push({ disk, ds: ds ?? '(unknown datastore)' });
  }
  const datastores = [...new Set(onSelected.map((d) => diskDatastoreName(d, byMoref) as string))].sort();
  let d: RuleDecision = { ...DEFAULT_DECISION, mode: 'quiesce' };
  const skip = (code: SkipCode, reason: string): VmSelection => ({ vm, protected: false, code, reason, quiesce: false, datastores, warnings: [], rule: d.rule, mode: d.mode, modeRule: d.modeRule });

  if (onSelected.length === 0) {
    const names = [...selected].sort().join(', ');
    const cfg = vm.vmPathName ? /^\s*\[([^\]]*)\]/.exec(vm.vmPathName)?.[1] : undefined;
    return skip(
      'other_datastore',
      cfg !== undefined && selected.has(cfg)
        ? `only its configuration is on ${cfg}; no virtual disk is on the selected datastore(s) ${names}`
        : `no virtual disk on the selected datastore(s) ${names}`,
    );
  }
  d = opts.decide?.(vm, datastores) ?? d;
  if (!d.selected) return skip(d.code ?? 'excluded', d.reason ?? 'excluded by the selection rules');
  if (vm.template) return skip('template', 'is a template');
  if (vm.connectionState !== 'connected') {
    const code = (['disconnected', 'inaccessible', 'orphaned', 'invalid'] as const).find((c) => c === vm.connectionState) ?? 'invalid';
    return skip(code, `runtime.connectionState is ${vm.connectionState}; only connected VMs can be snapshotted`);
  }
  const agent = isAgentVm(vm);
  if (agent) return skip('agent_vm', agent);
  if (vm.powerState === 'poweredOff') return skip('powered_off', 'is powered off: its disks are not being written, the ZFS snapshot is consistent without a VMware snapshot');
  if (vm.powerState === 'suspended') return skip('suspended', 'is suspended: its disks are not being written, the ZFS snapshot is consistent without a VMware snapshot');
  if (vm.powerState !== 'poweredOn') return skip('invalid', `runtime.powerState is ${vm.powerState}`);
  const blocked = cannotSnapshot(vm);
  if (blocked) return skip('cannot_snapshot', blocked);
  const captured = onSelected.filter((d) => diskNote(d) === null);
  if (captured.length === 0) {
    const notes = onSelected.map((d) => diskNote(d)).join(', ');
    return skip('independent_only', `every disk on ${datastores.join(', ')} is excluded from VM snapshots: ${notes}`);
  }
  if (d.mode === 'skip') return skip('mode_skip', `mode skip by ${d.modeRule ?? 'the selection rules'}: no VMware snapshot`);

  const warnings: string[] = [];
  for (const d of onSelected) {
    const note = diskNote(d);
    if (note) warnings.push(`partially protected: ${note}; VM snapshots do not capture it`);
  }
  for (const { disk, ds } of elsewhere) {
    warnings.push(`partially protected: ${disk.label || disk.fileName} is on ${ds}, outside this ZFS snapshot`);
  }
  const missing = vm.missing.filter((p) => p.startsWith('capability.') || p === 'guest.toolsRunningStatus');
  if (missing.length > 0) warnings.push(`vSphere did not return ${missing.join(', ')} (permission?); assumed snapshot-capable`);
  const toolsRunning = vm.toolsRunningStatus === 'guestToolsRunning';
  const quiesceOk = vm.quiescedSnapshotsSupported || vm.missing.includes('capability.quiescedSnapshotsSupported');
  const wanted = (opts.quiesce ?? true) && d.mode === 'quiesce';
  const quiesce = wanted && toolsRunning && quiesceOk;
  if (wanted && !quiesce) {
    warnings.push(
      toolsRunning
        ? 'crash-consistent: vSphere reports quiesced snapshots unsupported for this VM'
        : `crash-consistent: VMware Tools are not running (${vm.toolsRunningStatus ?? 'unknown'}), so the guest cannot be quiesced`,
    );
  }
  return { vm, protected: true, code: null, reason: null, quiesce, datastores, warnings, rule: d.rule, mode: d.mode, modeRule: d.modeRule };
}

/**
 * Classifies every VM of `inventory` against the datastores named `datastoreNames` (exact names).
 * Returns one verdict per VM, in inventory order (VMs unrelated to the datastores included, with
 * code `other_datastore`).
 */
export function classifyVms(inventory: Pick<Inventory, 'vms' | 'datastores'>, datastoreNames: readonly string[], opts: SelectOptions = {}): VmSelection[] {
  const selected = new Set(datastoreNames);
  const byMoref = new Map(inventory.datastores.map((d) => [d.moref.value, d]));
  return inventory.vms.map((vm) => classifyVm(vm, selected, byMoref, opts));
}
