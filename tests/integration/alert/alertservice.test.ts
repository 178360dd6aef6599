/**
 * alertservice.* and mail.* against real receivers on loopback: an SMTP server (the smtp-server
 * library, with authentication) gets the alert mail, an HTTP server the Slack message and the webhook
 * JSON; a webhook that answers 500 (and, on a daemon with a 1 s attempt timeout, one that never
 * answers) ends in AlertServiceDeliveryFailed after the retries while the daemon keeps answering;
 * bad input gets validation errors naming every field; URLs with credentials are refused; secrets
 * are encrypted at rest, read masked and never quoted in errors.
 */
import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { startTestDaemon } from '../../helpers/daemon.js';
import { smtpReceiver } from '../../helpers/smtp-receiver.js';
import { waitFor } from '../../helpers/wait.js';

interface Alert {
  klass: string;
  args: Record<string, unknown>;
}
interface Posted {
  path: string;
  body: Record<string, unknown>;
}

const port = (s: { address(): AddressInfo | string | null }) => (s.address() as AddressInfo).port;

t.test('alert services deliver to real receivers; failures are alerts, never stalls', async (t) => {
  // SMTP receiver with AUTH PLAIN/LOGIN over plain loopback.
  const smtp = await smtpReceiver(t, { username: 'vsnapd', password: 's3cret pass' });
  const { mails } = smtp;

  // HTTP receiver: /ok/* answers 200, /fail/* 500.
  const posted: Posted[] = [];
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      posted.push({ path: req.url ?? '', body: JSON.parse(body) as Record<string, unknown> });
      res.writeHead(req.url?.startsWith('/fail/') ? 500 : 200).end('ok');
    });
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (http.closeAllConnections(), http.close(() => r()))));
  // A "mail server" that resets every connection.
  const resets = new Set<Socket>();
  const reset = createTcpServer((s) => (resets.add(s), s.resetAndDestroy()));
  await new Promise<void>((r) => reset.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => reset.close(() => r())));
  const url = (path: string) => `http://127.0.0.1:${port(http)}${path}`;

  // Deliveries here must succeed: an attempt timeout far beyond any load (the hanging receiver is
  // the next test's, on a daemon of its own with a 1 s timeout).
  const d = await startTestDaemon(t, { config: { alertservice: { timeout_seconds: 120, retries: 1, retry_delay_ms: 100 } } });
  const c = await d.root();

  // Mail settings, the password encrypted at rest and masked.
  const mail = await c.call<Record<string, unknown>>('mail.update', { outgoingserver: '127.0.0.1', port: smtp.port, security: 'PLAIN', smtp: true, user: 'vsnapd', pass: 's3cret pass', fromemail: 'nas@example.com', fromname: 'NAS' });
  t.match(mail, { outgoingserver: '127.0.0.1', smtp: true, user: 'vsnapd', pass: '********' });
  t.equal((await c.call<Record<string, unknown>>('mail.config')).pass, '********');
  t.equal((await c.call<Record<string, unknown>>('mail.update', { pass: '********', fromname: 'vsnapd NAS' })).fromname, 'vsnapd NAS', 'the masked password keeps the stored one');

  // Services.
  const svc = (name: string, attributes: Record<string, string>, level = 'WARNING') => c.call<{ id: number; attributes: Record<string, string>; type__title: string }>('alertservice.create', { name, attributes, level, enabled: true });
  const mailSvc = await svc('ops mail', { type: 'Mail', email: 'ops@example.com' });
  const slack = await svc('ops slack', { type: 'Slack', url: url('/ok/slack/T000/SLACKTOKEN') });
  const hook = await svc('cmdb hook', { type: 'Webhook', url: url('/ok/hook/HOOKTOKEN') });
  const fail = await svc('failing hook', { type: 'Webhook', url: url('/fail/FAILTOKEN') });
  await svc('critical only', { type: 'Webhook', url: url('/ok/critical') }, 'CRITICAL');
  t.match(mailSvc, { type__title: 'Email', attributes: { type: 'Mail', email: 'ops@example.com' } });
  t.match(slack, { type__title: 'Slack', attributes: { type: 'Slack', url: '********' } }, 'webhook URLs are returned masked');
  t.same((await c.call<{ attributes: { url: string } }[]>('alertservice.query', [['id', '=', hook.id]]))[0]?.attributes.url, '********');
  const audit = await waitFor('the audit entries of the creates', async () => {
    const list = await c.call<{ event_data: { method?: string } }[]>('audit.query', [['event_data.method', '=', 'alertservice.create']]);
    return list.length >= 5 ? list : null;
  });
  t.notOk(/SLACKTOKEN|HOOKTOKEN/.test(JSON.stringify(audit)), 'the audit log keeps webhook URLs redacted');
  t.match(JSON.stringify(audit), /"url":"\*{8}"/);
  const db = readFileSync(join(d.dataDir, 'vsnapd.db.json'), 'utf8');
  for (const secret of ['s3cret pass', 'SLACKTOKEN', 'HOOKTOKEN']) t.notOk(db.includes(secret), `${secret} is not in the datastore file in clear`);

  // An alert: every receiver at or above its level gets it.
  await c.call('alert.oneshot_create', 'TestAlert', { subject: 'tank/vm', error: 'VM db not protected' });
  // The failing hook's own failure alert is mailed too and may arrive first: pick this alert's mail.
  const alertMail = await waitFor('the mail', () => mails.find((m) => m.data.includes('Test alert about tank/vm')));
  t.match(alertMail, { from: 'nas@example.com', to: ['ops@example.com'], user: 'vsnapd' });
  t.match(alertMail.data, /Subject: vsnapd @ .*WARNING: Test alert about tank\/vm: VM db/, 'subject: host, level, text (folded by the mailer)');
  t.match(alertMail.data, /\r\n\r\nWARNING: Test alert about tank\/vm: VM db not protected\.\r\n/, 'body: the alert');
  const slackPost = await waitFor('the Slack message', () => posted.find((p) => p.path.startsWith('/ok/slack/')));
  t.match(slackPost.body, { text: /WARNING: Test alert about tank\/vm: VM db not protected\.$/ });
  t.same(Object.keys(slackPost.body), ['text'], "Slack's format: text only");
  const hookPost = await waitFor('the webhook JSON', () => posted.find((p) => p.path === '/ok/hook/HOOKTOKEN'));
  t.match(hookPost.body, { hostname: String, alert: { klass: 'TestAlert', level: 'WARNING', args: { subject: 'tank/vm' }, formatted: /VM db not protected/ } });
  t.notOk(posted.some((p) => p.path === '/ok/critical'), 'a CRITICAL-only service does not get a WARNING');

  // The failing service: retried once, then its own alert (sent to the others, not to itself).
  const failed = await waitFor('AlertServiceDeliveryFailed', async () => {
    const list = (await c.call<Alert[]>('alert.list')).filter((a) => a.klass === 'AlertServiceDeliveryFailed');
    return list.length === 1 ? list : null;
  });
  t.match(failed[0]!.args, { id: fail.id, name: 'failing hook', error: /HTTP 500.*\(2 attempts\)/ });
  t.notOk(JSON.stringify(failed).includes('TOKEN'), 'errors name the host, never the URL token');
  t.equal(posted.filter((p) => p.path === '/fail/FAILTOKEN' && (p.body.alert as Alert).klass === 'TestAlert').length, 2, 'one attempt and one retry');
  await waitFor('the failure alert to reach the working webhook', () => posted.find((p) => p.path === '/ok/hook/HOOKTOKEN' && (p.body.alert as Alert).klass === 'AlertServiceDeliveryFailed'));
  t.notOk(
    posted.some((p) => p.path === '/fail/FAILTOKEN' && (p.body.alert as Alert).klass === 'AlertServiceDeliveryFailed' && (p.body.alert as Alert).args.id === fail.id),
    'a service is not sent its own failure',
  );

  // test(): true through a working service, the reason through a broken one.
  t.equal(await c.call('alertservice.test', { name: 'ops slack', attributes: { type: 'Slack', url: '********' }, level: 'INFO', enabled: true }), true, 'the stored URL is used for a masked one');
  await waitFor('the test message', () => posted.find((p) => p.path.startsWith('/ok/slack/') && /Test alert from vsnapd/.test(String(p.body.text))));
  const viaStored = await c.call('alertservice.test', { name: 'failing hook', attributes: { type: 'Webhook', url: '********' } }).catch((e: Error) => e);
  t.match(viaStored, { errno: 5, message: /Test alert to "failing hook" failed: POST to 127\.0\.0\.1:\d+ failed: HTTP 500/ }, 'a masked URL and a stored name test the stored URL…');
  t.notMatch(String((viaStored as Error).message), /FAILTOKEN|\/fail\//, '…and the error names its host, never the stored URL');
  await c.call('mail.update', { port: port(reset), smtp: false });
  await t.rejects(c.call('alertservice.test', { name: 'x', attributes: { type: 'Mail', email: 'a@example.com' } }), { errno: 5, message: /Test alert to "x" failed: mail to 127\.0\.0\.1:\d+ failed: .*(ECONNRESET|closed|Connection)/i });
  t.ok(resets.size > 0, 'it did try the server');

  // Bad input: every problem named at once; nothing stored.
  const before = await c.call<number>('alertservice.query', [], { count: true });
  await t.rejects(c.call('alertservice.create', { name: 'pager', attributes: { type: 'Pager', number: '5' } }), { message: /attributes.*type must be one of Mail, Slack, Webhook/s });
  const many = await c.call('alertservice.create', { name: '', attributes: { type: 'Mail', email: 'not-an-address' }, level: 'LOUD' }).catch((e: { errors?: { attribute: string }[] }) => e);
  t.same(
    ((many as { errors: { attribute: string }[] }).errors ?? []).map((e) => e.attribute).sort(),
    ['alertservice_create.attributes.email', 'alertservice_create.level', 'alertservice_create.name'],
    'all errors at once',
  );
  await t.rejects(c.call('alertservice.create', { name: 'ftp', attributes: { type: 'Webhook', url: 'ftp://example.com/x' } }), { message: /http:\/\/ or https:\/\/ URL/ });
  // Credentials in the URL: refused by every method that takes a URL, without quoting it.
  const withCredentials = url('/ok/cred').replace('http://', 'http://hookuser:CREDTOKEN@');
  const refusals = [
    c.call('alertservice.create', { name: 'cred', attributes: { type: 'Webhook', url: withCredentials } }),
    c.call('alertservice.update', slack.id, { attributes: { type: 'Slack', url: withCredentials } }),
    c.call('alertservice.test', { name: 'cred', attributes: { type: 'Slack', url: url('/ok/x').replace('http://', 'http://CREDTOKEN@') } }),
  ];
  for (const [i, call] of refusals.entries()) {
    const err = await call.catch((e: { errors?: { attribute: string; message: string }[]; message: string }) => e);
    t.match(err, { errors: [{ attribute: /^(alertservice_create|alertservice_update|data)\.attributes\.url$/, message: /must not carry credentials \(user:password@host\): put the token in the URL's path/ }] }, `refusal ${i}`);
    t.notMatch(JSON.stringify(err), /CREDTOKEN/, 'the error does not quote the URL');
  }
  t.notOk(posted.some((p) => p.path.startsWith('/ok/cred') || p.path === '/ok/x'), 'nothing was sent');
  await t.rejects(c.call('alertservice.create', { name: 'masked', attributes: { type: 'Slack', url: '********' } }), { message: /only keeps the URL already stored/ });
  await t.rejects(c.call('alertservice.create', { name: 'ops slack', attributes: { type: 'Slack', url: url('/ok/x') } }), { message: /already exists/ });
  await t.rejects(c.call('mail.update', { port: 70_000, security: 'STARTSSL' }), { message: /port[\s\S]*security|security[\s\S]*port/ });
  await t.rejects(c.call('alertservice.update', 999, { enabled: false }), /does not exist/);
  t.equal(await c.call('alertservice.query', [], { count: true }), before, 'nothing stored');

  // Update keeps a masked URL; delete clears the service's failure alert.
  t.match(await c.call('alertservice.update', fail.id, { attributes: { type: 'Webhook', url: '********' }, enabled: false }), { enabled: false, attributes: { url: '********' } });
  t.equal(await c.call('alertservice.delete', fail.id), true);
  t.notOk((await c.call<Alert[]>('alert.list')).some((a) => a.klass === 'AlertServiceDeliveryFailed' && a.args.id === fail.id));
  const all = JSON.stringify(await c.call('audit.query')) + JSON.stringify(await c.call('alert.list')) + d.output();
  t.notMatch(all, /CREDTOKEN|FAILTOKEN|SLACKTOKEN|HOOKTOKEN|s3cret pass/, 'no token in the audit log, the alerts or the log');
});

t.test('a webhook that never answers: its own alert after the attempt timeout and a retry; nobody waits for it', async (t) => {
  const hanging: ServerResponse[] = [];
  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    req.on('end', () => hanging.push(res));
  });
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (http.closeAllConnections(), http.close(() => r()))));
  const d = await startTestDaemon(t, { config: { alertservice: { timeout_seconds: 1, retries: 1, retry_delay_ms: 100 } } });
  const c = await d.root();
  const hang = await c.call<{ id: number }>('alertservice.create', { name: 'hanging hook', attributes: { type: 'Webhook', url: `http://127.0.0.1:${port(http)}/hang/HANGTOKEN` }, level: 'WARNING' });
  await c.call('alert.oneshot_create', 'TestAlert', { subject: 'tank/vm', error: 'VM db not protected' });
  await waitFor('the hanging webhook to be called', () => hanging.length > 0 || null);
  t.equal(await c.call('core.ping'), 'pong', 'the daemon answers while a webhook hangs');
  const failed = await waitFor('AlertServiceDeliveryFailed', async () => (await c.call<Alert[]>('alert.list')).find((a) => a.klass === 'AlertServiceDeliveryFailed'));
  t.match(failed.args, { id: hang.id, name: 'hanging hook', error: /no answer within 1000 ms \(2 attempts\)/ });
  t.notMatch(JSON.stringify(failed), /HANGTOKEN/, 'the error names the host, never the URL token');
  t.equal(hanging.length, 2, 'one attempt and one retry');
  t.equal(await c.call('alertservice.delete', hang.id), true);
  t.notOk((await c.call<Alert[]>('alert.list')).some((a) => a.klass === 'AlertServiceDeliveryFailed' && a.args.id === hang.id), 'delete clears its failure alert');
  for (const res of hanging) res.destroy();
});
