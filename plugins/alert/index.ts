/**
 * The `alert` namespace: `alert.list`, `alert.dismiss`, `alert.restore` and the `alert.list` event
 * (TrueNAS names, args and roles: ALERT_LIST_READ / ALERT_LIST_WRITE), plus TrueNAS's private
 * `alert.oneshot_create` / `alert.oneshot_delete` (root over the Unix socket, in-process calls).
 * Alert classes are declared by the plugins that raise them (`ctx.alerts.defineClass`).
 */
import { z } from 'zod';
import { ALERT_EVENT, AlertEntrySchema, AlertManager } from '../../daemon/alerts/index.js';
import { ValidationErrors } from '../../daemon/errors.js';
import type { AlertClassSpec, Plugin } from '../../daemon/plugin.js';
import { defineMethod } from '../../daemon/registry/method.js';
import { boundedString, MAX_NAME } from '../../daemon/registry/bounds.js';

const READ = ['ALERT_LIST_READ'] as const;
const WRITE = ['ALERT_LIST_WRITE'] as const;
const Uuid = boundedString(MAX_NAME).min(1).describe('The alert uuid, as alert.list returns it');
const Key = z.string().nullable().default(null).describe('De-duplication key (default: the args)');

/**
 * Defined only when the daemon runs with VSNAPD_TEST_METHODS=1 (the integration tests), so the
 * alert API can be exercised before any plugin raising real alerts is loaded.
 */
export const TEST_ALERT_CLASS: AlertClassSpec = {
  name: 'TestAlert',
  title: 'Test Alert',
  text: 'Test alert about %(subject)s: %(error)s.',
  level: 'WARNING',
  category: 'TASKS',
};

/** A WRITE method taking one alert `uuid` and returning null (alert.dismiss, alert.restore). */
function uuidMethod(name: string, description: string, act: (uuid: string) => Promise<void>) {
  return defineMethod({
    name,
    description,
    args: [{ name: 'uuid', schema: Uuid }],
    result: z.null(),
    roles: WRITE,
    async handler(_ctx, uuid) {
      await act(uuid);
      return null;
    },
  });
}

/** Builds the methods over an alert manager. */
export function alertMethods(alerts: AlertManager) {
  return [
    defineMethod({
      name: 'alert.list',
      description: 'Lists every alert, active and dismissed, most severe first.',
      args: [],
      result: z.array(AlertEntrySchema),
      roles: READ,
      handler: () => alerts.list(),
    }),
    uuidMethod('alert.dismiss', 'Dismisses the alert `uuid` (it stays listed with dismissed=true until restored or removed).', (uuid) => alerts.dismiss(uuid)),
    uuidMethod('alert.restore', 'Restores the dismissed alert `uuid`.', (uuid) => alerts.restore(uuid)),
    defineMethod({
      name: 'alert.oneshot_create',
      description: 'Raises a one-shot alert of class `klass`; an alert of that class with the same key is replaced.',
      args: [
        { name: 'klass', schema: z.string().min(1).describe('Alert class name, e.g. VMWareLoginFailed') },
        { name: 'args', schema: z.record(z.string(), z.unknown()).default({}).describe('Values for the text template') },
        { name: 'key', schema: Key },
      ],
      result: z.null(),
      roles: WRITE,
      private: true,
      async handler(_ctx, klass, args, key) {
        const known = alerts.classes().map((c) => c.name);
        if (!known.includes(klass)) {
          new ValidationErrors().add('klass', `Unknown alert class '${klass}'; defined: ${known.join(', ') || '(none)'}`).check();
        }
        await alerts.oneshotCreate(klass, args, key ?? undefined);
        return null;
      },
    }),
    defineMethod({
      name: 'alert.oneshot_delete',
      description: 'Removes the one-shot alerts of class `klass` with this key (all of the class when key is null).',
      args: [
        { name: 'klass', schema: z.string().min(1) },
        { name: 'key', schema: Key },
      ],
      result: z.null(),
      roles: WRITE,
      private: true,
      async handler(_ctx, klass, key) {
        await alerts.oneshotDelete(klass, key ?? undefined);
        return null;
      },
    }),
  ] as const;
}

/** The `alert` plugin. Needs the core's AlertManager (daemon/alerts `createAlerts`) as `ctx.alerts`. */
export const alertPlugin: Plugin = {
  name: 'alert',
  async setup(ctx) {
    if (!(ctx.alerts instanceof AlertManager)) {
      throw new Error('alert plugin: ctx.alerts must be the AlertManager made by createAlerts() (daemon/alerts)');
    }
    ctx.events.define(ALERT_EVENT, { description: 'Alerts raised, changed (dismissed/restored) and removed', roles: READ });
    if (process.env.VSNAPD_TEST_METHODS === '1') ctx.alerts.defineClass(TEST_ALERT_CLASS);
    ctx.registerMethods(alertMethods(ctx.alerts));
  },
};
