/**
 * TLS on the TCP listener (a self-signed certificate generated on first start, reused after; exit 2
 * naming the file when a configured one is missing or unreadable), the port refusal (exit 2, so
 * systemd does not restart in a loop), and TrueNAS's legacy protocol at /websocket as raw frames:
 * handshake, calls and their legacy error shape, subscriptions, ping, and bad input.
 */
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import t from 'tap';
import { Client } from '../../../client/index.js';
import { runDaemonCommand, runMidclt, startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';

t.test('wss:// with a generated self-signed certificate', async (t) => {
  const d = await startTestDaemon(t, { config: { listen: { tls: { self_signed: true } } } });
  t.match(d.url, /^wss:\/\/127\.0\.0\.1:\d+\/api\/current$/);
  const certFile = join(d.dataDir, 'tls', 'vsnapd.crt');
  const cert = readFileSync(certFile);
  await t.rejects(Client.connect({ url: d.url }), /cannot connect/, 'verification is on: an unknown certificate is refused');
  const key = await d.apiKey();
  const trusted = await Client.connect({ url: d.url }, { ca: cert, apiKey: key });
  t.equal(await trusted.call('core.ping'), 'pong', 'trusting the certificate connects');
  await trusted.close();
  const insecure = await Client.connect({ url: d.url }, { insecure: true });
  t.equal(await insecure.call('core.ping'), 'pong', 'insecure connects without verification');
  await insecure.close();
  const [viaCa, viaInsecure, unverified] = await Promise.all([
    runMidclt(['-u', d.url, '--ca', certFile, '-K', key, 'call', 'core.ping']),
    runMidclt(['-u', d.url, '--insecure', '-K', key, 'call', 'core.ping']),
    runMidclt(['-u', d.url, '-K', key, 'call', 'core.ping']),
  ]);
  t.match(viaCa, { code: 0, stdout: 'pong\n' }, 'midclt --ca FILE trusts the certificate');
  t.match(viaInsecure, { code: 0, stdout: 'pong\n' }, 'midclt --insecure');
  t.match(unverified, { code: 1, stderr: /cannot connect/ }, 'midclt verifies by default');
  const scram = await Client.connect({ url: d.url }, { ca: cert, apiKey: key, username: 'root' });
  t.match(await scram.call('auth.me'), { pw_name: 'root' }, 'the client logs in by SCRAM-PLUS (channel-bound) with a user name');
  await scram.close();
  await t.rejects(Client.connect({ url: d.url }, { ca: cert, apiKey: key, username: 'admin' }), /Login failed: invalid API key \(SCRAM\)/, 'the key of another user is refused');
  const scramCli = await runMidclt(['-u', d.url, '--ca', certFile, '-U', 'root', '-K', key, 'call', 'auth.me']);
  t.match(scramCli, { code: 0, stdout: /"pw_name": "root"/ }, 'midclt -U -K: SCRAM-PLUS');
  t.equal(statSync(join(d.dataDir, 'tls', 'vsnapd.key')).mode & 0o777, 0o600, 'the key file is 0600');
  await d.stop();

  const again = await startTestDaemon(t, { config: { listen: { tls: { self_signed: true } }, data_dir: d.dataDir } });
  t.same(readFileSync(certFile), cert, 'the next start reuses the certificate');
  const c = await Client.connect({ url: again.url }, { ca: cert });
  t.equal(await c.call('core.ping'), 'pong');
  await c.close();

  t.test('a configured certificate or key that cannot be read: exit 2 naming the file', async (t) => {
    const missing = join(d.tmpDir, 'nope.crt');
    const cfg = join(d.tmpDir, 'bad-tls.json');
    writeFileSync(cfg, JSON.stringify({ data_dir: join(d.tmpDir, 'd2'), listen: { port: 0, socket: join(d.tmpDir, 'b.sock'), tls: { certificate: missing, private_key: join(d.dataDir, 'tls', 'vsnapd.key') } } }));
    const r = await runDaemonCommand(['--config', cfg]);
    t.equal(r.code, 2);
    t.match(r.stderr, `listen.tls.certificate: cannot read ${missing} (ENOENT)`);
    writeFileSync(cfg, JSON.stringify({ data_dir: join(d.tmpDir, 'd2'), listen: { port: 0, socket: join(d.tmpDir, 'b.sock'), tls: { certificate: certFile, private_key: certFile } } }));
    const r2 = await runDaemonCommand(['--config', cfg]);
    t.equal(r2.code, 2);
    t.match(r2.stderr, `listen.tls.private_key: ${certFile} is not a PEM private key`);
    writeFileSync(cfg, JSON.stringify({ listen: { tls: { certificate: certFile } } }));
    const r3 = await runDaemonCommand(['--config', cfg]);
    t.equal(r3.code, 2);
    t.match(r3.stderr, /listen\.tls\.private_key.*set both or neither/);
  });
});

t.test('a TCP port in use: exit 2 with the port named (no restart loop)', async (t) => {
  const holder = createServer();
  await new Promise<void>((r) => holder.listen(0, '127.0.0.1', () => r()));
  t.teardown(() => holder.close());
  const port = (holder.address() as { port: number }).port;
  const d = await startTestDaemon(t);
  const r = await runDaemonCommand(['--config', d.configPath, '--port', String(port), '--socket', join(d.tmpDir, 'second.sock'), '--data-dir', join(d.tmpDir, 'second')]);
  t.equal(r.code, 2, 'exit 2: RestartPreventExitStatus=2 in etc/vsnapd.service');
  t.match(r.stderr, `cannot listen on 127.0.0.1:${port}: is in use by another program (EADDRINUSE)`);
  t.match(readFileSync(join(import.meta.dirname, '../../../etc/vsnapd.service'), 'utf8'), /^RestartPreventExitStatus=2$/m);

  t.test('legacy protocol at /websocket', async (t) => {
    const key = await d.apiKey('legacy');
    const raw = await openRaw({ url: `ws://127.0.0.1:${d.port}/websocket` });
    t.teardown(() => raw.close());
    const send = async (m: unknown) => (raw.sendJson(m), (await raw.next()) as Record<string, unknown>);

    t.same(await send({ msg: 'method', id: 'a', method: 'core.ping', params: [] }), { msg: 'failed', version: '1' }, 'a message before connect: failed');
    t.same(await send({ msg: 'connect', version: '2', support: ['2'] }), { msg: 'failed', version: '1' }, 'another version: failed');
    t.match(await send({ msg: 'connect', version: '1', support: ['1'] }), { msg: 'connected', session: /^[0-9a-f-]{36}$/ });
    t.same(await send({ msg: 'ping', id: 'p1' }), { msg: 'pong', id: 'p1' });
    t.same(await send({ msg: 'method', id: 1, method: 'core.ping' }), { msg: 'result', id: 1, result: 'pong' });

    const anon = await send({ msg: 'method', id: 2, method: 'vmware.query', params: [] });
    t.match(anon, { msg: 'result', id: 2, error: { error: 207, errname: 'ENOTAUTHENTICATED', type: null } }, 'the same login rule as /api/current');
    t.same(await send({ msg: 'method', id: 3, method: 'auth.login_with_api_key', params: [key] }), { msg: 'result', id: 3, result: true });

    const invalid = await send({ msg: 'method', id: 4, method: 'pool.snapshottask.create', params: [{ dataset: 7 }] });
    t.match(invalid, { msg: 'result', id: 4, error: { error: 11, errname: 'EAGAIN', type: 'VALIDATION', trace: { class: String } } }, 'validation: EAGAIN, VALIDATION');
    t.match((invalid.error as { extra: unknown[] }).extra, [['periodic_snapshot_create.dataset', String, 22]]);
    t.match(await send({ msg: 'method', id: 5, method: 'vmware.get_instance', params: [404] }), { error: { type: 'VALIDATION', reason: /VMWare 404 does not exist/ } });
    t.match(await send({ msg: 'method', id: 6, method: 'no.such', params: [] }), { error: { error: 201, errname: 'ENOMETHOD' } });

    const sub = await send({ msg: 'sub', id: 's1', name: 'api_key.query' });
    t.same(sub, { msg: 'ready', subs: ['s1'] });
    raw.sendJson({ msg: 'method', id: 7, method: 'api_key.create', params: [{ name: 'evented' }] });
    const seen = [(await raw.next()) as Record<string, unknown>, (await raw.next()) as Record<string, unknown>];
    t.match(seen.find((m) => m.msg === 'added'), { msg: 'added', collection: 'api_key.query', id: Number }, 'events come as added/changed/removed');
    t.match(seen.find((m) => m.msg === 'result'), { id: 7, result: { name: 'evented' } });
    t.same(await send({ msg: 'unsub', id: 's1' }), { msg: 'nosub', id: 's1', collection: 'api_key.query' });
    t.match(await send({ msg: 'sub', id: 's2', name: 'no.such_event' }), { msg: 'nosub', id: 's2', collection: 'no.such_event', error: { reason: String } });

    const job = await send({ msg: 'method', id: 8, method: 'test.job', params: [{ steps: 0, result: 'ok' }] });
    t.type(job.result, 'number', 'a job method answers its job id');

    for (const [bad, reason] of [
      [{ msg: 'bogus', id: 9 }, /Unknown message type "bogus"/],
      [{ id: 10 }, /Unknown message type null/],
      [{ msg: 'method', id: 11, method: 'core.ping', params: { a: 1 } }, /params/],
      [{ msg: 'method', method: 'core.ping' }, /"id"/],
    ] as const) {
      t.match(await send(bad), { msg: 'result', error: { error: 22, reason } }, JSON.stringify(bad));
    }
    raw.send('{not json');
    t.match(await raw.next(), { msg: 'result', id: null, error: { reason: /not JSON/ } });
    raw.send('[1]');
    t.match(await raw.next(), { msg: 'result', id: null, error: { reason: /JSON object/ } });
    t.same(await send({ msg: 'method', id: 12, method: 'core.ping' }), { msg: 'result', id: 12, result: 'pong' }, 'the connection stays sane');
  });
});
