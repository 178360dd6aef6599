/**
 * Models of the `vmware.*` API: the entry (TrueNAS `VMWareEntry` plus vsnapd's `port`, `datastores`,
 * `tls`, `enabled` and `health`), its create/update inputs, and the results of the helper methods.
 * Shapes only; semantic checks (host resolves, filesystem exists, login works, datastores exist)
 * live in validate.ts.
 */
import { z } from 'zod';
import { WireDateSchema } from '../../daemon/wire/date.js';
import { SelectionRules } from './sync/rules/schema.js';
import { boundedString, MAX_NAME, MAX_PEM } from '../../daemon/registry/bounds.js';

/** What `password` reads as on output, and what update accepts as "keep the stored one" (TrueNAS `Secret`). */
export const MASKED_PASSWORD = '********';

/** Default HTTPS port of vCenter/ESXi. */
export const DEFAULT_PORT = 443;

const nonEmpty = boundedString(MAX_NAME).trim().min(1, 'String should have at least 1 character');

/** `state.state` values (TrueNAS 26 `VMWareEntryState`). */
export const VMWARE_STATES = ['PENDING', 'SUCCESS', 'ERROR', 'BLOCKED'] as const;
export type VmwareStateName = (typeof VMWARE_STATES)[number];

/** Health-check failure classes (the vSphere client's categories). */
export const ERROR_CLASSES = ['auth', 'permission', 'licence', 'tls', 'network', 'timeout', 'protocol', 'fault', 'task', 'config'] as const;
export type ErrorClass = (typeof ERROR_CLASSES)[number];

/** TLS settings of an entry, as input (all optional). */
const TlsInput = z
  .strictObject({
    verify: z.boolean().describe('Verify the server certificate against the system CAs (or `ca`) and the host name; default true'),
    ca: boundedString(MAX_PEM).nullable().describe('PEM certificate(s) to trust instead of the system CAs, e.g. the vCenter VMCA root; null = system CAs'),
    thumbprint: boundedString(MAX_NAME)
      .nullable()
      .describe('Pinned certificate fingerprint, SHA-256 (64 hex digits) or SHA-1 (40, as vCenter shows it), colons optional; accepted instead of CA trust'),
  })
  .partial();

/** TLS settings as stored and returned. */
export const TlsEntry = z
  .object({
    verify: z.boolean().describe('Whether the certificate is verified (pinning overrides it)'),
    ca: z.string().nullable().describe('Custom CA PEM, or null'),
    thumbprint: z.string().nullable().describe('Pinned fingerprint as entered, or null'),
  })
  .describe('How the server certificate is checked');
export type VmwareTls = z.output<typeof TlsEntry>;

/** `state`: the outcome of the last coordinated-snapshot login (TrueNAS semantics) or of the health poll. */
export const StateEntry = z
  .object({
    state: z.enum(VMWARE_STATES).describe('PENDING (nothing tried since create/update), SUCCESS, ERROR (login failed; see error), BLOCKED'),
    error: z.string().optional().describe('Why the last login failed (ERROR only)'),
    datetime: WireDateSchema.optional().describe('When the state was set (absent for PENDING)'),
  })
  .describe('Connection state of the entry');
export type VmwareState = z.output<typeof StateEntry>;

/** `{class, message}` of a failure. */
export const ErrorInfo = z
  .object({
    class: z.enum(ERROR_CLASSES).describe('auth, permission, licence, tls, network, timeout, protocol, fault, task or config'),
    message: z.string().describe('What went wrong and what to do'),
  })
  .describe('A classified failure');
export type VmwareErrorInfo = z.output<typeof ErrorInfo>;

/** What the last successful poll saw. */
export const HealthSummary = z
  .object({
    hosts: z.number().int().describe('HostSystems in the inventory'),
    vms: z.number().int().describe('VirtualMachines in the inventory'),
    datastores: z.number().int().describe('Datastores in the inventory'),
    protected_vms: z.number().int().describe('VMs a coordinated snapshot of this entry\'s filesystem would snapshot'),
    last_collected: WireDateSchema.describe('When the inventory was read'),
  })
  .describe('Observed inventory summary');
export type VmwareHealthSummary = z.output<typeof HealthSummary>;

