/**
 * Delivery of new alerts to the enabled alert services whose level they reach. Each delivery runs on
 * its own, in the background: an attempt is bounded by `timeout_seconds`, a failed one is retried
 * `retries` times after `retry_delay_ms`, doubling (1×, 2×, 4× …) up to `max_retry_delay_ms`. At
 * most `max_pending` deliveries are under way; one beyond that is dropped, logged and counted
 * (`vsnapd_alert_deliveries_dropped_total`), so a flood of alerts to a dead receiver cannot pile up
 * timers and sockets. A service that still fails raises
 * `AlertServiceDeliveryFailed` (keyed by the service, so one alert per broken service) and its next
 * successful delivery clears it. Raising an alert never waits for any of this, so a hanging webhook
 * never holds up a run or the daemon.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { ALERT_LEVELS, type AlertEntry } from '../../daemon/alerts/index.js';
import type { AlertClassSpec, Alerts, Collection, CollectionUpdate } from '../../daemon/plugin.js';
import type { AlertServiceConfig } from './config.js';
import { sendAlert } from './send.js';
import { mailSettings, type MailRow, type ServiceRow } from './store.js';

/** Raised for a service that could not be reached after every retry. */
export const DELIVERY_FAILED: AlertClassSpec = {
  name: 'AlertServiceDeliveryFailed',
  title: 'Alert Service Delivery Failed',
  text: 'Sending alerts to alert service "%(name)s" (%(type)s) failed: %(error)s.',
  level: 'WARNING',
  category: 'SYSTEM',
};

/** What the dispatcher needs. */
export interface DispatchDeps {
  services: Collection<ServiceRow>;
  mail: Collection<MailRow>;
  alerts: Alerts;
  config: AlertServiceConfig;
  log: Logger;
  /** `vsnapd_alert_deliveries_dropped_total`, by `type` (Mail, Slack, Webhook). */
  dropped: Counter<'type'>;
}

/**
 * The pause before retry `attempt` (1 = the first retry), in ms: `retry_delay_ms` doubled for each
 * retry after the first, at most `max_retry_delay_ms`.
 */
export function retryDelayMs(attempt: number, config: Pick<AlertServiceConfig, 'retry_delay_ms' | 'max_retry_delay_ms'>): number {
  return Math.min(config.retry_delay_ms * 2 ** (attempt - 1), config.max_retry_delay_ms);
}

/** Sends new alerts to the services. */
export class AlertDispatcher {
  readonly #d: DispatchDeps;
  readonly #stop = new AbortController();
  readonly #inflight = new Set<Promise<void>>();

  constructor(d: DispatchDeps) {
    this.#d = d;
  }

  /** The `alert.list` event listener: `added` alerts go out. */
  onAlertEvent(update: CollectionUpdate): void {
    if (update.msg !== 'added' || this.#stop.signal.aborted || !update.fields) return;
    const alert = update.fields as unknown as AlertEntry;
    const rank = ALERT_LEVELS.indexOf(alert.level);
    for (const s of this.#d.services.all()) {
      if (!s.enabled || rank < ALERT_LEVELS.indexOf(s.level)) continue;
      // A service's own failure alert is not sent to that service.
      if (alert.klass === DELIVERY_FAILED.name && (alert.args as { id?: unknown } | null)?.id === s.id) continue;
      if (this.#inflight.size >= this.#d.config.max_pending) {
        this.#d.dropped.inc({ type: s.attributes.type });
        this.#d.log.warn({ service: s.id, klass: alert.klass, pending: this.#inflight.size }, `alert not sent to service "${s.name}": ${this.#inflight.size} deliveries are under way already (alertservice.max_pending)`);
        continue;
      }
      const p = this.#deliver(s, alert).finally(() => this.#inflight.delete(p));
      this.#inflight.add(p);
    }
  }

  async #deliver(s: ServiceRow, alert: AlertEntry): Promise<void> {
    const { timeout_seconds, retries } = this.#d.config;
    let error = '';
    for (let attempt = 0; attempt <= retries; attempt++) {
      if (attempt > 0) {
        try {
          await sleep(retryDelayMs(attempt, this.#d.config), undefined, { signal: this.#stop.signal });
        } catch {
          return; // shutting down
        }
      }
      try {
        await sendAlert(s.attributes, alert, mailSettings(this.#d.mail), timeout_seconds * 1000);
        this.#d.log.info({ service: s.id, klass: alert.klass, attempt: attempt + 1 }, `alert sent to service "${s.name}"`);
        await this.#d.alerts.oneshotDelete(DELIVERY_FAILED.name, String(s.id)).catch(() => undefined);
        return;
      } catch (err) {
        error = (err as Error).message;
        this.#d.log.warn({ service: s.id, klass: alert.klass, attempt: attempt + 1 }, `alert service "${s.name}": ${error}`);
      }
    }
    const args = { id: s.id, name: s.name, type: s.attributes.type, error: `${error} (${retries + 1} attempt${retries === 0 ? '' : 's'})` };
    await this.#d.alerts.oneshotCreate(DELIVERY_FAILED.name, args, String(s.id)).catch((err: unknown) => this.#d.log.error({ err }, 'cannot raise AlertServiceDeliveryFailed'));
  }

  /** Deliveries under way now. */
  get pending(): number {
    return this.#inflight.size;
  }

  /** Resolves when every delivery started so far is over (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#inflight.size > 0) await Promise.allSettled([...this.#inflight]);
  }

  /** No new deliveries; pending retries are dropped, attempts under way end at their timeout. */
  stop(): void {
    this.#stop.abort();
  }
}
