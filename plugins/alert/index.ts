/**
 * The `alert` namespace: `alert.list`, `alert.dismiss`, `alert.restore` and the `alert.list` event
 * (TrueNAS names, args and roles: ALERT_LIST_READ / ALERT_LIST_WRITE). Alert classes are declared
 * by the plugins that raise them (`ctx.alerts.defineClass`); this plugin only serves the list.
 */
import { z } from 'zod';
import { ALERT_EVENT, AlertEntrySchema, AlertManager } from '../../daemon/alerts/index.js';
import type { Plugin } from '../../daemon/plugin.js';
import { defineMethod } from '../../daemon/registry/method.js';

const READ = ['ALERT_LIST_READ'] as const;
const WRITE = ['ALERT_LIST_WRITE'] as const;
const Uuid = z.string().min(1).describe('The alert uuid, as alert.list returns it');

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
    defineMethod({
      name: 'alert.dismiss',
      description: 'Dismisses the alert `uuid` (it stays listed with dismissed=true until restored or removed).',
      args: [{ name: 'uuid', schema: Uuid }],
      result: z.null(),
      roles: WRITE,
      async handler(_ctx, uuid) {
        await alerts.dismiss(uuid);
        return null;
      },
    }),
    defineMethod({
      name: 'alert.restore',
      description: 'Restores the dismissed alert `uuid`.',
      args: [{ name: 'uuid', schema: Uuid }],
      result: z.null(),
      roles: WRITE,
      async handler(_ctx, uuid) {
        await alerts.restore(uuid);
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
    ctx.registerMethods(alertMethods(ctx.alerts));
  },
};
