/**
 * JSON-RPC 2.0 over the real WebSocket: every error code, batches, notifications, ids, datetimes,
 * oversized frames, invalid UTF-8, deep nesting. Uses raw frames (the typed client would hide them).
 */
import t from 'tap';
import { startTestDaemon } from '../../helpers/daemon.js';
import { openRaw, type RawSocket } from '../../helpers/raw-ws.js';

type Reply = { jsonrpc: string; id: unknown; result?: unknown; error?: { code: number; message: string; data: { error: number; errname: string; reason: string; extra: unknown; trace: unknown } } };

const call = async (raw: RawSocket, msg: unknown): Promise<Reply> => {
  raw.sendJson(msg);
  return (await raw.next()) as Reply;
};

t.test('JSON-RPC over the Unix socket', async (t) => {
  const d = await startTestDaemon(t, { config: { api: { max_frame_bytes: 65536, max_concurrent_calls: 5 } } });
  const raw = await openRaw({ socketPath: d.socketPath });
  t.teardown(() => raw.close());

  t.test('success, id types and positional params', async (t) => {
    t.same(await call(raw, { jsonrpc: '2.0', id: 1, method: 'core.ping' }), { jsonrpc: '2.0', id: 1, result: 'pong' });
    t.same(await call(raw, { jsonrpc: '2.0', id: 'abc', method: 'test.echo', params: [{ a: [1, 2] }] }), { jsonrpc: '2.0', id: 'abc', result: { a: [1, 2] } });
    t.same(await call(raw, { jsonrpc: '2.0', id: null, method: 'core.ping', params: [] }), { jsonrpc: '2.0', id: null, result: 'pong' });
  });

  t.test('datetimes travel as {"$date": ms}', async (t) => {
    const before = Date.now();
    const r = await call(raw, { jsonrpc: '2.0', id: 2, method: 'test.now' });
    const now = (r.result as { now: { $date: number } }).now;
    t.same(Object.keys(now), ['$date']);
    t.ok(now.$date >= before && now.$date <= Date.now() + 1000);
  });

  t.test('-32700 parse error with id null', async (t) => {
    raw.send('{"jsonrpc": "2.0", "id": 3, "method": ');
    const r = (await raw.next()) as Reply;
    t.equal(r.id, null);
    t.equal(r.error?.code, -32700);
    t.equal(r.error?.data.errname, 'EINVAL');
    t.match(r.error?.data.reason, /Parse error/);
  });

  t.test('invalid UTF-8 is a parse error and the connection stays usable', async (t) => {
    raw.send(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]));
    const r = (await raw.next()) as Reply;
    t.equal(r.error?.code, -32700);
    t.match(r.error?.data.reason, /UTF-8/);
    t.same((await call(raw, { jsonrpc: '2.0', id: 4, method: 'core.ping' })).result, 'pong');
  });

  t.test('binary frames holding JSON are accepted', async (t) => {
    raw.send(Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 5, method: 'core.ping' })), true);
    t.same(((await raw.next()) as Reply).result, 'pong');
  });

  t.test('-32600 invalid requests', async (t) => {
    const cases: [unknown, unknown, RegExp][] = [
      [{ id: 6, method: 'core.ping' }, 6, /jsonrpc/],
      [{ jsonrpc: '1.0', id: 7, method: 'core.ping' }, 7, /jsonrpc/],
      [{ jsonrpc: '2.0', id: 8, method: 42 }, 8, /method/],
      [{ jsonrpc: '2.0', id: 10, method: 'core.ping', params: 'x' }, 10, /params/],
      [{ jsonrpc: '2.0', id: { x: 1 }, method: 'core.ping' }, null, /id/],
      [42, null, /object/],
      ['core.ping', null, /object/],
    ];
    for (const [msg, id, reason] of cases) {
      const r = await call(raw, msg);
      t.equal(r.error?.code, -32600, JSON.stringify(msg));
      t.equal(r.id, id);
      t.match(r.error?.data.reason, reason);
    }
    const empty = await call(raw, []);
    t.equal(empty.error?.code, -32600, 'empty batch');
  });

  t.test('-32601 unknown method, -32601 for a private method is not leaked over TCP only', async (t) => {
    const r = await call(raw, { jsonrpc: '2.0', id: 11, method: 'no.such_method' });
    t.equal(r.error?.code, -32601);
    t.equal(r.error?.message, 'Method does not exist');
    // params as an object is a valid request: unknown method -32601, known method -32602 (positional only).
    const byNameUnknown = await call(raw, { jsonrpc: '2.0', id: 9, method: 'no.such_method', params: { value: 1 } });
    t.equal(byNameUnknown.error?.code, -32601, 'by-name params to an unknown method: -32601');
    const byName = await call(raw, { jsonrpc: '2.0', id: 9, method: 'test.echo', params: { value: 1 } });
    t.equal(byName.error?.code, -32602, 'by-name params to a known method: -32602');
    t.match(byName.error?.data.reason, /positional arguments.*array/);
    // The Unix socket may call private methods.
    t.same((await call(raw, { jsonrpc: '2.0', id: 12, method: 'test.private_ping' })).result, 'pong');
  });

  t.test('-32602 validation errors name the attribute (TrueNAS wording)', async (t) => {
    const unknownField = await call(raw, { jsonrpc: '2.0', id: 13, method: 'test.job', params: [{ steps: 'x', bogus: 1 }] });
    t.equal(unknownField.error?.code, -32602);
    t.equal(unknownField.error?.message, 'Invalid params');
    t.equal(unknownField.error?.data.error, 22);
    t.same(unknownField.error?.data.extra, [
      ['test_job.steps', 'Input should be a valid number', 22],
      ['test_job.bogus', 'Extra inputs are not permitted', 22],
    ]);
    t.equal(unknownField.error?.data.reason, '[EINVAL] test_job.steps: Input should be a valid number\n[EINVAL] test_job.bogus: Extra inputs are not permitted\n');

    const missing = await call(raw, { jsonrpc: '2.0', id: 14, method: 'test.sleep', params: [] });
    t.same(missing.error?.data.extra, [['ms', 'Field required', 22]]);

    const tooMany = await call(raw, { jsonrpc: '2.0', id: 15, method: 'core.ping', params: [1, 2] });
    t.same(tooMany.error?.data.extra, [['', 'Too many arguments (expected 0, found 2)', 22]]);

    const notObject = await call(raw, { jsonrpc: '2.0', id: 16, method: 'test.job', params: ['steps'] });
    t.same(notObject.error?.data.extra, [['test_job', 'Input should be a valid dictionary', 22]]);
  });

  t.test('-32001 call errors carry errno, errname and "[ERRNAME] reason"', async (t) => {
    const r = await call(raw, { jsonrpc: '2.0', id: 17, method: 'test.throw' });
    t.equal(r.error?.code, -32001);
    t.equal(r.error?.message, 'Method call error');
    t.equal(r.error?.data.error, 14);
    t.equal(r.error?.data.errname, 'EFAULT');
    t.equal(r.error?.data.reason, '[EFAULT] boom');
    t.ok(r.error?.data.trace, 'trace for an authenticated (root) caller');
    const abort = await call(raw, { jsonrpc: '2.0', id: 18, method: 'core.job_abort', params: [999999] });
    t.equal(abort.error?.data.errname, 'ENOENT');
    t.equal(abort.error?.data.reason, '[ENOENT] Job 999999 does not exist');
  });

  t.test('-32603 when a result breaks its schema or is not JSON', async (t) => {
    const bad = await call(raw, { jsonrpc: '2.0', id: 19, method: 'test.bad_result' });
    t.equal(bad.error?.code, -32603);
    t.match(bad.error?.data.reason, /does not match its schema/);
    const big = await call(raw, { jsonrpc: '2.0', id: 20, method: 'test.unserialisable' });
    t.equal(big.error?.code, -32603);
    t.match(big.error?.data.reason, /not JSON-serialisable/);
  });

  t.test('notifications get no reply, even when they fail', async (t) => {
    raw.sendJson({ jsonrpc: '2.0', method: 'core.ping' });
    raw.sendJson({ jsonrpc: '2.0', method: 'no.such_method' });
    raw.sendJson({ jsonrpc: '2.0', method: 'test.throw' });
    const r = await call(raw, { jsonrpc: '2.0', id: 21, method: 'core.ping' });
    t.equal(r.id, 21, 'the first reply is the request, not the notifications');
  });

  t.test('batches: one reply array, notifications skipped, errors per member', async (t) => {
    raw.sendJson([
      { jsonrpc: '2.0', id: 'a', method: 'core.ping' },
      { jsonrpc: '2.0', method: 'core.ping' },
      { jsonrpc: '2.0', id: 'b', method: 'no.such_method' },
      7,
      { jsonrpc: '2.0', id: 'c', method: 'test.echo', params: [1] },
    ]);
    const replies = (await raw.next()) as Reply[];
    t.ok(Array.isArray(replies));
    t.equal(replies.length, 4);
    const byId = new Map(replies.map((r) => [r.id, r]));
    t.equal(byId.get('a')?.result, 'pong');
    t.equal(byId.get('b')?.error?.code, -32601);
    t.equal(byId.get('c')?.result, 1);
    t.equal(byId.get(null)?.error?.code, -32600);
    raw.sendJson([{ jsonrpc: '2.0', id: 'only', method: 'core.ping' }]);
    t.same(await raw.next(), [{ jsonrpc: '2.0', id: 'only', result: 'pong' }], 'a batch of one is still an array');
    raw.sendJson([{ jsonrpc: '2.0', method: 'core.ping' }]);
    t.equal((await call(raw, { jsonrpc: '2.0', id: 22, method: 'core.ping' })).id, 22, 'an all-notification batch gets no reply');
  });

  t.test('-32000 beyond max_concurrent_calls per connection', async (t) => {
    for (let i = 0; i < 6; i++) raw.sendJson({ jsonrpc: '2.0', id: `s${i}`, method: 'test.sleep', params: [300] });
    const replies: Reply[] = [];
    for (let i = 0; i < 6; i++) replies.push((await raw.next()) as Reply);
    const refused = replies.filter((r) => r.error?.code === -32000);
    t.equal(refused.length, 1);
    t.equal(refused[0]?.id, 's5');
    t.equal(refused[0]?.error?.message, 'Maximum number of concurrent calls (5) has exceeded');
    t.equal(replies.filter((r) => r.result === null).length, 5);
  });

  t.test('deep nesting is refused before parsing', async (t) => {
    const deep = `{"jsonrpc":"2.0","id":23,"method":"test.echo","params":[${'['.repeat(5000)}${']'.repeat(5000)}]}`;
    raw.send(deep);
    const r = (await raw.next()) as Reply;
    t.equal(r.error?.code, -32600);
    t.match(r.error?.data.reason, /nested deeper than 64/);
    const ok = await call(raw, { jsonrpc: '2.0', id: 24, method: 'test.echo', params: [[[[['x']]]]] });
    t.same(ok.result, [[[['x']]]]);
  });

  t.test('an oversized frame closes that connection with 1009 and a reason; others carry on', async (t) => {
    const big = await openRaw({ socketPath: d.socketPath });
    big.send(JSON.stringify({ jsonrpc: '2.0', id: 25, method: 'test.echo', params: ['x'.repeat(70_000)] }));
    const closed = await big.closed;
    t.equal(closed.code, 1009);
    t.match(closed.reason, /65536 bytes \(api\.max_frame_bytes\)/);
    t.same((await call(raw, { jsonrpc: '2.0', id: 26, method: 'core.ping' })).result, 'pong');
    const fresh = await d.root();
    t.equal(await fresh.call('core.ping'), 'pong');
  });
});
