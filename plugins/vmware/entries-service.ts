/**
 * The `vmwareEntries` service: what other plugins (above all the snapshot coordinator in
 * plugins/vmware/sync) may do with VMware entries without going through the API. Get it with
 * `ctx.services.get('vmwareEntries')` at call time or in `start()` (the vmware plugin provides it
 * during setup).
 *
 * Records carry the DECRYPTED password: keep them in memory, never return or log them (pino redacts
 * `password` fields, but do not rely on it), never put them in job arguments.
 *
 * Exact signatures (stable contract):
 * - `list(): VmwareEntryRecord[]` — every entry, id order, enabled or not.
 * - `get(id: number): VmwareEntryRecord | undefined`
 * - `forDataset(dataset: string, recursive: boolean): VmwareEntryRecord[]` — ENABLED entries whose
 *   filesystem is `dataset` or (recursive) below `dataset/` (TrueNAS `_dataset_get_vms`), id order.
 * - `connect(entry: ConnectTarget, opts?: ConnectOverrides): Promise<VsphereClient>` — logs in with the
 *   entry's host/port/credentials/TLS and the configured timeouts; the caller must `close()` it.
 * - `connectTags(entry: ConnectTarget): Promise<VapiClient>` — the same for the vSphere Automation
 *   API's tagging service (selection rules by tag); the caller must `close()` it.
 * - `setState(entry, {state, error?}): Promise<void>` — TrueNAS `set_vmsnapobj_state`: applied to
 *   EVERY row with the same hostname, username and password; `datetime` = now (omitted for PENDING).
 * - `loginFailed(entry, err: unknown): Promise<string>` — VMWareLoginFailed alert (keyed by hostname)
 *   + state ERROR with the classified message (returned).
 * - `loginSucceeded(entry): Promise<void>` — clears that alert + state SUCCESS (TrueNAS end phase).
 * - `recordHealth(id: number, outcome: HealthOutcome): Promise<void>` — updates `health`
 *   (no-op when the entry was deleted meanwhile).
 * - `describeError(err: unknown): DescribedError` — `{class, message, errno}` of a vSphere failure.
 */
import type { Logger } from 'pino';
import type { Alerts, Collection, EventBus } from '../../daemon/plugin.js';
import { publishCrud } from '../../daemon/query/index.js';
import { toWireDate } from '../../daemon/wire/date.js';
import { clearLoginFailed, raiseLoginFailed } from './alerts.js';
import type { VmwareConfig } from './config.js';
import { connectTagsTo, connectTo, type ConnectOverrides, type ConnectTarget } from './connect.js';
import { describeError, type DescribedError } from './errors.js';
import type { VmwareErrorInfo, VmwareHealthSummary, VmwareState, VmwareStateName, VmwareStoredHealth } from './schemas.js';
import {
  emptyHealth,
  healthAfterFailure,
  healthAfterSuccess,
  sameCredentials,
  toEntry,
  VMWARE_EVENT,
  type VmwareEntryRecord,
} from './store.js';
import { entriesForDataset } from './sync/entries.js';
import type { VapiClient } from '../../vsphere/vapi/client.js';
import type { VsphereClient } from '../../vsphere/index.js';

export type { ConnectOverrides, ConnectTarget } from './connect.js';
export type { DescribedError } from './errors.js';
export type { VmwareEntryRecord } from './store.js';

/** The credential triple state changes are keyed by. */
export type CredentialKey = Pick<VmwareEntryRecord, 'hostname' | 'username' | 'password'>;

/**
 * One health check's outcome. `at` is epoch ms (default now). On success `summary` replaces the
 * stored one (omit it to keep the previous summary); on failure `error` is either what was thrown
 * (classified here) or an already classified `{class, message}`.
 */
export type HealthOutcome =
  | { ok: true; at?: number; summary?: VmwareHealthSummary | null }
  | { ok: false; at?: number; error: unknown };

/** See the module comment for the contract. */
export interface VmwareEntriesService {
  list(): VmwareEntryRecord[];
  get(id: number): VmwareEntryRecord | undefined;
  forDataset(dataset: string, recursive: boolean): VmwareEntryRecord[];
  connect(entry: ConnectTarget, opts?: ConnectOverrides): Promise<VsphereClient>;
  connectTags(entry: ConnectTarget): Promise<VapiClient>;
  setState(entry: CredentialKey, state: { state: VmwareStateName; error?: string }): Promise<void>;
  loginFailed(entry: CredentialKey, err: unknown): Promise<string>;
  loginSucceeded(entry: CredentialKey): Promise<void>;
  recordHealth(id: number, outcome: HealthOutcome): Promise<void>;
  describeError(err: unknown): DescribedError;
}

