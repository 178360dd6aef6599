/**
 * The background health check: every enabled entry is checked every `poll_interval_seconds`
 * (jittered by ±10% so entries on one vCenter do not log in together), one check per entry at a
 * time. A check logs in, reads the inventory (one PropertyCollector round trip) and logs out.
 *
 * - success → `health` (last_success, summary); an entry in state ERROR goes to SUCCESS and its
 *   VMWareLoginFailed alert is cleared (as TrueNAS does after a successful login);
 * - failure → `health` (last_failure, consecutive_failures, last_error {class, message}), state ERROR
 *   (for every entry sharing the credentials, TrueNAS rule) and the VMWareLoginFailed alert.
 * A check never throws out of the timer: a vCenter that hangs or vanishes cannot hurt the daemon.
 */
import type { Logger } from 'pino';
import type { VmwareEntries } from './entries-service.js';
import { summarize } from './summary.js';
import { selectOnServer } from './sync/rules/server-select.js';
import type { VmwareEntryRecord } from './store.js';

/** Jitter of the interval (fraction either way). */
const JITTER = 0.1;
/** Longest wait for running checks on stop (ms); they finish in the background after that. */
const STOP_GRACE_MS = 2000;

/** What the poller needs. */
export interface PollerDeps {
  entries: VmwareEntries;
  intervalSeconds: number;
  log: Logger;
  /** For tests: random source in [0, 1). */
  random?: () => number;
}

/** Per-entry timers; see the module comment. */
export class HealthPoller {
  readonly #d: PollerDeps;
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #running = new Map<number, Promise<void>>();
  /** Aborted by {@link stop}: a check still connecting/logging in gives up at once. */
  #stop = new AbortController();
  #stopped = true;

  constructor(deps: PollerDeps) {
    this.#d = deps;
  }

  /** The next delay in ms: the interval ±10%. */
  #delay(first: boolean): number {
    const r = (this.#d.random ?? Math.random)();
    const base = this.#d.intervalSeconds * 1000;
    // The first check after start-up is spread over the first interval (at most 30 s) so a restart
    // does not log in to every vCenter at once, and health is fresh soon after a restart.
    if (first) return Math.round(Math.min(base, 30_000) * r);
    return Math.round(base * (1 - JITTER + 2 * JITTER * r));
  }

  /** Starts polling every enabled entry. */
  start(): void {
    if (this.#stop.signal.aborted) this.#stop = new AbortController();
    this.#stopped = false;
    this.sync(true);
  }

  /** Brings the timers in line with the table (call after create/update/delete). */
  sync(first = false): void {
    if (this.#stopped) return;
    const wanted = new Set(this.#d.entries.list().filter((e) => e.enabled !== false).map((e) => e.id));
    for (const [id, timer] of this.#timers) {
      if (!wanted.has(id)) {
        clearTimeout(timer);
        this.#timers.delete(id);
      }
    }
    for (const id of wanted) if (!this.#timers.has(id) && !this.#running.has(id)) this.#schedule(id, first);
  }

  #schedule(id: number, first: boolean): void {
    if (this.#stopped) return;
    const timer = setTimeout(() => {
      this.#timers.delete(id);
      void this.checkNow(id).finally(() => {
        const entry = this.#d.entries.get(id);
        if (entry && entry.enabled !== false && !this.#timers.has(id)) this.#schedule(id, false);
      });
    }, this.#delay(first));
    timer.unref();
    this.#timers.set(id, timer);
  }

  /** Checks one entry now (joins a check already running). Never rejects. */
  checkNow(id: number): Promise<void> {
    const running = this.#running.get(id);
    if (running) return running;
    const p = this.#check(id)
      .catch((err: unknown) => this.#d.log.error({ err, id }, 'vmware health check failed unexpectedly'))
      .finally(() => this.#running.delete(id));
    this.#running.set(id, p);
    return p;
  }

  async #check(id: number): Promise<void> {
    const entry = this.#d.entries.get(id);
    if (!entry || entry.enabled === false) return;
    const started = Date.now();
    try {
      const client = await this.#d.entries.connect(entry, { signal: this.#stop.signal });
      let selection;
      try {
        // The entry's rules apply to protected_vms (tags are read only when a rule names one).
        selection = await selectOnServer(client, () => this.#d.entries.connectTags(entry), [entry], null, entry.datastores);
      } finally {
        await client.close().catch(() => undefined);
      }
      if (this.#stale(entry)) return;
      await this.#d.entries.recordHealth(id, { ok: true, at: started, summary: summarize(selection.inventory, selection.selections) });
      if (entry.state.state === 'ERROR') await this.#d.entries.loginSucceeded(entry);
    } catch (err) {
      if (this.#stale(entry)) return;
      const d = this.#d.entries.describeError(err);
      this.#d.log.warn({ id, hostname: entry.hostname, class: d.class }, `vmware health check of ${entry.hostname} failed: ${d.message}`);
      await this.#d.entries.recordHealth(id, { ok: false, at: started, error: { class: d.class, message: d.message } });
      await this.#d.entries.loginFailed(entry, { class: d.class, message: d.message });
    }
  }

  /** True when the poller stopped, or the entry was deleted or its connection changed while the check ran. */
  #stale(checked: VmwareEntryRecord): boolean {
    if (this.#stopped) return true; // shutting down: the datastore may be closing
    const now = this.#d.entries.get(checked.id);
    if (!now) return true;
    const key = (e: VmwareEntryRecord) => JSON.stringify([e.hostname, e.port, e.username, e.password, e.tls]);
    return key(now) !== key(checked);
  }

  /** Stops every timer, aborts connects in progress; waits briefly for running checks. */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#stop.abort(new Error('the vmware plugin is stopping'));
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    const running = [...this.#running.values()];
    if (running.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.all(running), new Promise<void>((r) => (timer = setTimeout(r, STOP_GRACE_MS)))]);
    clearTimeout(timer);
  }
}
