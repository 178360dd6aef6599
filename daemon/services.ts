/**
 * The service locator handed to plugins, and the core services the daemon itself provides to the
 * built-in `core` plugin (the registry for `core.get_methods`, the job manager, the event hub).
 */
import type { Registry } from 'prom-client';
import type { AuditLog } from './audit/audit-log.js';
import type { EventHub } from './events/event-hub.js';
import type { JobManager } from './jobs/job-manager.js';
import type { ServiceMap, Services } from './plugin.js';
import type { MethodRegistry } from './registry/registry.js';
import type { BearerCheck } from './server/peer-access.js';

declare module './plugin.js' {
  interface ServiceMap {
    /** Every registered method (core.get_methods). */
    registry: MethodRegistry;
    /** The job manager (core.get_jobs / job_wait / job_abort). */
    jobManager: JobManager;
    /** The event hub with its declared events (core.get_events). */
    eventHub: EventHub;
    /**
     * The Prometheus registry served at `/metrics` (prom-client). Plugins add their metrics with
     * `new Counter({…, registers: [ctx.services.get('metrics')]})`; names start with `vsnapd_`.
     */
    metrics: Registry;
    /** The audit log of write calls and logins (`audit.query` reads it). */
    audit: AuditLog;
    /** Checks an API key sent as `Authorization: Bearer` to the monitoring endpoints (provided by the auth plugin). */
    bearerAuth: BearerCheck;
  }
}

/** A map-backed {@link Services}. */
export class ServiceLocator implements Services {
  readonly #services = new Map<keyof ServiceMap, unknown>();

  /** Registers a service; providing the same name twice is a wiring bug and throws. */
  provide<K extends keyof ServiceMap>(name: K, service: ServiceMap[K]): void {
    if (this.#services.has(name)) throw new Error(`service ${String(name)} is already provided`);
    this.#services.set(name, service);
  }

  /** True when `name` was provided. */
  has(name: keyof ServiceMap): boolean {
    return this.#services.has(name);
  }

  /** The service; throws when no plugin provided it (a wiring bug, caught by the start-up tests). */
  get<K extends keyof ServiceMap>(name: K): ServiceMap[K] {
    if (!this.#services.has(name)) throw new Error(`service ${String(name)} was not provided (check the plugin order in plugins/index.ts)`);
    return this.#services.get(name) as ServiceMap[K];
  }
}