declare module '../../daemon/plugin.js' {
  interface ServiceMap {
    /** VMware entries with decrypted passwords, for the coordinator (plugins/vmware/entries-service.ts). */
    vmwareEntries: VmwareEntriesService;
  }
}

function isErrorInfo(v: unknown): v is VmwareErrorInfo {
  return typeof v === 'object' && v !== null && !(v instanceof Error) && typeof (v as VmwareErrorInfo).class === 'string' && typeof (v as VmwareErrorInfo).message === 'string';
}

/** What {@link VmwareEntries} needs. */
export interface VmwareEntriesDeps {
  store: Collection<VmwareEntryRecord>;
  events: EventBus;
  alerts: Alerts;
  config: VmwareConfig;
  log: Logger;
  now?: () => number;
}

/** The service implementation (also used by the plugin's own methods and the health poller). */
export class VmwareEntries implements VmwareEntriesService {
  readonly #d: VmwareEntriesDeps;
  readonly #now: () => number;

  constructor(deps: VmwareEntriesDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  list(): VmwareEntryRecord[] {
    return this.#d.store.all().map((r) => ({ ...r, health: { ...emptyHealth(), ...r.health } }));
  }

  get(id: number): VmwareEntryRecord | undefined {
    const r = this.#d.store.get(id);
    return r && { ...r, health: { ...emptyHealth(), ...r.health } };
  }

  forDataset(dataset: string, recursive: boolean): VmwareEntryRecord[] {
    return entriesForDataset(this.list(), dataset, recursive);
  }

  connect(entry: ConnectTarget, opts?: ConnectOverrides): Promise<VsphereClient> {
    return connectTo(entry, this.#d.config, this.#d.log, opts);
  }

  connectTags(entry: ConnectTarget): Promise<VapiClient> {
    return connectTagsTo(entry, this.#d.config);
  }

  async setState(entry: CredentialKey, state: { state: VmwareStateName; error?: string }): Promise<void> {
    const next: VmwareState =
      state.state === 'PENDING'
        ? { state: 'PENDING' }
        : { state: state.state, ...(state.state === 'ERROR' ? { error: state.error ?? 'unknown error' } : {}), datetime: toWireDate(this.#now()) };
    for (const row of this.#d.store.all().filter((r) => sameCredentials(r, entry))) {
      await this.#patch(row.id, { state: next });
    }
  }

  async loginFailed(entry: CredentialKey, err: unknown): Promise<string> {
    const message = isErrorInfo(err) ? err.message : describeError(err).message;
    // State first: whoever sees the alert must also see the entry in ERROR.
    await this.setState(entry, { state: 'ERROR', error: message });
    await raiseLoginFailed(this.#d.alerts, entry.hostname, message).catch((e: unknown) => this.#d.log.error({ err: e }, 'cannot raise VMWareLoginFailed'));
    return message;
  }

  async loginSucceeded(entry: CredentialKey): Promise<void> {
    await clearLoginFailed(this.#d.alerts, entry.hostname).catch((e: unknown) => this.#d.log.error({ err: e }, 'cannot clear VMWareLoginFailed'));
    await this.setState(entry, { state: 'SUCCESS' });
  }

  async recordHealth(id: number, outcome: HealthOutcome): Promise<void> {
    const row = this.#d.store.get(id);
    if (!row) return;
    const prev = { ...emptyHealth(), ...row.health };
    const at = toWireDate(outcome.at ?? this.#now());
    let health: VmwareStoredHealth;
    if (outcome.ok) health = healthAfterSuccess(prev, at, outcome.summary ?? null);
    else {
      const e = isErrorInfo(outcome.error) ? outcome.error : describeError(outcome.error);
      health = healthAfterFailure(prev, at, { class: e.class, message: e.message });
    }
    await this.#patch(id, { health });
  }

  describeError(err: unknown): DescribedError {
    return describeError(err);
  }

  /** Writes a patch and tells subscribers; a row deleted meanwhile is skipped silently. */
  async #patch(id: number, patch: Partial<Omit<VmwareEntryRecord, 'id'>>): Promise<void> {
    if (!this.#d.store.get(id)) return;
    let row: VmwareEntryRecord;
    try {
      row = await this.#d.store.update(id, patch);
    } catch (err) {
      if (!this.#d.store.get(id)) return; // deleted between the check and the write
      throw err;
    }
    publishCrud(this.#d.events, VMWARE_EVENT, 'changed', id, toEntry(row, this.#d.config.poll_interval_seconds));
  }
}
