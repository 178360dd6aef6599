/**
 * One server's part of a run (SPEC §4 steps 2–3 and 6): log in once, read the inventory in one
 * PropertyCollector round trip, classify the VMs against the union of the server's entries'
 * datastores, persist the planned VMs in the run record, create the snapshots (their removal is
 * ./removal-queue.ts); at the end set the entries' state and close the session.
 * Login failures raise `VMWareLoginFailed` and set the entries' state to ERROR through the
 * vmwareEntries service (reference §1.2, §1.5); a successful run sets SUCCESS (TrueNAS: end phase).
 */
import type { Alerts } from '../../../daemon/plugin.js';
import type { VmwareEntriesService } from '../entries-service.js';
import type { VsphereClient } from '../../../vsphere/index.js';
import type { SyncConfig } from './config.js';
import { createVmSnapshot, newVmWork, type CreateContext, type VmWork } from './create-phase.js';
import type { HostLimiter } from './limiter.js';
import type { SelectionRules } from './rules/schema.js';
import { selectOnServer } from './rules/server-select.js';
import type { RunRecorder } from './run-store.js';
import type { ServerGroup } from './servers.js';

/** How far a server got. */
export type ServerStatus = 'pending' | 'ok' | 'login_failed' | 'inventory_failed';

/** One server in a run. */
export interface ServerRun {
  group: ServerGroup;
  status: ServerStatus;
  error: string | null;
  client: VsphereClient | null;
  /** Every VM of its inventory, classified (protected ones carry their outcome). */
  works: VmWork[];
  /** Selection rule problems and rules matching no VM. */
  warnings: string[];
  /** Settles when the VMs are classified (or login/inventory failed); creation waits for the gate after it. */
  planned: Promise<void>;
  /** Settles when login, inventory and every creation are over (never rejects). */
  created: Promise<void>;
}

/** What a server run needs from the coordinator. */
export interface ServerRunContext {
  runId: string;
  entries: VmwareEntriesService;
  alerts: Alerts;
  cfg: SyncConfig;
  limiter: HostLimiter;
  recorder: RunRecorder;
  create: Omit<CreateContext, 'client' | 'limiter' | 'cfg'>;
  /** The task's rules replacing the entries' (null: the entries' own). */
  rules: SelectionRules | null;
  /**
   * Opened once every server has planned (and the pre-script ran): null lets creation start; a
   * sentence skips the VMware phase, every protected VM then fails with it.
   */
  gate: Promise<string | null>;
  /** A protected VM's creation ended (progress, create-failure alert, its removal). */
  onCreated(w: VmWork, s: ServerRun): void;
  /** VMs became known (progress total). */
  onPlanned(protectedCount: number): void;
  log(line: string): void;
}

function text(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Starts a server's login, inventory and creations; see {@link ServerRun.created}. */
export function startServerRun(group: ServerGroup, c: ServerRunContext): ServerRun {
  let planned!: () => void;
  const s: ServerRun = { group, status: 'pending', error: null, client: null, works: [], warnings: [], planned: new Promise((r) => (planned = r)), created: Promise.resolve() };
  s.created = (async () => {
    try {
      const left = Math.max(1000, c.create.deadlineAt - Date.now());
      // Every operation in flight holds a connection for its whole SOAP call; the waiter's long poll and a re-read need two more.
      s.client = await c.entries.connect(group.target, { connectTimeoutMs: Math.min(10_000, left), connections: c.cfg.concurrency.global + 2 });
    } catch (err) {
      s.status = 'login_failed';
      s.error = await c.entries.loginFailed(group.target, err).catch(() => text(err));
      c.log(`${group.hostname}: login failed: ${s.error}`);
      for (const e of group.entries) await c.entries.recordHealth(e.id, { ok: false, error: err }).catch(() => undefined);
      return;
    }
    let selected;
    try {
      const client = s.client;
      selected = await selectOnServer(client, () => c.entries.connectTags(group.target), group.entries, c.rules, group.datastores, { quiesce: c.cfg.quiesce });
    } catch (err) {
      s.status = 'inventory_failed';
      s.error = c.entries.describeError(err).message;
      c.log(`${group.hostname}: inventory read failed: ${s.error}`);
      return;
    }
    s.status = 'ok';
    s.warnings = selected.warnings;
    for (const w of selected.warnings) c.log(`${group.hostname}: ${w}`);
    for (const sel of selected.selections) {
      const ids = group.entries.filter((e) => e.datastores.some((d) => sel.datastores.includes(d))).map((e) => e.id);
      s.works.push(newVmWork(sel, ids, `${group.key}|${sel.vm.host?.value ?? ''}`));
    }
    const prot = s.works.filter((w) => w.sel.protected);
    c.onPlanned(prot.length);
    planned();
    const stop = await c.gate;
    if (stop !== null) {
      for (const w of prot) w.reason = stop;
      return;
    }
    if (prot.length === 0) return;
    // The undo context first: every VM that may get a snapshot is on disk before the first request.
    c.recorder.change((row) => {
      for (const w of prot) {
        row.items.push({
          entry_id: w.entryIds[0] ?? group.target.id,
          hostname: group.hostname,
          port: group.target.port,
          username: group.target.username,
          vm: w.sel.vm.moref.value,
          vm_name: w.sel.vm.name,
          task: null,
          snapshot: null,
          status: 'pending',
        });
      }
    });
    await c.recorder.flush();
    const client = s.client;
    await Promise.all(
      prot.map(async (w) => {
        await createVmSnapshot(w, { ...c.create, client, limiter: c.limiter, cfg: c.cfg });
        c.recorder.item(w.sel.vm.moref.value, {
          snapshot: w.snapshot?.value ?? null,
          task: w.task?.value ?? null,
          status: w.snapshot ? 'created' : w.uncertain ? 'pending' : 'failed',
        });
        c.onCreated(w, s);
      }),
    );
  })()
    .catch((err: unknown) => {
    // A bug or a datastore failure: nothing more is created for this server; removal still runs.
    s.status = s.status === 'pending' ? 'inventory_failed' : s.status;
    s.error ??= text(err);
    c.log(`${group.hostname}: ${text(err)}`);
    })
    .finally(() => planned());
  return s;
}

/**
 * The end of a server's part, once its removals are over: a server that was reached gets its
 * entries' state and health set to success; the session is closed. Never rejects.
 */
export async function finishServer(s: ServerRun, entries: VmwareEntriesService): Promise<void> {
  const client = s.client;
  if (!client) return;
  try {
    if (s.status === 'ok') {
      await entries.loginSucceeded(s.group.target).catch(() => undefined);
      for (const e of s.group.entries) await entries.recordHealth(e.id, { ok: true }).catch(() => undefined);
    }
  } finally {
    await client.close().catch(() => undefined);
  }
}
