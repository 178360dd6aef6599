/**
 * One login + inventory read + logout: what validation, `get_datastores`, matching, the VM list and
 * the export all start from.
 */
import type { ConnectTarget } from './connect.js';
import type { VmwareEntriesService } from './entries-service.js';
import { toCallError } from './errors.js';
import { selectOnServer, type ServerSelection } from './sync/rules/server-select.js';
import { collectRuleFacts } from './sync/rules/facts.js';
import { rulesEmpty, type SelectionRules } from './sync/rules/schema.js';
import type { ServerRead } from './validate.js';

/**
 * Reads the server's inventory (`extended` adds clusters, resource pools, datacenters, folders and
 * guest identity; `rules` adds what those selection rules are checked against: folders, custom
 * attributes and, when a rule names a tag, the tags).
 * @throws the vSphere client's typed errors
 */
export async function readServer(
  entries: Pick<VmwareEntriesService, 'connect'> & Partial<Pick<VmwareEntriesService, 'connectTags'>>,
  target: ConnectTarget,
  extended = false,
  rules?: SelectionRules,
): Promise<ServerRead> {
  const client = await entries.connect(target);
  try {
    const withRules = rules !== undefined && !rulesEmpty(rules);
    const inventory = await client.inventory({ extended, rules: withRules });
    const read: ServerRead = { about: client.about, apiVersion: client.apiVersion, certificate: client.certificate, inventory };
    if (withRules) {
      read.facts = await collectRuleFacts(inventory, rules, () => (entries.connectTags ? entries.connectTags(target) : Promise.reject(new Error('tags cannot be read here'))));
    }
    return read;
  } finally {
    await client.close().catch(() => undefined);
  }
}

/**
 * {@link readServer} for API helpers: failures become CallError with TrueNAS's errnos (EPERM for
 * login/permission/licence faults, the socket errno for network failures, 208 for certificates).
 */
export async function readServerOrCallError(entries: Pick<VmwareEntriesService, 'connect'>, target: ConnectTarget, extended = false): Promise<ServerRead> {
  try {
    return await readServer(entries, target, extended);
  } catch (err) {
    throw toCallError(err);
  }
}

/**
 * `vmware.get_virtual_machines`: one login, the inventory and the VM verdicts of an entry with its
 * selection rules (the same selection as a run). Failures become CallError as in {@link readServerOrCallError}.
 */
export async function selectOrCallError(
  entries: Pick<VmwareEntriesService, 'connect' | 'connectTags'>,
  target: ConnectTarget,
  datastores: readonly string[],
  rules: SelectionRules | undefined,
): Promise<ServerSelection> {
  try {
    const client = await entries.connect(target);
    try {
      return await selectOnServer(client, () => entries.connectTags(target), [{ datastores, rules }], null, datastores);
    } finally {
      await client.close().catch(() => undefined);
    }
  } catch (err) {
    throw toCallError(err);
  }
}
