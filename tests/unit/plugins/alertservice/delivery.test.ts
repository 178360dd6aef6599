/**
 * Alert delivery bounds and exits (plugins/alertservice): the retry back-off has a ceiling, at most
 * `max_pending` deliveries are under way (the rest dropped and counted), and a reason that quotes a
 * URL (fetch refuses one with credentials, quoting it whole) leaves without its secret parts.
 */
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import t from 'tap';
import type { AlertEntry } from '../../../../daemon/alerts/index.js';
import type { Alerts, Collection, CollectionUpdate } from '../../../../daemon/plugin.js';
import { AlertServiceConfig } from '../../../../plugins/alertservice/config.js';
import { AlertDispatcher, retryDelayMs } from '../../../../plugins/alertservice/dispatch.js';
import { sendAlert } from '../../../../plugins/alertservice/send.js';
import { MAIL_DEFAULTS, type MailRow, type ServiceRow } from '../../../../plugins/alertservice/store.js';
import { silentLog } from '../../../helpers/tmp-datastore.js';
import { waitFor } from '../../../helpers/wait.js';

const alert = (n: number): AlertEntry =>
  ({ uuid: `u${n}`, klass: 'TestAlert', level: 'ERROR', formatted: `alert ${n}`, args: null, datetime: { $date: 0 }, last_occurrence: { $date: 0 } }) as unknown as AlertEntry;

t.test('the retry back-off doubles up to max_retry_delay_ms', async (t) => {
  const defaults = AlertServiceConfig.parse({});
  t.equal(defaults.max_retry_delay_ms, 60_000, 'a ceiling by default');
  const cfg = { retry_delay_ms: 600_000, max_retry_delay_ms: 900_000 };
  t.same([1, 2, 3, 10].map((a) => retryDelayMs(a, cfg)), [600_000, 900_000, 900_000, 900_000], 'never 600 s × 2⁹');
  t.same([1, 2, 3, 4, 5, 6].map((a) => retryDelayMs(a, defaults)), [2000, 4000, 8000, 16_000, 32_000, 60_000]);
  const bad = AlertServiceConfig.safeParse({ retry_delay_ms: 120_000 });
  t.match(bad.error?.issues, [{ path: ['retry_delay_ms'], message: 'is 120000, above max_retry_delay_ms (60000): lower it or raise max_retry_delay_ms' }], 'a first pause above the ceiling is a config error, not silently shortened');
});

t.test('at most max_pending deliveries are under way; the rest are dropped, counted and logged', async (t) => {
  const held: ServerResponse[] = [];
  const http = createServer((req, res) => {
    req.resume();
    req.on('end', () => held.push(res));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (http.closeAllConnections(), http.close(() => r()))));
  const url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook/TOKEN`;
  const services = { all: () => [{ id: 1, name: 'slow hook', attributes: { type: 'Webhook', url }, level: 'INFO', enabled: true }] } as unknown as Collection<ServiceRow>;
  const mail = { get: () => ({ id: 1, ...MAIL_DEFAULTS }) } as unknown as Collection<MailRow>;
  const alerts = { oneshotCreate: async () => undefined, oneshotDelete: async () => undefined } as unknown as Alerts;
  const registry = new Registry();
  const dropped = new Counter({ name: 'dropped_total', help: 'x', labelNames: ['type'], registers: [registry] });
  const warnings: string[] = [];
  const log = Object.assign(Object.create(silentLog) as typeof silentLog, { warn: (_o: unknown, msg: string) => warnings.push(msg), info: () => undefined });
  const config = AlertServiceConfig.parse({ timeout_seconds: 300, retries: 0, max_pending: 2 });
  const d = new AlertDispatcher({ services, mail, alerts, config, log, dropped });
  for (let i = 0; i < 5; i++) d.onAlertEvent({ msg: 'added', collection: 'alert.list', id: i, fields: alert(i) as unknown as Record<string, unknown> } as CollectionUpdate);
  t.equal(d.pending, 2, 'two under way');
  t.equal((await dropped.get()).values.find((v) => v.labels.type === 'Webhook')?.value, 3, 'three dropped, counted by type');
  t.equal(warnings.filter((w) => /alert not sent to service "slow hook".*alertservice\.max_pending/.test(w)).length, 3, 'each drop logged');
  await waitFor('both requests at the receiver', () => held.length === 2 || null);
  for (const res of held.splice(0)) res.writeHead(200).end();
  await d.idle();
  d.onAlertEvent({ msg: 'added', collection: 'alert.list', id: 9, fields: alert(9) as unknown as Record<string, unknown> } as CollectionUpdate);
  t.equal(d.pending, 1, 'room again once they are done');
  await waitFor('the next request', () => held.length === 1 || null);
  held[0]!.writeHead(200).end();
  await d.idle();
  d.stop();
});

t.test('a URL with credentials (stored before they were refused) fails without them in the reason', async (t) => {
  const mail = { id: 1, ...MAIL_DEFAULTS };
  for (const url of ['https://hookuser:CANARY-PASS@127.0.0.1:9/hook?token=CANARY-QUERY', 'http://CANARY-USER@127.0.0.1:9/x']) {
    const err = await sendAlert({ type: 'Webhook', url }, alert(1), mail, 5000).then(
      () => null,
      (e: unknown) => e as Error,
    );
    t.ok(err, 'it fails');
    t.notMatch(err?.message ?? '', /CANARY/, `no secret in "${err?.message}"`);
  }
});
