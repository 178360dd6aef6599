/**
 * The run history on disk: one JSON file per run (`<dataDir>/vmware-runs/<run id>.json`, mode 0600,
 * written atomically) and the protection status (`protection.json` next to them), all kept in memory
 * for queries. Records live outside the main datastore on purpose: that file is rewritten on every
 * change of any collection, and a 500-VM run's record alone is a few hundred kB, so history there
 * would slow every write of the daemon (and every run) as it grows.
 *
 * Writes are serialised; a record is on disk before {@link RunHistory.add} resolves. Retention
 * ({@link HistoryConfig}: count and age) runs after each add and hourly, in the background.
 * Events: `vmware.run.query` `added` (with the record), `changed` (a late snapshot removed),
 * `removed` (pruned).
 */
import { mkdir, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { z } from 'zod';
import { AtomicJsonFile } from '../../../daemon/datastore/json-file.js';
import type { EventBus } from '../../../daemon/plugin.js';
import { publishCrud } from '../../../daemon/query/index.js';
import { toWireDate } from '../../../daemon/wire/date.js';
import { isRunId } from '../sync/marker.js';
import type { HistoryConfig } from './config.js';
import { applyRun } from './protection.js';
import type { HeldSource } from '../sync/report.js';
import { ProtectionEntry, RunEntry } from './schema.js';

/** The event name (TrueNAS style: `<namespace>.query`). */
export const RUN_EVENT = 'vmware.run.query';
/** Folder under the data folder. */
export const HISTORY_DIR = 'vmware-runs';
const PROTECTION_FILE = 'protection.json';
const PRUNE_EVERY_MS = 3_600_000;

/** What {@link RunHistory.open} needs. */
export interface RunHistoryOptions {
  /** The folder (created 0700 when missing). */
  dir: string;
  config: HistoryConfig;
  events: EventBus;
  log: Logger;
  /** Clock (epoch ms), for tests. */
  now?: () => number;
}

/** A snapshot of a run a sweep removed after the run (a late one, or one the run could not remove). */
export interface SweptRemoval {
  hostname: string;
  /** VirtualMachine moref value. */
  vm: string;
  /** vSphere createTime of the snapshot (epoch ms), when known. */
  createdAt: number | null;
  /** Epoch ms: the RemoveSnapshot_Task's completeTime when vSphere reported it, else when the sweep saw the removal done. */
  removedAt: number;
  /** `vsphere` when `removedAt` (and `createdAt`) are vSphere's times, else `observed`. */
  source: HeldSource;
}

/** The persisted run history and protection status. */
export class RunHistory {
  readonly #o: RunHistoryOptions;
  readonly #now: () => number;
  readonly #runs = new Map<string, RunEntry>();
  readonly #protection = new Map<string, ProtectionEntry>();
  #chain: Promise<unknown> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  private constructor(o: RunHistoryOptions) {
    this.#o = o;
    this.#now = o.now ?? Date.now;
  }

  /**
   * Loads the folder. Damaged record files are logged and skipped (left in place); a missing or
   * damaged protection file is rebuilt from the records.
   * @throws Error when the folder cannot be created or listed.
   */
  static async open(o: RunHistoryOptions): Promise<RunHistory> {
    const h = new RunHistory(o);
    await mkdir(o.dir, { recursive: true, mode: 0o700 });
    const loaded: RunEntry[] = [];
    for (const name of (await readdir(o.dir)).sort()) {
      if (!name.endsWith('.json') || name === PROTECTION_FILE) continue;
      try {
        const parsed = RunEntry.safeParse(await new AtomicJsonFile<unknown>(join(o.dir, name)).read());
        if (parsed.success && `${parsed.data.id}.json` === name) loaded.push(parsed.data);
        else o.log.warn({ file: name }, 'run history: skipping a damaged record file');
      } catch (err) {
        o.log.warn({ err, file: name }, 'run history: skipping an unreadable record file');
      }
    }
    loaded.sort((a, b) => a.ended_at.$date - b.ended_at.$date);
    for (const r of loaded) h.#runs.set(r.id, r);
    let stored: unknown = null;
    try {
      stored = await new AtomicJsonFile<unknown>(join(o.dir, PROTECTION_FILE)).read();
    } catch (err) {
      o.log.warn({ err }, 'run history: protection status unreadable; rebuilding it from the records');
    }
    const prot = z.object({ vms: ProtectionEntry.array() }).safeParse(stored);
    if (prot.success) for (const p of prot.data.vms) h.#protection.set(p.id, p);
    else for (const r of loaded) applyRun(h.#protection, r);
    return h;
  }

  /** Every record, oldest end first (for `vmware.run.query`). */
  list(): RunEntry[] {
    return [...this.#runs.values()];
  }

  /** One record, or undefined. */
  get(id: string): RunEntry | undefined {
    return this.#runs.get(id);
  }

  /** Every VM's protection status, by id. */
  protection(): ProtectionEntry[] {
    return [...this.#protection.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  #write(name: string, data: unknown): Promise<void> {
    return new AtomicJsonFile<unknown>(join(this.#o.dir, name)).write(data);
  }

  /**
   * Persists a finished run's record and the protection status it changes, announces it and starts
   * retention in the background. @throws the file system's error (the record is then not kept).
   */
  add(entry: RunEntry): Promise<void> {
    if (!isRunId(entry.id)) return Promise.reject(new Error(`run history: ${JSON.stringify(entry.id)} is not a run id`));
    return this.#serial(async () => {
      await this.#write(`${entry.id}.json`, entry);
      this.#runs.delete(entry.id);
      this.#runs.set(entry.id, entry);
      applyRun(this.#protection, entry);
      await this.#write(PROTECTION_FILE, { vms: this.protection() });
      publishCrud(this.#o.events, RUN_EVENT, 'added', entry.id, entry);
      void this.prune().catch((err: unknown) => this.#o.log.warn({ err }, 'run history: pruning failed'));
    });
  }

  /**
   * Notes that a sweep removed a VM's snapshot after its run: its row gets `removed: true` and
   * `held_ms` (createTime, or the run's start when unknown, to removal) with its `held_source`, and `late` when the run never
   * knew that snapshot (its create timed out and it appeared afterwards). No-op for a run or VM the
   * history does not hold, or whose snapshot was already removed.
   */
  noteSweptRemoval(runId: string, late: SweptRemoval): Promise<void> {
    return this.#serial(async () => {
      const run = this.#runs.get(runId);
      if (!run) return;
      const next = structuredClone(run);
      let hit = false;
      for (const e of next.entries) {
        if (e.hostname !== late.hostname) continue;
        for (const vm of e.vms) {
          if (vm.moref !== late.vm || vm.removed === true) continue;
          hit = true;
          vm.removed = true;
          if (vm.snapshot === null) vm.late = { created_at: late.createdAt === null ? null : toWireDate(late.createdAt), removed_at: toWireDate(late.removedAt) };
          vm.held_ms = late.removedAt - (late.createdAt ?? run.started_at.$date);
          vm.held_source = late.createdAt === null ? 'observed' : late.source;
        }
      }
      if (!hit) return;
      next.counts.leftover = Math.max(0, next.counts.leftover - 1);
      await this.#write(`${runId}.json`, next);
      this.#runs.set(runId, next);
      publishCrud(this.#o.events, RUN_EVENT, 'changed', runId, next);
    });
  }

  /**
   * Applies retention: records that ended more than `max_age_days` ago, then the oldest beyond
   * `max_runs`. Resolves with how many were removed.
   */
  prune(): Promise<number> {
    return this.#serial(async () => {
      const { max_runs, max_age_days } = this.#o.config;
      const cutoff = this.#now() - max_age_days * 86_400_000;
      const runs = this.list().sort((a, b) => a.ended_at.$date - b.ended_at.$date);
      const excess = Math.max(0, runs.length - max_runs);
      const victims = runs.filter((r, i) => i < excess || r.ended_at.$date < cutoff);
      for (const r of victims) {
        try {
          await unlink(join(this.#o.dir, `${r.id}.json`));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        }
        this.#runs.delete(r.id);
        publishCrud(this.#o.events, RUN_EVENT, 'removed', r.id);
      }
      if (victims.length > 0) this.#o.log.info({ removed: victims.length, kept: this.#runs.size }, 'run history pruned');
      return victims.length;
    });
  }

  /** Starts hourly retention (also run once now). */
  start(): void {
    void this.prune().catch((err: unknown) => this.#o.log.warn({ err }, 'run history: pruning failed'));
    this.#timer = setInterval(() => void this.prune().catch((err: unknown) => this.#o.log.warn({ err }, 'run history: pruning failed')), PRUNE_EVERY_MS);
    this.#timer.unref();
  }

  /** Stops the timer and waits for pending writes. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#chain;
  }
}
