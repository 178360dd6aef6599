/**
 * `core.*`: ping, method and event discovery, subscriptions, jobs and per-connection options
 * (TrueNAS's CoreService subset that clients rely on).
 */
import { z } from 'zod';
import { CallError, Errno } from '../../daemon/errors.js';
import type { Plugin } from '../../daemon/plugin.js';
import { QueryFilters, QueryOptions, queryList } from '../../daemon/query/index.js';
import { defineMethod, type CallContext, type CallSession } from '../../daemon/registry/method.js';
import { boundedString, MAX_NAME } from '../../daemon/registry/bounds.js';

function sessionOf(ctx: CallContext): CallSession {
  if (!ctx.session) throw new CallError('This method needs a client connection', Errno.EINVAL);
  return ctx.session;
}

const MethodInfo = z.object({
  description: z.string(),
  accepts: z.array(z.record(z.string(), z.unknown())),
  returns: z.record(z.string(), z.unknown()),
  roles: z.array(z.string()),
  job: z.boolean(),
  abortable: z.boolean(),
  public: z.boolean(),
});

/** The core plugin. */
export const corePlugin: Plugin = {
  name: 'core',
  async setup(ctx) {
    const registry = ctx.services.get('registry');
    const jobs = ctx.services.get('jobManager');
    const hub = ctx.services.get('eventHub');

    ctx.registerMethods([
      defineMethod({
        name: 'core.ping',
        description: 'Returns "pong"; callable before login (a liveness check).',
        args: [],
        result: z.literal('pong'),
        roles: [],
        public: true,
        handler: () => 'pong' as const,
      }),
      defineMethod({
        name: 'core.get_methods',
        description: 'Every public method with its JSON Schema (accepts: one schema per positional argument; returns), description, roles and job flag. `service` limits it to one namespace (`vmware`).',
        args: [{ name: 'service', schema: boundedString(MAX_NAME).nullable().optional().describe('Namespace prefix, e.g. "pool.snapshottask"') }],
        result: z.record(z.string(), MethodInfo),
        roles: [],
        handler(_ctx, service) {
          const out: Record<string, z.input<typeof MethodInfo>> = {};
          for (const def of registry.list()) {
            if (def.private) continue;
            if (service && !def.name.startsWith(`${service}.`)) continue;
            out[def.name] = registry.describe(def);
          }
          return out;
        },
      }),
      defineMethod({
        name: 'core.get_events',
        description: 'Every event that core.subscribe accepts, with its description and roles.',
        args: [],
        result: z.record(z.string(), z.object({ description: z.string(), roles: z.array(z.string()) })),
        roles: [],
        handler: () => Object.fromEntries(hub.list().map((e) => [e.name, { description: e.description, roles: [...e.roles] }])),
      }),
      defineMethod({
        name: 'core.subscribe',
        description: 'Subscribes the connection to an event (`vmware.query`, `core.get_jobs`, `alert.list`, or `*` for all it may see); updates arrive as collection_update notifications. Returns the subscription id. EACCES "Not authorized" without the event\'s role.',
        args: [{ name: 'event', schema: boundedString(MAX_NAME).min(1).describe('Event name') }],
        result: z.string(),
        roles: [],
        handler: (ctx, event) => sessionOf(ctx).subscribe(event),
      }),
      defineMethod({
        name: 'core.unsubscribe',
        description: 'Ends a subscription made by core.subscribe (unknown ids are ignored).',
        args: [{ name: 'id', schema: boundedString(MAX_NAME).describe('Subscription id') }],
        result: z.null(),
        roles: [],
        handler(ctx, id) {
          sessionOf(ctx).unsubscribe(id);
          return null;
        },
      }),
      defineMethod({
        name: 'core.get_jobs',
        description: 'Jobs (running and recently finished), TrueNAS job shape; full admins see every job, others their own.',
        args: [
          { name: 'filters', schema: QueryFilters.default([]) },
          { name: 'options', schema: QueryOptions.prefault({}) },
        ],
        result: z.unknown(),
        roles: [],
        handler: (ctx, filters, options) => queryList(jobs.list(ctx.credentials), filters, options),
      }),
      defineMethod({
        name: 'core.job_wait',
        description: 'Waits for a job to finish and returns its result, or fails with its error (an aborted job: ECANCELED). Unlike TrueNAS this is a plain call, not a job, so it can be awaited directly.',
        args: [{ name: 'id', schema: z.number().int().describe('Job id') }],
        result: z.unknown(),
        roles: [],
        handler: (ctx, id) => jobs.wait(id, ctx.credentials, ctx.signal),
      }),
      defineMethod({
        name: 'core.job_abort',
        audit: 'write',
        description: 'Aborts a job: a queued one at once, a running one through its abort signal (it ends ABORTED). EINVAL when the job is not abortable.',
        args: [{ name: 'id', schema: z.number().int().describe('Job id') }],
        result: z.null(),
        roles: [],
        handler(ctx, id) {
          jobs.abort(id, ctx.credentials);
          return null;
        },
      }),
      defineMethod({
        name: 'core.set_options',
        description: 'Per-connection options (allowed before login); returns the options now in force. legacy_jobs (default true): a job method replies with its job id; false: the reply waits for the job result. private_methods: allow private methods over TCP. py_exceptions is accepted for TrueNAS clients and ignored.',
        args: [
          {
            name: 'options',
            schema: z.strictObject({
              legacy_jobs: z.boolean().optional(),
              private_methods: z.boolean().optional(),
              py_exceptions: z.boolean().optional(),
            }),
          },
        ],
        result: z.strictObject({ legacy_jobs: z.boolean(), private_methods: z.boolean(), py_exceptions: z.boolean() }),
        roles: [],
        public: true,
        handler(ctx, options) {
          const session = sessionOf(ctx);
          if (options.legacy_jobs !== undefined) session.options.legacy_jobs = options.legacy_jobs;
          if (options.private_methods !== undefined) session.options.private_methods = options.private_methods;
          // TrueNAS returns the connection's options; its clients switch to new-style jobs only when the
          // result carries `legacy_jobs` (truenas_api_client/__init__.py, on_message).
          return { legacy_jobs: session.options.legacy_jobs, private_methods: session.options.private_methods, py_exceptions: false };
        },
      }),
    ]);
  },
};
