/**
 * /metrics, /readyz and /healthz against the real daemon after a real coordinated run (vcsim +
 * zfs-fuse): the exposition parses, the run, its VMs, phases and hold window, the vCenter health of
 * the entry, each VM's last protection time, leftovers, API calls and errors, and jobs are counted;
 * loopback peers read without login, other peers (this host's own non-loopback address) only with an
 * API key, and every peer (loopback and the Unix socket included) with `metrics.require_auth`;
 * `metrics.listen` moves the endpoints to a listener of their own, which speaks HTTPS when the API
 * does (listen.tls).
 */
import { readFileSync } from 'node:fs';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { startTestDaemon } from '../../helpers/daemon.js';
import { parseExposition } from '../../helpers/prometheus.js';
import { startSyncWorld, VM_DS, OTHER_DS } from '../../helpers/sync-world.js';

/** A non-loopback IPv4 address of this host, or undefined when it has none. */
const hostAddress = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

const get = async (url: string, headers: Record<string, string> = {}) => {
  const res = await fetch(url, { headers });
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
};

t.test('monitoring endpoints', async (t) => {
  const w = await startSyncWorld(t, {
    vms: [
      { name: 'web', datastore: VM_DS },
      { name: 'db', datastore: VM_DS, toolsRunning: false },
      { name: 'off', datastore: VM_DS, powerState: 'off' },
      { name: 'elsewhere', datastore: OTHER_DS },
    ],
    config: { listen: { host: '0.0.0.0' } }, // reachable on loopback and on this host's other addresses
  });
  const base = `http://127.0.0.1:${w.daemon.port}`;

  t.test('readyz and healthz answer loopback peers without login', async (t) => {
    const ready = await get(`${base}/readyz`);
    t.equal(ready.status, 200);
    t.same(JSON.parse(ready.body), { ready: true, datastore: true, listeners: true, plugins: true });
    t.match(await get(`${base}/healthz`), { status: 200, body: 'ok\n' });
    t.equal((await fetch(`${base}/metrics`, { method: 'POST' })).status, 405);
  });

  t.test('after a coordinated run, /metrics counts it', async (t) => {
    const { report } = await w.snapshot('metrics-1');
    t.equal(report?.vmsynced, 'full');
    await t.rejects(w.client.call('vmware.get_instance', 999), { errors: [{ errno: 2 }] });
    await t.rejects(w.client.call('no.such_method'), { code: -32601 });

    const res = await get(`${base}/metrics`);
    t.equal(res.status, 200);
    t.match(res.type, /^text\/plain; version=0\.0\.4/);
    const m = parseExposition(res.body);
    t.equal(m.value('vsnapd_vmware_runs_total', { vmsynced: 'full' }), 1);
    t.equal(m.value('vsnapd_vmware_runs_total', { vmsynced: 'failed' }), 0);
    t.equal(m.value('vsnapd_vmware_vms_total', { action: 'snapshotted' }), 2);
    t.equal(m.value('vsnapd_vmware_vms_total', { action: 'skipped' }), report!.counts.skipped, 'as many as the report skipped');
    t.ok(report!.counts.skipped >= 1, 'the powered-off VM at least');
    t.equal(m.value('vsnapd_vmware_vms_total', { action: 'failed' }), 0);
    t.equal(m.types.get('vsnapd_vmware_run_duration_seconds'), 'histogram');
    t.equal(m.value('vsnapd_vmware_run_duration_seconds_count'), 1);
    t.ok(m.value('vsnapd_vmware_run_duration_seconds_sum')! > 0);
    for (const phase of ['vmware', 'zfs', 'removal']) t.equal(m.value('vsnapd_vmware_phase_duration_seconds_count', { phase }), 1, phase);
    const helds = report!.entries.flatMap((e) => e.vms).flatMap((vm) => (vm.held_ms === null ? [] : [vm.held_ms / 1000]));
    t.equal(helds.length, 2, 'both snapshotted VMs report how long they held a snapshot');
    t.equal(m.value('vsnapd_vmware_vm_snapshot_held_seconds_count'), 2);
    t.ok(Math.abs(m.value('vsnapd_vmware_vm_snapshot_held_seconds_sum')! - helds.reduce((a, b) => a + b, 0)) < 1e-6, 'the held times are the report\'s');
    t.equal(m.value('vsnapd_vmware_snapshot_window_seconds_count'), 1);
    t.equal(m.value('vsnapd_vmware_snapshot_window_seconds_sum'), report!.timings.window_ms! / 1000, 'the hold window is the report\'s');

    // Protection per VM, as vmware.protection_status reports it; nothing left behind.
    const status = (await w.client.call('vmware.protection_status')) as { name: string; moref: string; last_snapshot_at: Date | null }[]; // the client revives {$date}
    const web = status.find((vm) => vm.name === 'web');
    t.ok(web?.last_snapshot_at, 'web is protected');
    t.equal(m.value('vsnapd_vmware_vm_last_protected_timestamp_seconds', { moref: web!.moref, name: 'web' }), web!.last_snapshot_at!.getTime() / 1000, "web's last VM-consistent snapshot time is protection_status's");
    for (const vm of status.filter((x) => x.last_snapshot_at === null)) {
      t.equal(m.value('vsnapd_vmware_vm_last_protected_timestamp_seconds', { moref: vm.moref }), 0, `${vm.name}: never protected is 0`);
    }
    t.equal(m.value('vsnapd_vmware_leftover_snapshots'), 0, 'no VMware snapshot left behind');

    const entry = { id: String(w.entryId) };
    t.ok([0, 1].includes(m.value('vsnapd_vmware_entry_up', entry)!), 'the entry has a health series');
    t.equal(m.value('vsnapd_vmware_entry_consecutive_failures', entry), 0);

    t.ok(m.value('vsnapd_api_calls_total', { method: 'pool.snapshot.create', transport: 'unix' })! >= 1);
    t.equal(m.value('vsnapd_api_call_errors_total', { method: 'vmware.get_instance', errname: 'ENOENT' }), 1);
    t.equal(m.value('vsnapd_api_call_errors_total', { method: '(unknown)', errname: 'ENOMETHOD' }), 1, 'unknown names do not become label values');
    t.equal(m.value('vsnapd_jobs_total', { method: 'pool.snapshot.create_coordinated', state: 'SUCCESS' }), 1);
    t.ok(m.value('process_resident_memory_bytes')! > 0, 'default process metrics');
  });

  t.test('a non-loopback peer needs an API key', { skip: hostAddress ? false : 'this host has no non-loopback IPv4 address (the unit test covers the rule)' }, async (t) => {
    const remote = `http://${hostAddress}:${w.daemon.port}`;
    const refused = await get(`${remote}/metrics`);
    t.equal(refused.status, 401);
    t.match(refused.body, /Authorization: Bearer/);
    t.equal((await get(`${remote}/readyz`)).status, 401, 'readyz too');
    t.equal((await get(`${remote}/metrics`, { Authorization: 'Bearer 1-wrong' })).status, 401);
    const key = await w.daemon.apiKey('prometheus');
    const ok = await get(`${remote}/metrics`, { Authorization: `Bearer ${key}` });
    t.equal(ok.status, 200);
    t.ok(parseExposition(ok.body).value('vsnapd_vmware_runs_total', { vmsynced: 'full' }) !== undefined);
  });
});

