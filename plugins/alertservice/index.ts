/**
 * The `alertservice` and `mail` namespaces (TrueNAS's): alert services that get every new alert at
 * or above their level (Mail, Slack, Webhook; see schemas.ts), and the SMTP settings Mail services
 * use. Delivery is dispatch.ts (background, timeouts, retries with back-off, a failing service
 * raises its own alert); sending is send.ts; storage and masking store.ts.
 *
 * | method | |
 * |---|---|
 * | `alertservice.query/get_instance` | services, secrets as "********" |
 * | `alertservice.create/update/delete` | CRUD, event `alertservice.query` |
 * | `alertservice.test(data)` | sends a test alert through `data` now (one attempt); true, or the reason as an error |
 * | `mail.config` / `mail.update` | SMTP settings (`pass` encrypted, read as "********") |
 */
import { Counter } from 'prom-client';
import { z } from 'zod';
import { ALERT_EVENT, type AlertEntry } from '../../daemon/alerts/index.js';
import { CallError, Errno, InstanceNotFound, ValidationErrors } from '../../daemon/errors.js';
import type { Plugin } from '../../daemon/plugin.js';
import { crudWrites, definedOnly, publishCrud, queryMethods } from '../../daemon/query/index.js';
import { defineMethod } from '../../daemon/registry/method.js';
import { toWireDate } from '../../daemon/wire/date.js';
import { AlertServiceConfig } from './config.js';
import { AlertDispatcher, DELIVERY_FAILED } from './dispatch.js';
import { MailConfig, MailUpdate, MASKED, ServiceCreate, ServiceEntry, ServiceUpdate, type Attributes } from './schemas.js';
import { sendAlert } from './send.js';
import { mailSettings, mergeAttributes, openStores, serviceEntry } from './store.js';

const READ = ['ALERT_READ'] as const;
const WRITE = ['ALERT_WRITE'] as const;
const MAIL_READ = ['SYSTEM_GENERAL_READ'] as const;
const MAIL_WRITE = ['SYSTEM_GENERAL_WRITE'] as const;
/** The event name. */
export const SERVICE_EVENT = 'alertservice.query';
const VERBOSE = 'Alert Service';
const Id = z.number().int().describe('Alert service id');

/** Attributes with a masked URL resolved against `stored`; a validation error when there is nothing to keep. */
function resolveAttributes(attr: string, next: Attributes, stored: Attributes | undefined): Attributes {
  const merged = mergeAttributes(next, stored);
  if (merged === null) new ValidationErrors().add(`${attr}.attributes.url`, `give the URL: "${MASKED}" only keeps the URL already stored for a ${next.type} service`).check();
  return merged as Attributes;
}

