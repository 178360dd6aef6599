/**
 * The daemon's Prometheus registry (prom-client) and the core's own metrics: API calls and errors by
 * method, jobs by method and state, and prom-client's default process metrics (`process_*`,
 * `nodejs_*`). Plugins add theirs to the same registry through the `metrics` service.
 */
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import { CallError, errnoName, ValidationErrors } from '../errors.js';
import type { EventBus } from '../plugin.js';
import { JOBS_EVENT, type JobManager } from '../jobs/job-manager.js';
import { isFinal, type JobState } from '../jobs/job.js';
import { INTERNAL_ROOT } from '../registry/roles.js';
import type { CallObserver } from '../rpc/call-observer.js';
import { RpcError } from '../rpc/codes.js';

/** Label of calls to a method name that is not registered (keeps label values bounded). */
export const UNKNOWN_METHOD = '(unknown)';

/** The errno name a failed call is counted under (`EINVAL` for validation errors, `EFAULT` for unexpected ones). */
function errnameOf(err: unknown): string {
  if (err instanceof CallError) return errnoName(err.errno);
  if (err instanceof ValidationErrors) return errnoName(err.errors[0]?.errno ?? 22);
  if (err instanceof RpcError) return errnoName(err.errno);
  return 'EFAULT';
}

/** The core metrics and the registry they live in. */
export interface CoreMetrics {
  /** The registry `/metrics` serialises; plugins register theirs here too. */
  readonly registry: Registry;
  /** Counts each wire call (`vsnapd_api_calls_total`) and failure (`vsnapd_api_call_errors_total`). */
  readonly observeCall: CallObserver;
}

/**
 * Creates the registry with the core metrics:
 * - `vsnapd_api_calls_total{method,transport}`, `vsnapd_api_call_errors_total{method,errname}` (counters;
 *   a method name that is not registered counts as `(unknown)`);
 * - `vsnapd_jobs_total{method,state}`: jobs that reached SUCCESS/FAILED/ABORTED;
 * - `vsnapd_jobs{method,state}`: jobs WAITING or RUNNING now;
 * - prom-client's default metrics (resident memory, CPU, event loop lag, heap …).
 */
export function createCoreMetrics(deps: { jobs: JobManager; events: EventBus }): CoreMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const calls = new Counter({ name: 'vsnapd_api_calls_total', help: 'API calls received, by method and transport', labelNames: ['method', 'transport'], registers: [registry] });
  const errors = new Counter({ name: 'vsnapd_api_call_errors_total', help: 'API calls that failed, by method and errno name', labelNames: ['method', 'errname'], registers: [registry] });
  const finished = new Counter({ name: 'vsnapd_jobs_total', help: 'Jobs that ended, by method and final state', labelNames: ['method', 'state'], registers: [registry] });
  new Gauge({
    name: 'vsnapd_jobs',
    help: 'Jobs waiting or running now, by method and state',
    labelNames: ['method', 'state'],
    registers: [registry],
    collect() {
      this.reset();
      for (const job of deps.jobs.list(INTERNAL_ROOT)) if (!isFinal(job.state)) this.inc({ method: job.method, state: job.state });
    },
  });
  deps.events.on(JOBS_EVENT, 'metrics', (update) => {
    const state = update.fields?.state as JobState | undefined;
    if (update.msg === 'changed' && state !== undefined && isFinal(state)) finished.inc({ method: String(update.fields?.method), state });
  });
  return {
    registry,
    observeCall(call) {
      const method = call.def?.name ?? UNKNOWN_METHOD;
      calls.inc({ method, transport: call.session.transport });
      if (call.error !== undefined) errors.inc({ method, errname: errnameOf(call.error) });
    },
  };
}