t.test('metrics.listen: the endpoints move to a listener of their own', async (t) => {
  const d = await startTestDaemon(t, { config: { metrics: { listen: { host: '127.0.0.1', port: 0 } } } });
  const ready = d.output().split('\n').find((l) => l.includes('"vsnapd ready"'));
  const metricsUrl = (JSON.parse(ready!) as { metricsUrl: string }).metricsUrl;
  t.match(metricsUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  t.equal((await get(`${metricsUrl}/readyz`)).status, 200);
  t.ok(parseExposition((await get(`${metricsUrl}/metrics`)).body).value('process_resident_memory_bytes')! > 0);
  t.equal((await get(`${metricsUrl}/api/current`)).status, 404, 'only monitoring there');
  t.equal((await get(`http://127.0.0.1:${d.port}/metrics`)).status, 404, 'not on the API listener any more');
});

t.test('metrics.listen with listen.tls: the listener of its own speaks HTTPS with the API certificate', async (t) => {
  const d = await startTestDaemon(t, { config: { listen: { tls: { self_signed: true } }, metrics: { listen: { host: '127.0.0.1', port: 0 } } } });
  const ready = d.output().split('\n').find((l) => l.includes('"vsnapd ready"'));
  const metricsUrl = (JSON.parse(ready!) as { metricsUrl: string }).metricsUrl;
  t.match(metricsUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  const ca = readFileSync(join(d.dataDir, 'tls', 'vsnapd.crt'));
  const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
    // The generated certificate names the listen host (127.0.0.1); verification stays on, against it as the CA.
    httpsGet(`${metricsUrl}/healthz`, { ca }, (r) => {
      let body = '';
      r.on('data', (c: Buffer) => (body += c.toString()));
      r.on('end', () => resolve({ status: r.statusCode ?? 0, body }));
    }).on('error', reject);
  });
  t.same(res, { status: 200, body: 'ok\n' }, 'answered over verified TLS');
  await t.rejects(fetch(`${metricsUrl.replace('https:', 'http:')}/healthz`), 'plain HTTP is not served there');
});

/** GET `path` over the daemon's Unix socket: the status. */
const unixStatus = (socketPath: string, path: string, headers: Record<string, string> = {}) =>
  new Promise<number>((resolve, reject) => {
    httpGet({ socketPath, path, headers }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });

t.test('metrics.require_auth: off by default (loopback and the Unix socket read freely); on, every peer needs an API key', async (t) => {
  const open = await startTestDaemon(t);
  for (const path of ['/metrics', '/readyz', '/healthz']) {
    t.equal((await get(`http://127.0.0.1:${open.port}${path}`)).status, 200, `default: loopback reads ${path}`);
    t.equal(await unixStatus(open.socketPath, path), 200, `default: the Unix socket reads ${path}`);
  }

  const d = await startTestDaemon(t, { config: { metrics: { require_auth: true } } });
  const key = await d.apiKey('prometheus');
  for (const path of ['/metrics', '/readyz', '/healthz']) {
    const refused = await get(`http://127.0.0.1:${d.port}${path}`);
    t.match(refused, { status: 401, body: /metrics\.require_auth/ }, `loopback without a key: ${path} refused`);
    t.equal(await unixStatus(d.socketPath, path), 401, `the Unix socket without a key: ${path} refused`);
    t.equal((await get(`http://127.0.0.1:${d.port}${path}`, { Authorization: 'Bearer 1-wrong' })).status, 401, 'a wrong key: refused');
    t.equal((await get(`http://127.0.0.1:${d.port}${path}`, { Authorization: `Bearer ${key}` })).status, 200, `loopback with the key reads ${path}`);
    t.equal(await unixStatus(d.socketPath, path, { Authorization: `Bearer ${key}` }), 200, `the Unix socket with the key reads ${path}`);
  }
});
