/**
 * Secrets never leave the daemon: one canary test. Every secret has a distinct canary value — the
 * vCenter password (right, wrong, rotated, and one for an unreachable vCenter), the API key's
 * secret part, SCRAM's client proof, ClientKey and SaltedPassword (a real SCRAM-SHA-512 exchange,
 * RFC 5802, and one with a forged proof), the SMTP password, the webhook tokens (in a URL's path, its
 * query, and as credentials in a URL, which is refused), the admin password (right and wrong), the
 * backup passphrase, and a canary inside bad params. With the daemon logging at `trace`, every flow
 * runs, failures included: wrong passwords, an unreachable vCenter, the vCenter's password rotated
 * (VMWareLoginFailed), a mail server on loopback that refuses the login, webhooks that answer 500 or
 * whose port is closed (AlertServiceDeliveryFailed, alertservice.test), bad input, a coordinated
 * snapshot, a sweep, a job with a `password` argument. Then none of the canaries appears (as is,
 * base64 or URL-encoded) in: the daemon's stdout/stderr, alerts, the audit log, core.get_jobs,
 * the run history (vmware.run.query), API results and errors, `/metrics`, events streamed to a `*`
 * subscriber, midclt output, the console's files, the data folder, or the backup archive (its bytes
 * and, restored by `vsnapd restore` into a fresh folder, its content).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import t, { type Test } from 'tap';
import type { Client, CollectionUpdate } from '../../../client/index.js';
import { hashPassword } from '../../../daemon/auth/password.js';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { freePort, REPO_ROOT, runDaemonCommand } from '../../helpers/daemon.js';
import { startVmwareWorld, until, VC_PASSWORD } from '../../helpers/vmware-world.js';
import { scramClient } from '../../helpers/scram-client.js';
import { callError } from '../../helpers/validation.js';

const ADMIN_PASSWORD = 'Adm1n-Pw-4c9e-secret';
const WRONG_ADMIN_PASSWORD = 'Wr0ng-Adm1n-b7d1';
const WRONG_VC_PASSWORD = 'Wr0ng-Vc-Pw-e2a8';
const ROTATED_VC_PASSWORD = 'R0tated-Vc-Pw-91f0';
const UNREACHABLE_VC_PASSWORD = 'Unreach-Vc-Pw-2c4b';
const SMTP_PASSWORD = 'Smtp-Pass-Canary-5d2e';
const WEBHOOK_TOKEN = 'Hook-Path-Canary-8b1c';
const WEBHOOK_QUERY_TOKEN = 'Hook-Query-Canary-3f7a';
const URL_CREDENTIAL = 'Url-Cred-Canary-6e0d';
const BAD_PARAM = 'Bad-Param-Canary-9a3f';
const BACKUP_PASSPHRASE = 'Backup-Passphrase-Canary-4e1b';

/** Every file under `dir`, as latin1 text (binary-safe substring search). */
function folderText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? folderText(p) : `\n${readFileSync(p).toString('latin1')}`;
  }
  return out;
}