/** Health as stored (the poll interval is added on output). */
export const StoredHealth = z.object({
  last_success: WireDateSchema.nullable().describe('Last successful login + inventory read, or null'),
  last_failure: WireDateSchema.nullable().describe('Last failed check, or null'),
  consecutive_failures: z.number().int().min(0).describe('Failed checks since the last success'),
  last_error: ErrorInfo.nullable().describe('The last failure, or null'),
  summary: HealthSummary.nullable().describe('What the last successful check saw, or null before the first one'),
});
export type VmwareStoredHealth = z.output<typeof StoredHealth>;

/** Health as returned. */
export const HealthEntry = StoredHealth.extend({
  poll_interval_seconds: z.number().int().describe('Seconds between background checks (config vmware.poll_interval_seconds); 0 = entry disabled, not polled'),
}).describe('Connection health, kept fresh by a background poll');

/** An entry as returned by query/get_instance/create/update. */
export const VmwareEntry = z
  .object({
    id: z.number().int().describe('Entry id'),
    hostname: z.string().describe('vCenter or ESXi host name or IP address'),
    port: z.number().int().describe('HTTPS port'),
    username: z.string().describe('vSphere user, e.g. administrator@vsphere.local'),
    password: z.literal(MASKED_PASSWORD).describe('Always "********": the password is write-only'),
    filesystem: z.string().describe('ZFS dataset (or zvol) whose snapshots are coordinated, e.g. tank/vmware'),
    datastores: z.array(z.string()).describe('Datastores backed by the filesystem whose VMs are snapshotted'),
    datastore: z.string().describe('The first of `datastores` (TrueNAS clients read this field)'),
    tls: TlsEntry,
    enabled: z.boolean().describe('Disabled entries are neither polled nor used for coordinated snapshots'),
    rules: SelectionRules,
    state: StateEntry,
    health: HealthEntry,
  })
  .describe('VMware credentials and the datastores they cover');
export type VmwareEntryOut = z.output<typeof VmwareEntry>;

const common = {
  hostname: nonEmpty.max(253, 'String should have at most 253 characters').describe('vCenter or ESXi host name or IP address (no scheme, no port)'),
  port: z.number().int().min(1, 'Input should be between 1 and 65535').max(65535, 'Input should be between 1 and 65535').describe('HTTPS port (default 443)'),
  username: nonEmpty.max(200, 'String should have at most 200 characters').describe('vSphere user'),
  password: z.string().min(1, 'String should have at least 1 character').max(1024).describe('vSphere password (write-only)'),
  filesystem: nonEmpty.max(200, 'String should have at most 200 characters').describe('ZFS dataset or zvol name, e.g. tank/vmware (no /mnt prefix)'),
  datastore: nonEmpty.max(200).describe('One datastore (TrueNAS field); same as datastores: [datastore]'),
  datastores: z.array(nonEmpty.max(200)).max(256).describe('Datastores to cover; omitted = the datastores match_datastores_with_datasets pairs with filesystem'),
  tls: TlsInput.describe('Certificate checking: verify (default true), ca, thumbprint'),
  enabled: z.boolean().describe('Poll and coordinate this entry (default true)'),
  rules: SelectionRules.describe('Which VMs are protected and how: include/exclude by name, folder, moref, uuid, tag, attribute; per-VM modes (default: none)'),
};

/** `vmware.create` input: the seed's four fields are required, the rest optional. */
export const VmwareCreate = z
  .strictObject({
    hostname: common.hostname,
    username: common.username,
    password: common.password,
    filesystem: common.filesystem,
    port: common.port.optional(),
    datastore: common.datastore.optional(),
    datastores: common.datastores.optional(),
    tls: common.tls.optional(),
    enabled: common.enabled.optional(),
    rules: common.rules.optional(),
  })
  .describe('New VMware credentials');
export type VmwareCreateIn = z.output<typeof VmwareCreate>;

/** `vmware.update` input: any subset; an omitted password or "********" keeps the stored one. */
export const VmwareUpdate = z
  .strictObject({
    hostname: common.hostname,
    username: common.username,
    password: common.password.describe('New password; omit it or send "********" to keep the stored one'),
    filesystem: common.filesystem,
    port: common.port,
    datastore: common.datastore,
    datastores: common.datastores.describe('New datastore list; [] = match again from filesystem'),
    tls: common.tls,
    enabled: common.enabled,
    rules: common.rules,
  })
  .partial()
  .describe('Fields of VMware credentials to change');
export type VmwareUpdateIn = z.output<typeof VmwareUpdate>;

/** Connection fields: `get_datastores`, `match_datastores_with_datasets` and draft `test` take these. */
export const VmwareCredentials = z
  .strictObject({
    hostname: common.hostname,
    username: common.username,
    password: common.password,
    port: common.port.optional(),
    tls: common.tls.optional(),
  })
  .describe('Where and how to log in');
