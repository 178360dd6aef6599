/**
 * One-shot alerts (TrueNAS `alert.oneshot_create` / `alert.oneshot_delete`), kept in the datastore
 * so they survive restarts, and streamed as `collection_update` on the `alert.list` event.
 *
 * Differences from TrueNAS, on purpose: dismissing keeps the alert (marked dismissed, so
 * `alert.restore` can bring it back) where TrueNAS deletes one-shot alerts on dismiss; to keep the
 * list bounded, beyond {@link MAX_ALERTS} the oldest dismissed (then oldest) alerts are dropped.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { Errno, CallError, InstanceNotFound } from '../errors.js';
import type { AlertClassSpec, AlertLevel, Alerts, Collection, Datastore, EventBus } from '../plugin.js';
import { toWireDate } from '../wire/date.js';
import { ALERT_LEVELS, toAlertEntry, type AlertEntry, type AlertRow } from './entry.js';
import { formatAlertText } from './template.js';

/** The event clients subscribe to (TrueNAS name). */
export const ALERT_EVENT = 'alert.list';
/** Datastore collection of the alerts (TrueNAS table `system.alert`). */
export const ALERT_COLLECTION = 'system.alert';
/** Most alerts kept. */
export const MAX_ALERTS = 1000;

/** What {@link createAlerts} needs. */
export interface CreateAlertsOptions {
  readonly db: Datastore;
  readonly events: EventBus;
  readonly log: Logger;
  /** Clock (epoch ms), for tests. */
  readonly now?: () => number;
  /** Most alerts kept (default {@link MAX_ALERTS}). */
  readonly maxAlerts?: number;
}

