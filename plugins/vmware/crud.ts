/**
 * `vmware.create`, `vmware.update`, `vmware.delete` (TrueNAS §1.3): validate, store, tell
 * subscribers (`vmware.query` added/changed/removed), keep the health poller in step.
 *
 * - create stores `state = PENDING` and, since validation just logged in and read the inventory,
 *   a first health record (TrueNAS has no health);
 * - update overlays the given fields (an omitted password or "********" keeps the stored one),
 *   validates only what changed (plus the login when hostname/port/username/password/tls changed,
 *   and the datastores whenever a login happens), resets `state` to PENDING and clears the
 *   VMWareLoginFailed alert of the OLD hostname;
 * - delete removes the row and clears that alert; vSphere and snapshot tasks are not touched.
 */
import { InstanceNotFound, ValidationErrors } from '../../daemon/errors.js';
import type { Alerts, Collection, EventBus } from '../../daemon/plugin.js';
import { publishCrud } from '../../daemon/query/index.js';
import { toWireDate } from '../../daemon/wire/date.js';
import { clearLoginFailed } from './alerts.js';
import { MASKED_PASSWORD, type VmwareCreateIn, type VmwareEntryOut, type VmwareStoredHealth, type VmwareTls, type VmwareUpdateIn } from './schemas.js';
import { emptyHealth, healthAfterSuccess, toEntry, VMWARE_EVENT, VMWARE_VERBOSE_NAME, type VmwareEntryRecord } from './store.js';
import { summarize } from './summary.js';
import { noRules, rulesEmpty, type SelectionRules } from './sync/rules/schema.js';
import { classifyRuled } from './sync/rules/server-select.js';
import { classifyVms } from './sync/select.js';
import { pickDatastores, validateEntry, type ServerRead, type ValidationDeps, type ValidationPlan } from './validate.js';

/** What the CRUD handlers need. */
export interface CrudDeps {
  store: Collection<VmwareEntryRecord>;
  events: EventBus;
  alerts: Alerts;
  validation: ValidationDeps;
  pollIntervalSeconds: number;
  /** Called after every change so per-entry poll timers follow the table. */
  onChange(): void;
}

/** `""` and whitespace mean "not set" for the optional TLS texts. */
function text(v: string | null | undefined): string | null {
  return v === undefined || v === null || v.trim() === '' ? null : v.trim();
}

/** TLS input → stored TLS, field by field over `base`. */
export function mergeTls(base: VmwareTls, input: { verify?: boolean | undefined; ca?: string | null | undefined; thumbprint?: string | null | undefined } | undefined): VmwareTls {
  if (!input) return base;
  return {
    verify: input.verify ?? base.verify,
    ca: input.ca !== undefined ? text(input.ca) : base.ca,
    thumbprint: input.thumbprint !== undefined ? text(input.thumbprint) : base.thumbprint,
  };
}

/** Default TLS: verify against the system CAs. */
export const DEFAULT_TLS: VmwareTls = { verify: true, ca: null, thumbprint: null };

/**
 * Health after the login validation made: counted with the entry's `rules` when validation read
 * their facts (rules given in this call); rules kept from before were not read, so the last summary
 * stays until the next background check counts with them.
 */
function freshHealth(server: ServerRead | null, datastores: readonly string[], rules: SelectionRules, base: VmwareStoredHealth): VmwareStoredHealth {
  if (!server) return base;
  const now = toWireDate(Date.now());
  if (rulesEmpty(rules)) return healthAfterSuccess(base, now, summarize(server.inventory, classifyVms(server.inventory, datastores)));
  const facts = server.facts;
  if (!facts) return healthAfterSuccess(base, now, null);
  return healthAfterSuccess(base, now, summarize(server.inventory, classifyRuled(server.inventory, datastores, [{ datastores, rules }], null, facts)));
}