export type VmwareCredentialsIn = z.output<typeof VmwareCredentials>;

/** A `vmware.test` draft: the connection fields, plus the rest of a create form (ignored) so a UI can send it whole. */
export const VmwareTestDraft = VmwareCredentials.extend({
  filesystem: common.filesystem.optional(),
  datastore: common.datastore.optional(),
  datastores: common.datastores.optional(),
  enabled: common.enabled.optional(),
  rules: common.rules.optional(),
}).describe('Unsaved VMware credentials to test');

/** `vmware.test` overlay on a saved entry. */
export const VmwareTestOverlay = VmwareUpdate.describe('Edited fields to test instead of the saved ones (password omitted or "********" = the stored one)');

/** Certificate as `vmware.test` reports it. */
export const CertificateReport = z
  .object({
    sha256: z.string().describe('SHA-256 fingerprint, colon hex'),
    sha1: z.string().describe('SHA-1 fingerprint, colon hex (vCenter\'s display form)'),
    subject: z.string(),
    issuer: z.string(),
    not_after: z.string().describe('Expiry, ISO 8601'),
    trusted: z.boolean().describe('Chain and host name verified against the system CAs or tls.ca'),
    pinned: z.boolean().describe('Matched the pinned tls.thumbprint'),
  })
  .describe('The server certificate');

/** `vmware.test` result. */
export const VmwareTestResult = z
  .object({
    ok: z.boolean().describe('Login and inventory read succeeded'),
    product: z.string().nullable().describe('e.g. "VMware vCenter Server 8.0.2 build-22385739"'),
    version: z.string().nullable().describe('Product version, e.g. 8.0.2'),
    api_version: z.string().nullable().describe('Negotiated vim25 API version'),
    certificate: CertificateReport.nullable().describe('The certificate the server presented (also on TLS failures)'),
    datastores: z.array(z.string()).describe('Datastore names, sorted'),
    latency_ms: z.number().int().describe('Time the test took, in ms'),
    error: ErrorInfo.optional().describe('Why it failed'),
  })
  .describe('Outcome of a connection test');
export type VmwareTestResultOut = z.output<typeof VmwareTestResult>;

/** `match_datastores_with_datasets` result (TrueNAS shape). */
export const MatchResult = z
  .object({
    datastores: z
      .array(z.object({ name: z.string(), description: z.string(), filesystems: z.array(z.string()) }))
      .describe('Remote datastores (NFS, NFS41, VMFS), sorted by name, each with the local datasets backing it'),
    filesystems: z
      .array(z.object({ type: z.enum(['FILESYSTEM', 'VOLUME']), name: z.string(), description: z.string() }))
      .describe('Local datasets and zvols, sorted by name'),
  })
  .describe('Which datasets back which datastores');
export type MatchResultOut = z.output<typeof MatchResult>;

/** One VM of `get_virtual_machines`. */
export const VirtualMachineEntry = z.object({
  moref: z.string().describe('VirtualMachine moref value, e.g. vm-42'),
  name: z.string(),
  uuid: z.string().nullable().describe('BIOS UUID (config.uuid)'),
  instance_uuid: z.string().nullable().describe('config.instanceUuid'),
  power_state: z.string().describe('poweredOn, poweredOff or suspended'),
  tools_status: z.string().nullable().describe('guest.toolsRunningStatus'),
  host: z.string().nullable().describe('Name of the ESXi host running it'),
  datastores: z.array(z.string()).describe('Names of the datastores it uses'),
  protected: z.boolean().describe('Whether a coordinated snapshot of the entry\'s filesystem would snapshot it'),
  reason: z.string().nullable().describe('Why it would not be snapshotted (null when protected)'),
  code: z.string().nullable().describe('Machine-readable form of reason: powered_off, template, agent_vm, cannot_snapshot, independent_only, other_datastore…'),
  warnings: z.array(z.string()).describe('Partial-protection notes (independent disks, disks on other datastores, crash-consistent only)'),
  rule: z.string().nullable().describe('The entry\'s selection rule that selected or excluded it (null without rules)'),
  mode: z.enum(['quiesce', 'crash_consistent', 'skip']).describe('Its snapshot mode by the rules'),
  mode_rule: z.string().nullable().describe('The rule that set mode (null: the default)'),
});
export type VirtualMachineEntryOut = z.output<typeof VirtualMachineEntry>;
