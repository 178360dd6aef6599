/**
 * One login + inventory read + logout: what validation, `get_datastores`, matching, the VM list and
 * the export all start from.
 */
import type { ConnectTarget } from './connect.js';
import type { VmwareEntriesService } from './entries-service.js';
import { toCallError } from './errors.js';
import type { ServerRead } from './validate.js';

/**
 * Reads the server's inventory (`extended` adds clusters, resource pools, datacenters, folders and
 * guest identity).
 * @throws the vSphere client's typed errors
 */
export async function readServer(entries: Pick<VmwareEntriesService, 'connect'>, target: ConnectTarget, extended = false): Promise<ServerRead> {
  const client = await entries.connect(target);
  try {
    const inventory = await client.inventory({ extended });
    return { about: client.about, apiVersion: client.apiVersion, certificate: client.certificate, inventory };
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