function sortedJson(v: unknown): string {
  return JSON.stringify(v, (_k, val: unknown) =>
    val && typeof val === 'object' && !Array.isArray(val)
      ? Object.fromEntries(Object.entries(val as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : val,
  );
}

/** The daemon's {@link Alerts}, plus what the `alert` plugin serves (list, dismiss, restore). */
export class AlertManager implements Alerts {
  readonly #rows: Collection<AlertRow>;
  readonly #events: EventBus;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #max: number;
  readonly #classes = new Map<string, AlertClassSpec>();
  /** Alert changes run one at a time, so two raises of one key cannot both insert. */
  #chain: Promise<unknown> = Promise.resolve();

  constructor(opts: CreateAlertsOptions) {
    this.#rows = opts.db.collection<AlertRow>({ name: ALERT_COLLECTION });
    this.#events = opts.events;
    this.#log = opts.log;
    this.#now = opts.now ?? Date.now;
    this.#max = opts.maxAlerts ?? MAX_ALERTS;
  }

  #serial<R>(fn: () => Promise<R>): Promise<R> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => undefined);
    return run;
  }

  /**
   * Declares an alert class (during plugin setup). Declaring the same spec again is a no-op.
   * @throws Error when the name is taken by a different spec or the level is unknown (wiring bugs).
   */
  defineClass(spec: AlertClassSpec): void {
    const prev = this.#classes.get(spec.name);
    if (prev && JSON.stringify(prev) !== JSON.stringify(spec)) throw new Error(`Alert class ${spec.name} is already defined differently`);
    if (!ALERT_LEVELS.includes(spec.level)) throw new Error(`Alert class ${spec.name}: unknown level ${String(spec.level)}`);
    this.#classes.set(spec.name, { ...spec });
  }

  /** The declared classes. */
  classes(): AlertClassSpec[] {
    return [...this.#classes.values()];
  }

  /**
   * Raises an alert. The key (default: the args) de-duplicates within the class: raising an existing
   * key again updates its args, text and `last_occurrence` and keeps its uuid, `datetime` and
   * dismissed state (TrueNAS `_handle_alert`).
   * @throws Error for an undeclared class (a wiring bug); CallError when args are not JSON.
   */
  oneshotCreate(klass: string, args: Record<string, unknown>, key?: string): Promise<void> {
    const cls = this.#classes.get(klass);
    if (!cls) return Promise.reject(new Error(`Alert class ${klass} is not defined (call alerts.defineClass in the plugin's setup)`));
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(JSON.stringify(args ?? {})) as Record<string, unknown>;
    } catch (e) {
      return Promise.reject(new CallError(`Alert ${klass} args are not JSON: ${(e as Error).message}`, Errno.EINVAL));
    }
    const k = sortedJson(key === undefined ? json : key);
    return this.#serial(async () => {
      const now = toWireDate(this.#now());
      const body = { klass, args: json, key: k, last_occurrence: now, level: cls.level, title: cls.title, text: cls.text, formatted: formatAlertText(cls.text, json) };
      const existing = this.#rows.all().find((r) => r.klass === klass && r.key === k);
      if (existing) {
        const row = await this.#rows.update(existing.id, body);
        this.#publish('changed', row);
      } else {
        const row = await this.#rows.insert({ ...body, uuid: randomUUID(), datetime: now, dismissed: false });
        this.#publish('added', row);
        await this.#prune();
      }
      // `instance`, not `key`: a field named key is redacted from logs as a secret.
      this.#log.info({ klass, instance: k }, `alert: ${body.formatted}`);
    });
  }

  /** Removes the class's alerts with this key (every alert of the class when key is undefined). */
  oneshotDelete(klass: string, key?: string): Promise<void> {
    const k = key === undefined ? undefined : sortedJson(key);
    return this.#serial(async () => {
      for (const row of this.#rows.all().filter((r) => r.klass === klass && (k === undefined || r.key === k))) {
        await this.#remove(row);
      }
    });
  }

  /** Every alert, most severe first, then by class title and first occurrence (TrueNAS `alert.list`). */
  list(): AlertEntry[] {
    const sev = (l: AlertLevel): number => ALERT_LEVELS.indexOf(l);
    return this.#rows
      .all()
      .sort((a, b) => sev(b.level) - sev(a.level) || (a.title < b.title ? -1 : a.title > b.title ? 1 : 0) || a.datetime.$date - b.datetime.$date)
      .map(toAlertEntry);
  }

  /** Marks an alert dismissed. @throws InstanceNotFound ("Alert <uuid> does not exist"). */
  dismiss(uuid: string): Promise<void> {
    return this.#setDismissed(uuid, true);
  }

  /** Brings a dismissed alert back. @throws InstanceNotFound ("Alert <uuid> does not exist"). */
  restore(uuid: string): Promise<void> {
    return this.#setDismissed(uuid, false);
  }

  #setDismissed(uuid: string, dismissed: boolean): Promise<void> {
    return this.#serial(async () => {
      const row = this.#rows.all().find((r) => r.uuid === uuid);
      if (!row) throw new InstanceNotFound('Alert', uuid);
      if (row.dismissed === dismissed) return;
      this.#publish('changed', await this.#rows.update(row.id, { dismissed }));
    });
  }

  async #remove(row: AlertRow): Promise<void> {
    if (await this.#rows.delete(row.id)) this.#events.publish({ msg: 'removed', collection: ALERT_EVENT, id: row.uuid });
  }

  async #prune(): Promise<void> {
    const rows = this.#rows.all();
    if (rows.length <= this.#max) return;
    const victims = rows
      .sort((a, b) => Number(b.dismissed) - Number(a.dismissed) || a.last_occurrence.$date - b.last_occurrence.$date)
      .slice(0, rows.length - this.#max);
    for (const row of victims) await this.#remove(row);
  }

  #publish(msg: 'added' | 'changed', row: AlertRow): void {
    const entry = toAlertEntry(row);
    this.#events.publish({ msg, collection: ALERT_EVENT, id: entry.uuid, fields: entry });
  }
}

/** Creates the daemon's alert manager (the core hands it to plugins as `ctx.alerts`). */
export function createAlerts(opts: CreateAlertsOptions): AlertManager {
  return new AlertManager(opts);
}
