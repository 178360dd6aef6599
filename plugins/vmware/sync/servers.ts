/**
 * Entries grouped by the server they log in to (hostname, port, username): a run opens ONE session
 * and reads ONE inventory per vCenter/ESXi however many entries point at it (SPEC §4 step 2;
 * TrueNAS logs in once per row and phase, reference §3.6), and a VM on the datastores of two such
 * entries is snapshotted once.
 */
import type { VmwareEntryRecord } from '../store.js';

/** Entries sharing one server. */
export interface ServerGroup {
  /** `hostname:port/username`. */
  key: string;
  hostname: string;
  /** The entry whose credentials and TLS settings are used (the first by id). */
  target: VmwareEntryRecord;
  entries: VmwareEntryRecord[];
  /** Union of the entries' datastore names. */
  datastores: string[];
}

/** The server key of an entry or run item. */
export function serverKey(e: { hostname: string; port: number; username: string }): string {
  return `${e.hostname}:${e.port}/${e.username}`;
}

/** Groups entries (already in id order) by server; groups in order of their first entry. */
export function groupByServer(entries: readonly VmwareEntryRecord[]): ServerGroup[] {
  const groups = new Map<string, ServerGroup>();
  for (const e of entries) {
    const key = serverKey(e);
    let g = groups.get(key);
    if (!g) {
      g = { key, hostname: e.hostname, target: e, entries: [], datastores: [] };
      groups.set(key, g);
    }
    g.entries.push(e);
    for (const ds of e.datastores) if (!g.datastores.includes(ds)) g.datastores.push(ds);
  }
  return [...groups.values()];
}