/** The alertservice plugin. */
export const alertServicePlugin: Plugin = {
  name: 'alertservice',
  configSections: { alertservice: AlertServiceConfig },
  async setup(ctx) {
    const config = ctx.config('alertservice', AlertServiceConfig);
    const { services, mail } = openStores(ctx.db);
    ctx.alerts.defineClass(DELIVERY_FAILED);
    ctx.events.define(SERVICE_EVENT, { description: 'Alert services added, changed or removed', roles: READ });
    const dropped = new Counter({
      name: 'vsnapd_alert_deliveries_dropped_total',
      help: 'Alert deliveries dropped because alertservice.max_pending deliveries were under way, by service type',
      labelNames: ['type'],
      registers: [ctx.services.get('metrics')],
    });
    const dispatcher = new AlertDispatcher({ services, mail, alerts: ctx.alerts, config, log: ctx.log, dropped });

    const [query, getInstance] = queryMethods({
      namespace: 'alertservice',
      verboseName: VERBOSE,
      roles: READ,
      entry: ServiceEntry,
      description: 'Lists alert services (Mail, Slack, Webhook). Webhook and Slack URLs read "********".',
      list: () => services.all().map(serviceEntry),
    });

    const writes = crudWrites({ namespace: 'alertservice', roles: WRITE, entry: ServiceEntry, id: Id });

    const create = writes.create({
      description: 'Adds an alert service: {name, attributes: {type: Mail, email} | {type: Slack, url} | {type: Webhook, url}, level, enabled}.',
      arg: 'alertservice_create',
      schema: ServiceCreate,
      secretPaths: ['0.attributes.url'],
      async handler(_call, data) {
        const row = await services.insert({ ...data, attributes: resolveAttributes('alertservice_create', data.attributes, undefined) }, { schema: 'alertservice_create' });
        publishCrud(ctx.events, SERVICE_EVENT, 'added', row.id, serviceEntry(row));
        return serviceEntry(row);
      },
    });

    const update = writes.update({
      description: 'Changes fields of service `id`; attributes are replaced as a whole, a url of "********" keeps the stored one.',
      arg: 'alertservice_update',
      schema: ServiceUpdate.prefault({}),
      secretPaths: ['1.attributes.url'],
      async handler(_call, id, patch) {
        const old = services.get(id);
        if (!old) throw new InstanceNotFound(VERBOSE, id);
        const attributes = patch.attributes ? resolveAttributes('alertservice_update', patch.attributes, old.attributes) : old.attributes;
        const row = await services.update(id, { ...definedOnly(patch), attributes }, { schema: 'alertservice_update' });
        publishCrud(ctx.events, SERVICE_EVENT, 'changed', id, serviceEntry(row));
        return serviceEntry(row);
      },
    });

    const del = writes.delete({
      description: 'Deletes service `id` (and its AlertServiceDeliveryFailed alert); returns true.',
      async handler(_call, id) {
        if (!(await services.delete(id))) throw new InstanceNotFound(VERBOSE, id);
        publishCrud(ctx.events, SERVICE_EVENT, 'removed', id);
        await ctx.alerts.oneshotDelete(DELIVERY_FAILED.name, String(id));
      },
    });

    const test = writes.action({
      verb: 'test',
      description:
        'Sends a test alert through the service described by `data` (unsaved settings; one attempt within alertservice.timeout_seconds). ' +
        'Returns true; a failed delivery is an error with the reason (TrueNAS returns false).',
      arg: 'data',
      schema: ServiceCreate,
      result: z.literal(true),
      secretPaths: ['0.attributes.url'],
      async handler(_call, data) {
        const stored = services.all().find((s) => s.name === data.name)?.attributes;
        const attributes = resolveAttributes('data', data.attributes, stored);
        const now = toWireDate(Date.now());
        const alert: AlertEntry = {
          uuid: 'test',
          source: '',
          klass: 'AlertServiceTest',
          args: null,
          node: 'Controller A',
          key: '"test"',
          datetime: now,
          last_occurrence: now,
          dismissed: false,
          mail: null,
          text: 'This is a test alert from vsnapd.',
          id: 'test',
          level: data.level,
          formatted: `Test alert from vsnapd to alert service "${data.name}".`,
          one_shot: true,
        };
        try {
          await sendAlert(attributes, alert, mailSettings(mail), config.timeout_seconds * 1000);
        } catch (err) {
          throw new CallError(`Test alert to "${data.name}" failed: ${(err as Error).message}`, Errno.EIO);
        }
        return true as const;
      },
    });

    const mailConfig = defineMethod({
      name: 'mail.config',
      description: 'The outgoing mail (SMTP) settings Mail alert services use; pass reads "********" when set.',
      args: [] as const,
      result: MailConfig,
      roles: MAIL_READ,
      handler: () => {
        const m = mailSettings(mail);
        return { ...m, pass: m.pass ? MASKED : '' };
      },
    });

    const mailUpdate = defineMethod({
      name: 'mail.update',
      description: 'Changes the SMTP settings (TrueNAS fields: fromemail, fromname, outgoingserver, port, security PLAIN|SSL|TLS, smtp, user, pass). pass "********" keeps the stored one.',
      args: [{ name: 'mail_update', schema: MailUpdate }] as const,
      result: MailConfig,
      roles: MAIL_WRITE,
      async handler(_call, patch) {
        const old = mailSettings(mail);
        const next = { ...old, ...definedOnly(patch), ...(patch.pass === MASKED ? { pass: old.pass } : {}) };
        const v = new ValidationErrors();
        if (next.smtp && !next.user) v.add('mail_update.user', 'is required when smtp (authentication) is on');
        v.check();
        const { id: _id, ...data } = next;
        if (mail.get(1)) await mail.update(1, data);
        else await mail.insert(data);
        return { ...next, id: 1, pass: next.pass ? MASKED : '' };
      },
    });

    ctx.registerMethods([query, getInstance, create, update, del, test, mailConfig, mailUpdate]);
    let listener: { dispose(): void } | undefined;
    return {
      start: async () => {
        listener = ctx.events.on(ALERT_EVENT, 'alertservice', (u) => dispatcher.onAlertEvent(u));
      },
      stop: async () => {
        listener?.dispose();
        dispatcher.stop();
      },
    };
  },
};