/** `vmware.create`. @throws ValidationErrors (`vmware_create.*`) */
export async function createEntry(d: CrudDeps, input: VmwareCreateIn): Promise<VmwareEntryOut> {
  const schema = 'vmware_create';
  const errors = new ValidationErrors();
  if (input.password === MASKED_PASSWORD) {
    errors.add(`${schema}.password`, `"${MASKED_PASSWORD}" is the placeholder queries show instead of the password; send the real password`);
  }
  const { list, field } = pickDatastores(schema, input, errors);
  const draft = {
    hostname: input.hostname,
    port: input.port ?? 443,
    username: input.username,
    password: input.password,
    tls: mergeTls(DEFAULT_TLS, input.tls),
    filesystem: input.filesystem,
    datastores: list ?? [],
    rules: input.rules ?? noRules(),
  };
  const plan: ValidationPlan = {
    hostname: true,
    filesystem: true,
    login: true,
    datastores: draft.datastores.length ? 'given' : 'match',
    datastoreField: field,
    rules: !rulesEmpty(draft.rules),
  };
  const { datastores, server } = await validateEntry(schema, draft, plan, d.validation, errors);
  const row = await d.store.insert({
    ...draft,
    datastores,
    enabled: input.enabled ?? true,
    state: { state: 'PENDING' },
    health: freshHealth(server, datastores, draft.rules, emptyHealth()),
  });
  const entry = toEntry(row, d.pollIntervalSeconds);
  publishCrud(d.events, VMWARE_EVENT, 'added', row.id, entry);
  d.onChange();
  return entry;
}

/** `vmware.update`. @throws InstanceNotFound, ValidationErrors (`vmware_update.*`) */
export async function updateEntry(d: CrudDeps, id: number, patch: VmwareUpdateIn): Promise<VmwareEntryOut> {
  const schema = 'vmware_update';
  const old = d.store.get(id);
  if (!old) throw new InstanceNotFound(VMWARE_VERBOSE_NAME, id);
  const errors = new ValidationErrors();
  const { list, field } = pickDatastores(schema, patch, errors);
  const draft = {
    hostname: patch.hostname ?? old.hostname,
    port: patch.port ?? old.port,
    username: patch.username ?? old.username,
    password: patch.password === undefined || patch.password === MASKED_PASSWORD ? old.password : patch.password,
    tls: mergeTls(old.tls ?? DEFAULT_TLS, patch.tls),
    filesystem: patch.filesystem ?? old.filesystem,
    datastores: list && list.length > 0 ? list : [...old.datastores],
    rules: patch.rules ?? old.rules ?? noRules(),
  };
  const connectionChanged =
    draft.hostname !== old.hostname ||
    draft.port !== old.port ||
    draft.username !== old.username ||
    draft.password !== old.password ||
    JSON.stringify(draft.tls) !== JSON.stringify(old.tls);
  const mode = list === undefined ? 'keep' : list.length === 0 ? 'match' : 'given';
  const plan: ValidationPlan = {
    hostname: draft.hostname !== old.hostname,
    filesystem: draft.filesystem !== old.filesystem,
    login: connectionChanged || mode !== 'keep',
    datastores: mode,
    datastoreField: field,
    rules: patch.rules !== undefined && !rulesEmpty(patch.rules),
  };
  const { datastores, server } = await validateEntry(schema, draft, plan, d.validation, errors);
  let row: VmwareEntryRecord;
  try {
    row = await d.store.update(id, {
      ...draft,
      datastores,
      enabled: patch.enabled ?? old.enabled,
      state: { state: 'PENDING' },
      health: freshHealth(server, datastores, draft.rules, connectionChanged ? emptyHealth() : { ...emptyHealth(), ...old.health }),
    });
  } catch (err) {
    if (!d.store.get(id)) throw new InstanceNotFound(VMWARE_VERBOSE_NAME, id); // deleted while validating
    throw err;
  }
  await clearLoginFailed(d.alerts, old.hostname);
  const entry = toEntry(row, d.pollIntervalSeconds);
  publishCrud(d.events, VMWARE_EVENT, 'changed', id, entry);
  d.onChange();
  return entry;
}

/** `vmware.delete`. @throws InstanceNotFound */
export async function deleteEntry(d: CrudDeps, id: number): Promise<true> {
  const old = d.store.get(id);
  if (!old) throw new InstanceNotFound(VMWARE_VERBOSE_NAME, id);
  if (!(await d.store.delete(id))) throw new InstanceNotFound(VMWARE_VERBOSE_NAME, id);
  await clearLoginFailed(d.alerts, old.hostname);
  publishCrud(d.events, VMWARE_EVENT, 'removed', id);
  d.onChange();
  return true;
}
