/**
 * TrueNAS's own clients (the repository's `tests/fixtures/truenas-clients`, installed offline with its
 * install.sh and run as real processes) against the real daemon, vcsim and zfs-fuse:
 * - 25.10 midclt over the Unix socket: the setup workflow (sharing.nfs.create, vmware.create,
 *   vmware.query, dataset_has_vms, match_datastores_with_datasets, pool.snapshottask.create with
 *   vmware_sync, `call -j pool.snapshottask.run`), printed as TrueNAS prints it;
 * - API-key logins over TCP: 25.10 (auth.login_with_api_key), 26.0 (AUTO → SCRAM), master (SCRAM);
 *   master over wss:// with SCRAM-PLUS (tls-server-end-point);
 * - the 25.10 Python API: an event subscription and a job=True call (new-style jobs);
 * - the 24.10 client through /websocket (legacy protocol), over the socket and over TCP.
 * Nothing about a key reaches the daemon's log.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import t from 'tap';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { ZFS_BIN, ZPOOL_BIN } from '../../fixtures/zfs/daemon.js';
import { withPool, zfs } from '../../fixtures/zfs/pool.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { installTrueNasClient } from '../../helpers/truenas-clients.js';
import { waitFor } from '../../helpers/wait.js';

t.test("TrueNAS's clients", async (t) => {
  const [tn2410, tn2510, tn26, tnMaster] = await Promise.all([
    installTrueNasClient(t, '24.10'),
    installTrueNasClient(t, '25.10'),
    installTrueNasClient(t, '26.0'),
    installTrueNasClient(t, 'master'),
  ]);
  const pool = await withPool(t, { datasets: ['vmware'] });
  const dataset = pool.dataset('vmware');
  const mount = pool.mountpoint('vmware');
  const vc = await startVcsim(
    { nfsDatastores: [{ name: 'vmstore', remoteHost: '127.0.0.1', remotePath: mount, localPath: mount }], vms: [{ name: 'web', datastore: 'vmstore' }] },
    { t },
  );
  const d = await startTestDaemon(t, {
    config: {
      log_level: 'debug',
      zfs: { zfs_path: ZFS_BIN, zpool_path: ZPOOL_BIN },
      pool: { timezone: 'UTC' },
      nfs: { exports_path: join(pool.dir, 'exports.d', 'vsnapd.exports'), exportfs_path: join(pool.dir, 'no-nfs-server', 'exportfs') },
      vmware: { sync: { sweep_interval_minutes: 0 } },
    },
  });
  const unix = ['-u', `ws+unix://${d.socketPath}`];
  const key = await d.apiKey('truenas-clients');
  const secret = key.slice(key.indexOf('-') + 1);

  t.test('25.10 midclt over the Unix socket: the setup workflow', async (t) => {
    const call = async (...args: string[]) => {
      const r = await tn2510.midclt([...unix, 'call', ...args]);
      t.equal(r.code, 0, `${args[0]}: exit 0 (${r.stderr.trim()})`);
      return r.stdout;
    };
    const share = JSON.parse(await call('sharing.nfs.create', JSON.stringify({ path: mount, networks: ['192.168.1.0/24'], maproot_user: 'root', maproot_group: 'wheel' })));
    t.match(share, { id: Number, path: mount });
    const entry = JSON.parse(
      await call('vmware.create', JSON.stringify({ hostname: vc.host, port: vc.port, username: vc.username, password: vc.password, filesystem: dataset, tls: { ca: vc.certPem } })),
    );
    t.match(entry, { id: Number, password: '********', filesystem: dataset, datastores: ['vmstore'] });
    t.match(JSON.parse(await call('vmware.query')), [{ id: entry.id, hostname: vc.host }]);
    t.equal(await call('vmware.dataset_has_vms', JSON.stringify(dataset)), 'True\n', 'booleans print as Python does: True');
    t.equal(await call('vmware.dataset_has_vms', JSON.stringify(dataset.split('/')[0])), 'False\n', 'the pool itself is not covered (not recursive)');
    t.match(JSON.parse(await call('vmware.match_datastores_with_datasets', String(entry.id))), { datastores: [{ name: 'vmstore', filesystems: [dataset] }] });
    const task = JSON.parse(
      await call(
        'pool.snapshottask.create',
        JSON.stringify({ dataset, recursive: false, lifetime_value: 1, lifetime_unit: 'WEEK', naming_schema: 'auto-%Y-%m-%d_%H-%M', schedule: { minute: '0', hour: '0' }, vmware_sync: true }),
      ),
    );
    t.match(task, { id: Number, vmware_sync: true });
    const run = await tn2510.midclt([...unix, 'call', '-j', 'pool.snapshottask.run', String(task.id)]);
    t.equal(run.code, 0, run.stderr);
    t.match(run.stderr, /Total Progress: \[#+\] 100\.00%/, "the client's progress bar reached 100%");
    const snapshots = await zfs('list', '-H', '-t', 'snapshot', '-o', 'name,vsnapd:vmsynced,freenas:vmsynced', '-r', dataset);
    t.match(snapshots, new RegExp(`^${dataset}@auto-\\S+\\tfull\\tY$`, 'm'), 'the run made a VM-consistent snapshot');
    const missing = await tn2510.midclt([...unix, 'call', 'vmware.get_instance', '9999']);
    t.match(missing, { code: 1, stderr: /\[ENOENT\] .*9999/ });
  });

  t.test('API-key logins over TCP', async (t) => {
    const [v2510, v26, master, plainRefused] = await Promise.all([
      tn2510.midclt(['-u', d.url, '-K', key, 'call', 'auth.me']),
      tn26.midclt(['-u', d.url, '-U', 'root', '-K', key, 'call', 'auth.me']),
      tnMaster.midclt(['-u', d.url, '-U', 'root', '-K', key, '--no-channel-binding', 'call', 'auth.me']),
      tnMaster.midclt(['-u', d.url, '-U', 'root', '-K', key, 'call', 'auth.me']),
    ]);
    for (const [name, r] of [['25.10 (login_with_api_key)', v2510], ['26.0 (AUTO: SCRAM)', v26], ['master (SCRAM)', master]] as const) {
      t.equal(r.code, 0, `${name}: ${r.stderr}`);
      t.match(JSON.parse(r.stdout), { pw_name: 'root', account_attributes: ['LOCAL', 'API_KEY'] }, name);
    }
    t.match(plainRefused.stdout, /channel binding is required/, 'master will not log in without channel binding over plain ws://');
    const lines = await waitFor('the three logins in the debug log', () => {
      const calls = d.output().split('\n').filter((l) => /"msg":"call"/.test(l) && /"method":"auth\.(login_ex|login_with_api_key)"/.test(l));
      return calls.length >= 5 ? calls : null;
    });
    t.equal(lines.filter((l) => l.includes('auth.login_with_api_key')).length, 1, '25.10: one login_with_api_key');
    t.equal(lines.filter((l) => l.includes('auth.login_ex')).length, 4, '26.0 and master: two SCRAM messages each, no API_KEY_PLAIN');
  });

  t.test('25.10 Python API: events and job=True', async (t) => {
    const r = await tn2510.python(join(import.meta.dirname, 'client-api.py'), [`ws+unix://${d.socketPath}`]);
    t.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { event: unknown; created_id: number; job_result: unknown; job_state: string; job_message_ids: unknown[] };
    t.same(out.event, { type: 'ADDED', collection: 'api_key.query', id: out.created_id });
    t.same(out.job_result, { from: 'job' });
    t.equal(out.job_state, 'SUCCESS');
    t.equal(out.job_message_ids.length, 1, "the job carries the call's message id");
  });

  t.test('24.10 client through /websocket', async (t) => {
    const [local, remote, invalid] = await Promise.all([
      tn2410.midclt([...unix, 'call', 'vmware.query', '[]', '{"select": ["hostname"]}']),
      tn2410.midclt(['-u', `ws://127.0.0.1:${d.port}/websocket`, '-K', key, 'call', 'auth.me']),
      tn2410.midclt([...unix, 'call', 'pool.snapshottask.create', '{}']),
    ]);
    t.equal(local.code, 0, local.stderr);
    t.same(JSON.parse(local.stdout), [{ hostname: vc.host }]);
    t.equal(remote.code, 0, remote.stderr);
    t.match(JSON.parse(remote.stdout), { pw_name: 'root' });
    t.match(invalid, { code: 1, stderr: /\[EINVAL\] periodic_snapshot_create\.dataset: Field required/ }, 'validation errors as the 24.10 client prints them');
  });

  t.test('nothing about the key in the log', async (t) => {
    t.notMatch(d.output(), secret);
    t.notMatch(d.output(), key);
  });
});

t.test('master over wss:// with SCRAM-PLUS (tls-server-end-point)', async (t) => {
  const [tnMaster] = await Promise.all([installTrueNasClient(t, 'master')]);
  const d = await startTestDaemon(t, { config: { listen: { tls: { self_signed: true } } } });
  const key = await d.apiKey();
  const caFile = join(d.tmpDir, 'ca.pem');
  writeFileSync(caFile, readFileSync(join(d.dataDir, 'tls', 'vsnapd.crt')));
  const [bound, insecure, wrongKey] = await Promise.all([
    tnMaster.midclt(['-u', d.url, '-U', 'root', '-K', key, 'call', 'auth.me'], { env: { SSL_CERT_FILE: caFile } }),
    tnMaster.midclt(['-u', d.url, '-U', 'root', '-K', key, '--insecure', 'call', 'core.ping']),
    tnMaster.midclt(['-u', d.url, '-U', 'root', '-K', `${key.slice(0, -1)}${key.endsWith('a') ? 'b' : 'a'}`, '--insecure', 'call', 'core.ping']),
  ]);
  t.equal(bound.code, 0, bound.stderr);
  t.match(JSON.parse(bound.stdout), { pw_name: 'root' }, 'channel-bound SCRAM over a verified wss://');
  t.match(insecure, { code: 0, stdout: 'pong\n' }, '--insecure still binds to the certificate the connection presents');
  t.match(wrongKey.stdout, /Failed to login/, 'a wrong key is refused');
});
