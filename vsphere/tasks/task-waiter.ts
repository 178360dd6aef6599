/**
 * Waits for many vSphere tasks at once through ONE private PropertyCollector (reference B.7;
 * govmomi `property/wait.go`, `task/wait.go`): CreatePropertyCollector, one CreateFilter per batch
 * of tasks (`Task.info`), and a single WaitForUpdatesEx loop carrying `version`. Tasks may be added
 * while the loop waits: the pending wait is cancelled (CancelWaitForUpdates) so the new filter is
 * picked up at once. Each task may have a deadline; on expiry the task is cancelled when possible
 * and its promise rejects with a {@link VsphereTimeoutError}. `close()` destroys the collector.
 *
 * NOTE: after a new filter the next wait asks for the initial state (`version` ''), because
 * Debian's vcsim reports a late filter's objects only then; real servers simply resend the (small)
 * state of every watched task. A filter whose tasks have all settled is destroyed before the next
 * wait (DestroyPropertyFilter), so that state stays the tasks still pending, not every task of the
 * session: with hundreds of tasks a run otherwise re-reads all of them on every new batch.
 */
import { VsphereError, VsphereTimeoutError, type TaskCancelOutcome } from '../faults/errors.js';
import { TaskFaultError, asVimFault, isVimFault } from '../faults/vim-fault.js';
import {
  CancelWaitForUpdates,
  CreateFilter,
  CreatePropertyCollector,
  DestroyPropertyCollector,
  DestroyPropertyFilter,
  WaitForUpdatesEx,
} from '../methods/property-collector.js';
import type { UpdateSet } from '../methods/property-results.js';
import { decodeTaskInfo, type TaskInfo } from '../methods/task.js';
import type { VimSession } from '../session/session.js';
import { obj, ref } from '../types/read.js';
import type { MoRef, VimObject, VimValue } from '../types/values.js';
import { cancelTask } from './snapshots.js';

/** Per-task options. */
export interface TaskWaitOptions {
  /** Give up after this many ms (default: no deadline). */
  deadlineMs?: number;
  /** On deadline, CancelTask when the task is cancelable (default true). */
  cancelOnDeadline?: boolean;
  /** Called with each non-final TaskInfo update (state queued/running, progress). */
  onProgress?: (info: TaskInfo) => void;
}

/** A task that ended in `success`. */
export interface TaskOutcome {
  task: MoRef;
  info: TaskInfo;
  /** TaskInfo.result, e.g. the VirtualMachineSnapshot moref of a snapshot creation. */
  result: VimValue | undefined;
}

interface Entry {
  task: MoRef;
  info: VimObject | undefined;
  opts: TaskWaitOptions;
  timer: NodeJS.Timeout | undefined;
  settled: boolean;
  resolve: (o: TaskOutcome) => void;
  reject: (e: Error) => void;
  /** The filter watching it (null until created). */
  filter: Filter | null;
}

/** A filter of the collector and how many of its tasks are still waited for. */
interface Filter {
  ref: MoRef;
  live: number;
}

function setPath(target: VimObject, dotted: string, val: VimValue | undefined): void {
  const parts = dotted.split('.');
  let cur = target;
  for (const p of parts.slice(0, -1)) {
    const next = obj(cur[p]) ?? {};
    cur[p] = next;
    cur = next;
  }
  cur[parts[parts.length - 1] ?? ''] = val;
}

/** See the module comment. One waiter per session; reuse it for all tasks of a run. */
export class TaskWaiter {
  readonly #session: VimSession;
  readonly #maxWaitSeconds: number;
  readonly #entries = new Map<string, Entry>();
  #queue: Entry[] = [];
  /** Filters whose tasks have all settled: destroyed before the next wait. */
  #spent: MoRef[] = [];
  #pc: MoRef | undefined;
  #pcGeneration = 0;
  #version = '';
  #loop: Promise<void> | undefined;
  #waiting = false;
  #waitSeq = 0;
  #interruptedSeq = -1;
  #wakeScheduled = false;
  #closed = false;

  /** @param opts.maxWaitSeconds how long one WaitForUpdatesEx may block server-side (default 30) */
  constructor(session: VimSession, opts: { maxWaitSeconds?: number } = {}) {
    this.#session = session;
    this.#maxWaitSeconds = opts.maxWaitSeconds ?? 30;
  }

  /** Tasks still being waited for. */
  get pending(): number {
    return this.#entries.size;
  }

