/**
 * The `vmware` datastore collection (TrueNAS table `storage_vmwareplugin`): one row per set of
 * VMware credentials. The password is a secret field, so it is AES-256-GCM encrypted in the db
 * file and decrypted only in memory; it never leaves the daemon (entries show "********").
 */
import type { Collection, Datastore } from '../../daemon/plugin.js';
import type { WireDate } from '../../daemon/wire/date.js';
import { noRules, type SelectionRules } from './sync/rules/schema.js';
import {
  MASKED_PASSWORD,
  type VmwareEntryOut,
  type VmwareErrorInfo,
  type VmwareHealthSummary,
  type VmwareState,
  type VmwareStoredHealth,
  type VmwareTls,
} from './schemas.js';

/** Collection name in the db file; also the `collection_update` event prefix (`vmware.query`). */
export const VMWARE_COLLECTION = 'vmware';
/** The CRUD event (TrueNAS name). */
export const VMWARE_EVENT = 'vmware.query';
/** Verbose name in "VMWare 5 does not exist" (TrueNAS spelling). */
export const VMWARE_VERBOSE_NAME = 'VMWare';

/**
 * A stored entry with its password decrypted: what the vmware plugin and the coordinator
 * (plugins/vmware/sync) work with. Internal only: never return it from a method, never log it.
 */
export interface VmwareEntryRecord {
  id: number;
  hostname: string;
  /** HTTPS port (443). */
  port: number;
  username: string;
  /** Clear text (decrypted by the collection). */
  password: string;
  /** ZFS dataset or zvol name, e.g. `tank/vmware`. */
  filesystem: string;
  /** Datastore names the entry covers (exact names, never prefixes). */
  datastores: string[];
  tls: VmwareTls;
  /** Disabled entries are not polled and must not be used for coordinated snapshots. */
  enabled: boolean;
  /** Which VMs are protected and how (absent on rows written before rules existed = no rules). */
  rules?: SelectionRules;
  state: VmwareState;
  health: VmwareStoredHealth;
}

/** Health of an entry nothing has checked yet. */
export function emptyHealth(): VmwareStoredHealth {
  return { last_success: null, last_failure: null, consecutive_failures: 0, last_error: null, summary: null };
}

/** Opens the collection (call during plugin setup). The password is encrypted at rest. */
export function openVmwareStore(db: Datastore): Collection<VmwareEntryRecord> {
  return db.collection<VmwareEntryRecord>({ name: VMWARE_COLLECTION, secretFields: ['password'] });
}

/**
 * The entry as the API returns it: password masked, `datastore` = first datastore (TrueNAS
 * clients), `health.poll_interval_seconds` added (0 when the entry is disabled).
 * Tolerates rows written by older versions (missing optional fields get their defaults).
 */
export function toEntry(row: VmwareEntryRecord, pollIntervalSeconds: number): VmwareEntryOut {
  const datastores = Array.isArray(row.datastores) ? [...row.datastores] : [];
  const health = { ...emptyHealth(), ...(row.health ?? {}) };
  return {
    id: row.id,
    hostname: row.hostname,
    port: row.port ?? 443,
    username: row.username,
    password: MASKED_PASSWORD,
    filesystem: row.filesystem,
    datastores,
    datastore: datastores[0] ?? '',
    tls: { verify: row.tls?.verify ?? true, ca: row.tls?.ca ?? null, thumbprint: row.tls?.thumbprint ?? null },
    enabled: row.enabled ?? true,
    rules: row.rules ?? noRules(),
    state: row.state ?? { state: 'PENDING' },
    health: { ...health, poll_interval_seconds: row.enabled === false ? 0 : pollIntervalSeconds },
  };
}

/** Health after a successful check at `at`. */
export function healthAfterSuccess(prev: VmwareStoredHealth, at: WireDate, summary: VmwareHealthSummary | null): VmwareStoredHealth {
  return { ...prev, last_success: at, consecutive_failures: 0, summary: summary ?? prev.summary };
}

/** Health after a failed check at `at` (the last summary is kept: it is what was last seen). */
export function healthAfterFailure(prev: VmwareStoredHealth, at: WireDate, error: VmwareErrorInfo): VmwareStoredHealth {
  return { ...prev, last_failure: at, consecutive_failures: prev.consecutive_failures + 1, last_error: error };
}

/**
 * True when two entries log in with the same credentials (TrueNAS applies state changes to every
 * row whose hostname, username and decrypted password are equal).
 */
export function sameCredentials(a: Pick<VmwareEntryRecord, 'hostname' | 'username' | 'password'>, b: Pick<VmwareEntryRecord, 'hostname' | 'username' | 'password'>): boolean {
  return a.hostname === b.hostname && a.username === b.username && a.password === b.password;
}
