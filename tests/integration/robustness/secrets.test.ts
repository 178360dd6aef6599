/**
 * Secrets never leave the daemon. With the daemon logging at `trace`, a vmware entry created against
 * vcsim (over an admin TCP session), a coordinated snapshot, a sweep, a job with a `password`
 * argument, failed vCenter logins (wrong password on create, update and test; then the vCenter's
 * password rotated so the background check raises VMWareLoginFailed), an API key and failed admin
 * logins, none of these secrets — the vCenter password, the wrong vCenter passwords, the API key's
 * secret part, the admin password and a wrong admin password — appears (as is, base64 or URL-encoded)
 * in: the data folder, the daemon's stdout/stderr, core.get_jobs (arguments, results, errors, logs),
 * alerts, error replies, the vmware.* results, events streamed to a `*` subscriber, or midclt output.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import t, { type Test } from 'tap';
import type { Client, CollectionUpdate } from '../../../client/index.js';
import { hashPassword } from '../../../daemon/auth/password.js';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { startVmwareWorld, until, VC_PASSWORD } from '../../helpers/vmware-world.js';
import { callError } from '../../helpers/validation.js';

const ADMIN_PASSWORD = 'Adm1n-Pw-4c9e-secret';
const WRONG_ADMIN_PASSWORD = 'Wr0ng-Adm1n-b7d1';
const WRONG_VC_PASSWORD = 'Wr0ng-Vc-Pw-e2a8';
const ROTATED_VC_PASSWORD = 'R0tated-Vc-Pw-91f0';

/** Every file under `dir`, as latin1 text (binary-safe substring search). */
function folderText(dir: string): string {
  let out = '';
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    out += statSync(p).isDirectory() ? folderText(p) : `\n${readFileSync(p).toString('latin1')}`;
  }
  return out;
}

t.test('secrets appear nowhere', async (t) => {
  const w = await startVmwareWorld(t, {
    config: {
      log_level: 'trace',
      auth: { admin: { username: 'admin', password_hash: await hashPassword(ADMIN_PASSWORD) }, login_rate_limit: { max_failures: 50 } },
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
  const created = await admin.call<{ id: number; key: string }>('api_key.create', { name: 'secrets-test' });
  const keySecret = created.key.slice(created.key.indexOf('-') + 1);
  t.ok(keySecret.length >= 32, 'the key has a long secret part');
  secrets['API key secret'] = keySecret;
  clean(t, 'api_key.query', await admin.call('api_key.query'));
  clean(t, 'api_key.get_instance', await admin.call('api_key.get_instance', created.id));
  const viaKey = await d.tcp({ apiKey: created.key });
  t.equal(await viaKey.call('core.ping'), 'pong');

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
});