  /**
   * Waits for one task.
   * @returns the outcome when TaskInfo.state becomes `success`
   * @throws TaskFaultError (state `error`), VsphereTimeoutError (deadline; see its `cancel`),
   *   VsphereError (task vanished, waiter closed, repeated collector failures)
   */
  wait(task: MoRef, opts: TaskWaitOptions = {}): Promise<TaskOutcome> {
    if (this.#closed) return Promise.reject(new VsphereError('TaskWaiter is closed', 'canceled', 'task'));
    const existing = this.#entries.get(task.value);
    if (existing) return Promise.reject(new VsphereError(`task ${task.value} is already being waited for`, 'invalid-argument', 'task'));
    return new Promise<TaskOutcome>((resolve, reject) => {
      const entry: Entry = { task, info: undefined, opts, timer: undefined, settled: false, resolve, reject, filter: null };
      if (opts.deadlineMs !== undefined) {
        entry.timer = setTimeout(() => void this.#expire(entry), opts.deadlineMs);
      }
      this.#entries.set(task.value, entry);
      this.#queue.push(entry);
      this.#scheduleWake();
    });
  }

  /** Takes an entry out of the waiter (no more updates, no timer); false when it already was. */
  #detach(entry: Entry): boolean {
    if (entry.settled) return false;
    entry.settled = true;
    clearTimeout(entry.timer);
    this.#entries.delete(entry.task.value);
    this.#queue = this.#queue.filter((e) => e !== entry);
    if (entry.filter && --entry.filter.live === 0) this.#spent.push(entry.filter.ref);
    return true;
  }

  #settle(entry: Entry, outcome: { ok: TaskOutcome } | { err: Error }): void {
    if (!this.#detach(entry)) return;
    if ('ok' in outcome) entry.resolve(outcome.ok);
    else entry.reject(outcome.err);
  }

  async #expire(entry: Entry): Promise<void> {
    // Detach first: a success arriving while CancelTask runs must not race the timeout.
    if (!this.#detach(entry)) return;
    const ms = entry.opts.deadlineMs ?? 0;
    const info = entry.info ? decodeTaskInfo(entry.info, entry.task) : undefined;
    let cancel: TaskCancelOutcome = { requested: false, ok: false, reason: 'cancelOnDeadline is off' };
    if (entry.opts.cancelOnDeadline !== false) {
      cancel =
        info && !info.cancelable && info.state !== 'queued'
          ? { requested: false, ok: false, reason: 'cannot cancel: the task is not cancelable' }
          : await cancelTask(this.#session, entry.task, { timeoutMs: Math.min(this.#session.callTimeoutMs, 10_000) }).catch((err: unknown) => ({
              requested: true,
              ok: false,
              reason: `cannot cancel: ${err instanceof Error ? err.message : String(err)}`,
            }));
    }
    const what = `task ${entry.task.value}${info?.name ? ` (${info.name})` : ''}`;
    entry.reject(
      new VsphereTimeoutError(
        `${what} did not finish within ${ms} ms; ${cancel.ok ? 'it was cancelled' : (cancel.reason ?? 'it was not cancelled')}`,
        { phase: 'task', timeoutMs: ms, task: entry.task, cancel },
      ),
    );
  }

  #scheduleWake(): void {
    if (this.#wakeScheduled) return;
    this.#wakeScheduled = true;
    setImmediate(() => {
      this.#wakeScheduled = false;
      if (!this.#loop) {
        this.#loop = this.#run().finally(() => {
          this.#loop = undefined;
          if (this.#queue.length > 0 && !this.#closed) this.#scheduleWake();
        });
      } else if (this.#waiting) {
        void this.#interrupt(this.#waitSeq, 0);
      }
    });
  }

  /** Cancels the pending wait so new filters are created; retries if the cancel raced the wait's start. */
  async #interrupt(seq: number, attempt: number): Promise<void> {
    const pc = this.#pc;
    if (!pc || !this.#waiting || this.#waitSeq !== seq || this.#closed) return;
    if (attempt === 0 && this.#interruptedSeq === seq) return; // already being interrupted
    this.#interruptedSeq = seq;
    await CancelWaitForUpdates(this.#session, pc).catch(() => undefined);
    if (attempt < 5) {
      setTimeout(() => void this.#interrupt(seq, attempt + 1), 500).unref();
    }
  }

  async #run(): Promise<void> {
    const session = this.#session;
    let failures = 0;
    while (!this.#closed && this.#entries.size > 0) {
      try {
        if (!this.#pc || this.#pcGeneration !== session.generation) {
          this.#pcGeneration = session.generation;
          this.#pc = await CreatePropertyCollector(session, session.serviceContent.propertyCollector);
          this.#queue = [...this.#entries.values()];
          this.#spent = []; // the old collector's filters went with it
          this.#version = '';
        }
        const pc = this.#pc;
        const spent = this.#spent.splice(0);
        await Promise.all(spent.map((f) => DestroyPropertyFilter(session, f).catch(() => undefined)));
        const batch = this.#queue.slice();
        if (batch.length > 0) {
          const ref = await CreateFilter(session, pc, {
            propSet: [{ type: 'Task', pathSet: ['info'] }],
            objectSet: batch.map((e) => ({ obj: e.task })),
            // A task that no longer exists comes back in missingSet instead of failing the filter.
            reportMissingObjectsInResults: true,
          }, false);
          const filter: Filter = { ref, live: 0 };
          for (const e of batch) {
            if (e.settled) continue;
            e.filter = filter;
            filter.live++;
          }
          if (filter.live === 0) this.#spent.push(ref);
          this.#queue = this.#queue.filter((e) => !batch.includes(e));
          this.#version = '';
        }
        this.#waiting = true;
        this.#waitSeq++;
        const update = await WaitForUpdatesEx(session, pc, this.#version, this.#maxWaitSeconds, {
          timeoutMs: this.#maxWaitSeconds * 1000 + session.callTimeoutMs,
        });
        this.#waiting = false;
        failures = 0;
        if (update) {
          this.#version = update.version;
          this.#apply(update);
        }
      } catch (err) {
        this.#waiting = false;
        if (this.#closed) break;
        if (isVimFault(err, 'RequestCanceled')) continue; // woken for a new batch
        if (isVimFault(err, 'InvalidCollectorVersion')) {
          this.#version = '';
          continue;
        }
        const gone = ref(asVimFault(err, 'ManagedObjectNotFound')?.fault.obj);
        const lostTask = gone?.type === 'Task' ? this.#entries.get(gone.value) : undefined;
        if (lostTask) {
          // One bad task must not poison the others: drop it, rebuild the filters without it.
          this.#settle(lostTask, { err: new VsphereError(`task ${gone?.value} does not exist on the server (ManagedObjectNotFound)`, 'not-found', 'task') });
          const old = this.#pc;
          this.#pc = undefined;
          if (old) await DestroyPropertyCollector(session, old).catch(() => undefined);
          continue;
        }
        if (session.generation !== this.#pcGeneration || gone) {
          this.#pc = undefined; // collector lost with the old session: rebuild it and its filters
        }
        if (++failures >= 3) {
          for (const e of [...this.#entries.values()]) this.#settle(e, { err: err instanceof Error ? err : new Error(String(err)) });
          break;
        }
        await new Promise((r) => setTimeout(r, 250 * failures));
      }
    }
  }

  #apply(update: UpdateSet): void {
    for (const fs of update.filterSet) {
      for (const ou of fs.objectSet) {
        const entry = this.#entries.get(ou.obj.value);
        if (!entry || entry.settled) continue;
        if (ou.kind === 'leave') {
          this.#settle(entry, { err: new VsphereError(`task ${ou.obj.value} no longer exists on the server; its outcome is unknown`, 'not-found', 'task') });
          continue;
        }
        for (const ch of ou.changeSet) {
          if (ch.name === 'info') entry.info = obj(ch.val) ?? entry.info;
          else if (ch.name.startsWith('info.')) setPath((entry.info ??= {}), ch.name.slice(5), ch.val);
        }
        this.#check(entry);
      }
      for (const m of fs.missingSet) {
        const entry = this.#entries.get(m.obj.value);
        if (!entry) continue;
        const msg = typeof m.fault.localizedMessage === 'string' ? m.fault.localizedMessage : obj(m.fault.fault)?._type ?? 'missing';
        this.#settle(entry, { err: new VsphereError(`task ${m.obj.value} cannot be read: ${msg}`, 'not-found', 'task') });
      }
    }
  }

  #check(entry: Entry): void {
    const info = decodeTaskInfo(entry.info, entry.task);
    if (info.state === 'success') this.#settle(entry, { ok: { task: entry.task, info, result: info.result } });
    else if (info.state === 'error') {
      const init = { task: entry.task, error: info.error, ...(info.entity ? { entity: info.entity } : {}), ...(info.entityName ? { entityName: info.entityName } : {}) };
      this.#settle(entry, { err: new TaskFaultError(init) });
    } else entry.opts.onProgress?.(info);
  }

  /**
   * Stops waiting: pending tasks reject (kind `canceled`), the collector and its filters are destroyed
   * (which also ends a pending WaitForUpdatesEx). Idempotent.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const e of [...this.#entries.values()]) this.#settle(e, { err: new VsphereError('TaskWaiter closed before the task finished', 'canceled', 'task') });
    const pc = this.#pc;
    this.#pc = undefined;
    if (pc && !this.#session.closed) {
      await DestroyPropertyCollector(this.#session, pc, { timeoutMs: 10_000 }).catch(() => undefined);
    }
    if (this.#loop) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#loop, new Promise((r) => (timer = setTimeout(r, 2000)))]);
      clearTimeout(timer);
    }
  }
}