/** A loopback HTTP server answering every request with `status`; the paths it was asked for. */
async function httpReceiver(t: Test, status: number): Promise<{ url: string; paths: string[] }> {
  const paths: string[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    paths.push(req.url ?? '');
    req.resume();
    req.on('end', () => res.writeHead(status).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

t.test('secrets appear nowhere', async (t) => {
  const w = await startVmwareWorld(t, {
    config: {
      log_level: 'trace',
      auth: { admin: { username: 'admin', password_hash: await hashPassword(ADMIN_PASSWORD) }, login_rate_limit: { max_failures: 50 } },
      alertservice: { timeout_seconds: 30, retries: 1, retry_delay_ms: 10 },
      vmware: { poll_interval_seconds: 1 },
    },
  });
  const { vc, daemon: d } = w;
  const pin = { tls: { thumbprint: vc.thumbprintSha256 } };

  /** Secrets found in `text`, by label (each as is, base64 and URL-encoded). */
  const secrets: Record<string, string> = {
    'vCenter password': VC_PASSWORD,
    'wrong vCenter password': WRONG_VC_PASSWORD,
    'rotated vCenter password': ROTATED_VC_PASSWORD,
    'admin password': ADMIN_PASSWORD,
    'wrong admin password': WRONG_ADMIN_PASSWORD,
    'unreachable vCenter password': UNREACHABLE_VC_PASSWORD,
    'SMTP password': SMTP_PASSWORD,
    'webhook path token': WEBHOOK_TOKEN,
    'webhook query token': WEBHOOK_QUERY_TOKEN,
    'URL credential': URL_CREDENTIAL,
    'bad param': BAD_PARAM,
    'backup passphrase': BACKUP_PASSPHRASE,
  };
  const found = (text: string) =>
    Object.entries(secrets).flatMap(([label, s]) =>
      [s, Buffer.from(s).toString('base64'), encodeURIComponent(s)].some((form) => text.includes(form)) ? [label] : [],
    );
  const clean = (t: Test, what: string, value: unknown) => t.same(found(typeof value === 'string' ? value : JSON.stringify(value)), [], `${what}: no secret`);

  // The admin logs in over TCP with the password; a wrong one fails. Everything else runs in this session.
  await t.rejects(d.tcp({ username: 'admin', password: WRONG_ADMIN_PASSWORD }), /wrong user name or password/);
  const admin: Client = await d.tcp({ username: 'admin', password: ADMIN_PASSWORD });
  const events: CollectionUpdate[] = [];
  await admin.subscribe('*', (u) => events.push(u));

  // An API key: shown once, never again.
  const created = await admin.call<{ id: number; key: string; username: string }>('api_key.create', { name: 'secrets-test' });
  const keySecret = created.key.slice(created.key.indexOf('-') + 1);
  t.ok(keySecret.length >= 32, 'the key has a long secret part');
  secrets['API key secret'] = keySecret;
  clean(t, 'api_key.query', await admin.call('api_key.query'));
  clean(t, 'api_key.get_instance', await admin.call('api_key.get_instance', created.id));
  const viaKey = await d.tcp({ apiKey: created.key });
  t.equal(await viaKey.call('core.ping'), 'pong');

  // SCRAM with that key: a real exchange, then one with a forged proof. What only the client knows
  // (proof, ClientKey, SaltedPassword) is a canary too.
  const scramLogin = async (forge: boolean) => {
    const c = await d.tcp();
    const sc = scramClient(created.username, created.id, keySecret);
    const first = await c.call<{ response_type: string; rfc_str: string }>('auth.login_ex', { mechanism: 'SCRAM', scram_type: 'CLIENT_FIRST_MESSAGE', rfc_str: sc.first });
    t.equal(first.response_type, 'SCRAM_RESPONSE', 'the server answers the first message');
    const fin = sc.final(first.rfc_str);
    secrets[`SCRAM proof${forge ? ' (forged)' : ''}`] = fin.proof;
    secrets['SCRAM ClientKey'] = fin.clientKey;
    secrets['SCRAM SaltedPassword'] = fin.salted;
    const rfc = forge ? fin.rfc.replace(/p=.*$/, `p=${Buffer.from(`${BAD_PARAM}-forged-proof-padding-to-64-bytes-of-sha512-output!!`).toString('base64')}`) : fin.rfc;
    return c.call<{ response_type: string }>('auth.login_ex', { mechanism: 'SCRAM', scram_type: 'CLIENT_FINAL_MESSAGE', rfc_str: rfc });
  };
  t.match(await scramLogin(false), { response_type: 'SCRAM_RESPONSE' }, 'SCRAM logs in');
  t.same(await scramLogin(true), { response_type: 'AUTH_ERR' }, 'a forged SCRAM proof fails');

  // Failed vCenter logins: the error names the problem, never the password tried.
  const badCreate = await callError(admin.call('vmware.create', w.seed({ ...pin, password: WRONG_VC_PASSWORD })));
  t.match(badCreate.message, /password|login|credentials/i, `create with a wrong password fails clearly: ${badCreate.message}`);
  clean(t, 'failed create', { message: badCreate.message, extra: badCreate.extra, trace: badCreate.trace });

  const entry = await admin.call<{ id: number; password: string }>('vmware.create', w.seed(pin));
  t.equal(entry.password, '********');
  clean(t, 'vmware.create', entry);
  clean(t, 'vmware.query', await admin.call('vmware.query'));
  clean(t, 'vmware.get_instance', await admin.call('vmware.get_instance', entry.id));
  clean(t, 'vmware.test by id', await admin.call('vmware.test', entry.id));
  clean(t, 'vmware.test draft', await admin.call('vmware.test', w.seed(pin)));
  const wrongTest = await admin.call<{ ok: boolean }>('vmware.test', entry.id, { password: WRONG_VC_PASSWORD });
  t.equal(wrongTest.ok, false, 'vmware.test with a wrong password fails');
  clean(t, 'vmware.test with a wrong password', wrongTest);
  const badUpdate = await callError(admin.call('vmware.update', entry.id, { password: WRONG_VC_PASSWORD }));
  clean(t, 'failed update', { message: badUpdate.message, extra: badUpdate.extra, trace: badUpdate.trace });
  const creds = { hostname: '127.0.0.1', port: vc.port, username: w.seed().username, password: VC_PASSWORD, ...pin };
  clean(t, 'vmware.get_datastores', await admin.call('vmware.get_datastores', creds));
  clean(t, 'vmware.match_datastores_with_datasets', await admin.call('vmware.match_datastores_with_datasets', creds));
  clean(t, 'vmware.get_virtual_machines', await admin.call('vmware.get_virtual_machines', entry.id));
  clean(t, 'vmware.inventory', await admin.call('vmware.inventory', entry.id));
  clean(t, 'vmware.plan', await admin.call('vmware.plan', w.ds.vmware, false));

  // Jobs: a coordinated snapshot, a sweep, and a job whose argument is called `password`.
  clean(t, 'coordinated snapshot', await admin.call('pool.snapshot.create', { dataset: w.ds.vmware, name: 'secrets-1', vmware_sync: true }));
  clean(t, 'vmware.sweep', await admin.callJob('vmware.sweep', [{ min_age_minutes: 0 }]));
  await admin.callJob('test.job', [{ steps: 1, step_ms: 0, password: VC_PASSWORD }]);
  const jobs = await admin.call<{ method: string; arguments: unknown[] }[]>('core.get_jobs');
  t.ok(jobs.some((j) => j.method === 'pool.snapshot.create_coordinated'), 'the coordinated run is a job');
  t.match(jobs.find((j) => j.method === 'test.job')?.arguments, [{ password: '********' }], 'job arguments are redacted');
  clean(t, 'core.get_jobs', jobs);

  // The vCenter's password is rotated: the background check fails to log in with the stored one.
  await vc.stop();
  await startVcsim({ ...w.spec, password: ROTATED_VC_PASSWORD, port: vc.port }, { t });
  const alert = await until('VMWareLoginFailed', async () =>
    (await admin.call<{ klass: string; formatted: string }[]>('alert.list')).find((a) => a.klass === 'VMWareLoginFailed'),
  );
  t.match(alert.formatted, /login/i, `the alert says what failed: ${alert.formatted}`);
  clean(t, 'alert.list', await admin.call('alert.list'));
  const failed = await admin.call<{ state: { state: string } }>('vmware.get_instance', entry.id);
  t.equal(failed.state.state, 'ERROR');
  clean(t, 'entry in ERROR', failed);
  clean(t, 'vmware.test after rotation', await admin.call('vmware.test', entry.id));

  // midclt, over the Unix socket and over TCP with the API key.
  for (const args of [
    ['call', 'vmware.query'],
    ['call', 'vmware.get_instance', String(entry.id)],
    ['call', 'core.get_jobs'],
    ['call', 'alert.list'],
    ['call', 'api_key.query'],
    ['call', 'vmware.create', JSON.stringify(w.seed({ ...pin, password: WRONG_VC_PASSWORD, filesystem: w.ds.vm }))],
    ['-u', d.url, '-K', created.key, 'call', 'vmware.query'],
    ['-u', d.url, '-K', `${created.id}-${'x'.repeat(43)}`, 'call', 'vmware.query'],
  ]) {
    const r = await d.midclt(args);
    clean(t, `midclt ${args.filter((a) => a !== created.key).join(' ').slice(0, 80)}`, r.stdout + r.stderr);
  }

  // An unreachable vCenter: nothing listens on the port.
  const closedPort = await freePort();
  const unreachable = { hostname: '127.0.0.1', port: closedPort, username: w.seed().username, password: UNREACHABLE_VC_PASSWORD, ...pin };
  clean(t, 'vmware.test of an unreachable vCenter', await admin.call('vmware.test', unreachable).catch((e: unknown) => e));
  const unreachableCreate = await callError(admin.call('vmware.create', w.seed({ ...unreachable, filesystem: w.ds.vm })));
  clean(t, 'vmware.create of an unreachable vCenter', { message: unreachableCreate.message, extra: unreachableCreate.extra, trace: unreachableCreate.trace });

  // A mail server on loopback that refuses the login, webhooks that answer 500 or whose port is closed.
  const smtpLogins: string[] = [];
  const smtp = new SMTPServer({
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, cb) {
      smtpLogins.push(auth.password ?? '');
      cb(new Error('Invalid username or password'));
    },
  });
  await new Promise<void>((r) => smtp.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => smtp.close(() => r())));
  const failing = await httpReceiver(t, 500);
  const mailConfig = await admin.call('mail.update', { outgoingserver: '127.0.0.1', port: (smtp.server.address() as AddressInfo).port, security: 'PLAIN', smtp: true, user: 'vsnapd', pass: SMTP_PASSWORD });
  clean(t, 'mail.update', mailConfig);
  clean(t, 'mail.config', await admin.call('mail.config'));
  const hookUrl = `${failing.url}/hooks/${WEBHOOK_TOKEN}?token=${WEBHOOK_QUERY_TOKEN}`;
  const services = [
    { name: 'canary mail', attributes: { type: 'Mail', email: 'ops@example.com' }, level: 'INFO' },
    { name: 'canary 500', attributes: { type: 'Webhook', url: hookUrl }, level: 'INFO' },
    { name: 'canary closed', attributes: { type: 'Slack', url: `http://127.0.0.1:${closedPort}/services/${WEBHOOK_TOKEN}?token=${WEBHOOK_QUERY_TOKEN}` }, level: 'INFO' },
  ];
  for (const s of services) clean(t, `alertservice.create ${s.name}`, await admin.call('alertservice.create', s));
  clean(t, 'alertservice.query', await admin.call('alertservice.query'));
  const credentialUrl = await admin.call('alertservice.create', { name: 'canary creds', attributes: { type: 'Webhook', url: `http://hook:${URL_CREDENTIAL}@127.0.0.1:${closedPort}/x` } }).catch((e: Error) => e);
  t.match(credentialUrl, { message: /must not carry credentials/ }, 'a URL with credentials is refused');
  clean(t, 'refused URL with credentials', credentialUrl);
  for (const s of services) {
    const failed = await callError(admin.call('alertservice.test', { ...s, attributes: s.attributes.type === 'Mail' ? s.attributes : { ...s.attributes, url: '********' } }));
    t.match(failed.message, /failed/, `alertservice.test ${s.name} fails: ${failed.message}`);
    clean(t, `alertservice.test ${s.name}`, failed);
  }
  await w.root.call('alert.oneshot_create', 'TestAlert', { subject: 'canaries', error: 'every receiver fails' });
  const deliveryFailures = await until('AlertServiceDeliveryFailed for every service', async () => {
    const list = (await admin.call<{ klass: string }[]>('alert.list')).filter((a) => a.klass === 'AlertServiceDeliveryFailed');
    return list.length === services.length ? list : null;
  });
  clean(t, 'AlertServiceDeliveryFailed', deliveryFailures);
  t.ok(smtpLogins.length > 0 && smtpLogins.every((p) => p === SMTP_PASSWORD), 'the mail server was asked with the SMTP password (and refused it)');
  t.ok(failing.paths.some((p) => p.includes(WEBHOOK_TOKEN)), 'the failing webhook was called with its token');

  // Bad input: a canary in secret params of calls that are refused.
  for (const [method, params] of [
    ['auth.login_ex', [{ mechanism: 'PASSWORD_PLAIN', username: 'admin', password: BAD_PARAM, extra: BAD_PARAM }]],
    ['auth.login_ex', [{ mechanism: 'API_KEY_PLAIN', username: created.username, api_key: `${created.id}-${BAD_PARAM}` }]],
    ['auth.login_ex', [{ mechanism: 'SCRAM', scram_type: 'CLIENT_FIRST_MESSAGE', rfc_str: `n,,n=${created.username}:${created.id},r=${BAD_PARAM}` }]],
    ['auth.login', ['admin', BAD_PARAM, BAD_PARAM]],
    ['auth.login_with_api_key', [BAD_PARAM]],
    ['mail.update', [{ pass: BAD_PARAM, port: 'not a port' }]],
    ['mail.update', [{ pass: `${BAD_PARAM}${'x'.repeat(2000)}` }]],
    ['vmware.create', [w.seed({ password: BAD_PARAM, hostname: 'not a host!', filesystem: 'no/such' })]],
    ['vmware.test', [{ ...unreachable, password: BAD_PARAM, port: -1 }]],
    ['vmware.update', [424242, { password: BAD_PARAM }]],
    ['alertservice.create', [{ name: 'bad', attributes: { type: 'Webhook', url: `ftp://127.0.0.1/${BAD_PARAM}` } }]],
    ['alertservice.test', [{ name: 'bad', attributes: { type: 'Slack', url: `http://${BAD_PARAM}:${BAD_PARAM}@127.0.0.1/x` } }]],
    ['api_key.create', [{ name: 'bad', key: BAD_PARAM }]],
  ] as const) {
    const anon = await d.tcp();
    const replies = await Promise.all([admin.call(method, ...params), anon.call(method, ...params)].map((p) => p.catch((e: unknown) => e)));
    clean(t, `bad input to ${method}`, replies);
    await anon.close();
  }
  clean(t, 'audit.query', await admin.call('audit.query'));
  clean(t, 'vmware.run.query', await admin.call('vmware.run.query'));
  clean(t, 'core.get_jobs at the end', await admin.call('core.get_jobs'));
  const metrics = await fetch(`http://127.0.0.1:${d.port}/metrics`);
  t.equal(metrics.status, 200);
  clean(t, '/metrics', await metrics.text());

  // Logging out, deleting the key, and the daemon's own records.
  t.equal(await viaKey.call('auth.logout'), true);
  t.equal(await admin.call('api_key.delete', created.id), true);
  clean(t, 'events streamed to a * subscriber', events);
  t.ok(events.some((e) => e.collection === 'vmware.query'), 'the subscriber saw vmware events');
  await admin.close();
  t.equal(await d.stop(), 0, 'the daemon stops cleanly (db flushed)');
  const logs = d.output();
  // log_level trace: every debug record is written (nothing in vsnapd logs below debug).
  t.ok(logs.includes('"level":20'), 'the daemon logged its debug records');
  clean(t, 'daemon stdout/stderr', logs);
  clean(t, 'data folder', folderText(d.dataDir));
  clean(t, "the console's files", folderText(join(REPO_ROOT, 'client', 'console', 'dist')));

  // The backup archive: its bytes, and its content restored into a fresh folder.
  const scratch = mkdtempSync(join(tmpdir(), 'vsnapd-canary-'));
  t.teardown(() => rmSync(scratch, { recursive: true, force: true }));
  const archive = join(scratch, 'backup.vsnapd');
  const backup = await runDaemonCommand(['backup', '--out', archive, '--data-dir', d.dataDir], { input: `${BACKUP_PASSPHRASE}\n` });
  t.equal(backup.code, 0, backup.stderr);
  clean(t, 'vsnapd backup output', backup.stdout + backup.stderr);
  clean(t, 'the backup archive', readFileSync(archive).toString('latin1'));
  const restored = join(scratch, 'restored');
  const restore = await runDaemonCommand(['restore', '--in', archive, '--data-dir', restored], { input: `${BACKUP_PASSPHRASE}\n` });
  t.equal(restore.code, 0, restore.stderr);
  t.ok(readdirSync(restored).length > 0, 'the archive was restored');
  clean(t, 'the restored backup', folderText(restored));
});
