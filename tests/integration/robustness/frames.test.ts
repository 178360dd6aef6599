/**
 * Hostile frames over TCP (api.max_frame_bytes 65536 here), each on its own connection while a
 * logged-in "bystander" connection keeps a subscription and a running job:
 * - a message over the limit (one frame, fragments adding up, a header that merely announces 2^62
 *   bytes) closes that connection with 1009 and a reason naming the limit; a message of exactly the
 *   limit is served;
 * - invalid UTF-8 (stray bytes, overlong forms, encoded surrogates, a truncated sequence), in text or
 *   binary frames, gets -32700 with id null and the connection stays usable;
 * - protocol violations (RSV1 without deflate, an unmasked client frame) close the connection,
 *   oversized HTTP headers are refused before the upgrade;
 * - a client that sends but never reads is cut off (1008) instead of growing the daemon's memory;
 * and after each: the daemon answers, the bystander's calls, events and job are unaffected.
 */
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import t, { type Test } from 'tap';
import WebSocket from 'ws';
import type { Client, CollectionUpdate } from '../../../client/index.js';
import { startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';

const LIMIT = 65_536;

interface Reply {
  id: unknown;
  result?: unknown;
  error?: { code: number; data?: { reason: string } };
}

/** A raw TCP socket that has completed the WebSocket handshake (for frames ws would not send). */
async function handshake(port: number, extraHeaders = ''): Promise<{ socket: Socket; response: string }> {
  const socket = connect(port, '127.0.0.1');
  socket.on('error', () => undefined);
  await new Promise<void>((r) => socket.once('connect', () => r()));
  const key = randomBytes(16).toString('base64');
  socket.write(
    `GET /api/current HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
      `Sec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n${extraHeaders}\r\n`,
  );
  const response = await new Promise<string>((resolve) => {
    let buf = '';
    const onData = (d: Buffer) => {
      buf += d.toString('latin1');
      if (buf.includes('\r\n\r\n')) {
        socket.off('data', onData);
        resolve(buf);
      }
    };
    socket.on('data', onData);
    socket.once('close', () => resolve(buf));
  });
  return { socket, response };
}

/** A client frame header (FIN set, masked with a zero mask) announcing `length` bytes. */
function frameHeader(opcode: number, length: bigint, opts: { rsv1?: boolean; masked?: boolean } = {}): Buffer {
  const b0 = 0x80 | (opts.rsv1 ? 0x40 : 0) | opcode;
  const mask = opts.masked === false ? 0 : 0x80;
  let head: Buffer;
  if (length < 126n) head = Buffer.from([b0, mask | Number(length)]);
  else if (length < 65536n) head = Buffer.from([b0, mask | 126, Number(length >> 8n), Number(length & 0xffn)]);
  else {
    head = Buffer.alloc(10);
    head[0] = b0;
    head[1] = mask | 127;
    head.writeBigUInt64BE(length, 2);
  }
  return opts.masked === false ? head : Buffer.concat([head, Buffer.alloc(4)]); // zero mask: payload is sent as is
}

/**
 * Resolves with the code of the first close frame the server sends (1006 when the socket just
 * ends), parsing the raw byte stream frame by frame (server frames are unmasked).
 */
function closeCode(socket: Socket): Promise<number> {
  return new Promise((resolve) => {
    let buf: Buffer = Buffer.alloc(0);
    socket.on('data', (d: Buffer) => {
      buf = buf.length === 0 ? d : Buffer.concat([buf, d]);
      for (;;) {
        if (buf.length < 2) return;
        const op = buf[0]! & 0x0f;
        let len = buf[1]! & 0x7f;
        let off = 2;
        if (len === 126) {
          if (buf.length < 4) return;
          len = buf.readUInt16BE(2);
          off = 4;
        } else if (len === 127) {
          if (buf.length < 10) return;
          len = Number(buf.readBigUInt64BE(2));
          off = 10;
        }
        if (buf.length < off + len) return;
        if (op === 8) return resolve(len >= 2 ? buf.readUInt16BE(off) : 1005);
        buf = buf.subarray(off + len);
      }
    });
    socket.once('close', () => resolve(1006));
  });
}

t.test('hostile frames over TCP', async (t) => {
  const d = await startTestDaemon(t, { config: { api: { max_frame_bytes: LIMIT } } });
  const key = await d.apiKey('frames');
  // The bystander: logged in over TCP, subscribed to jobs, with a job running throughout.
  const bystander: Client = await d.tcp({ apiKey: key });
  const jobEvents: CollectionUpdate[] = [];
  await bystander.subscribe('core.get_jobs', (u) => jobEvents.push(u));
  const jobId = await bystander.call<number>('test.job', { steps: 40, step_ms: 100 });
  const bystanderOk = async (t: Test, what: string) => {
    const before = jobEvents.length;
    t.equal(await bystander.call('core.ping'), 'pong', `${what}: the bystander's calls work`);
    t.match(await bystander.call('auth.me'), { pw_name: 'root' }, `${what}: the bystander is still logged in`);
    t.equal(await (await d.root()).call('core.ping'), 'pong', `${what}: a new connection works`);
    return before;
  };

  t.test('a message over the limit closes only its connection, with 1009 and a reason', async (t) => {
    for (const [label, ws] of [
      ['anonymous', await openRaw({ url: d.url })],
      ['logged in', await openRaw({ url: d.url })],
    ] as const) {
      if (label === 'logged in') {
        ws.sendJson({ jsonrpc: '2.0', id: 1, method: 'auth.login_with_api_key', params: [key] });
        t.same(((await ws.next()) as Reply).result, true);
      }
      ws.send(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'test.echo', params: ['x'.repeat(LIMIT)] }));
      const closed = await ws.closed;
      t.equal(closed.code, 1009, `${label}: 1009`);
      t.match(closed.reason, /65536 bytes \(api\.max_frame_bytes\)/, `${label}: the reason names the limit`);
    }
    await bystanderOk(t, 'one frame');

    // Fragments that add up to more than the limit (each one small).
    const frag = new WebSocket(d.url, { perMessageDeflate: false });
    await new Promise((r) => frag.once('open', r));
    const fragClosed = new Promise<[number, string]>((r) => frag.once('close', (c, reason) => r([c, reason.toString()])));
    for (let i = 0; i < 20; i++) frag.send('y'.repeat(8192), { fin: false });
    frag.send('z', { fin: true });
    const [code, reason] = await fragClosed;
    t.equal(code, 1009, 'fragments: 1009');
    t.match(reason, /api\.max_frame_bytes/);

    // A header that announces 2^62 bytes: refused from the header alone, nothing is buffered.
    const { socket, response } = await handshake(d.port);
    t.match(response, /^HTTP\/1\.1 101/);
    const c = closeCode(socket);
    socket.write(frameHeader(1, 2n ** 62n));
    t.equal(await c, 1009, 'announced 2^62 bytes: 1009');
    socket.destroy();
    await bystanderOk(t, 'fragments and huge header');
  });

  t.test('a message of exactly the limit is served', async (t) => {
    const ws = await openRaw({ url: d.url });
    t.teardown(() => ws.close());
    const envelope = JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'core.ping', params: [] });
    const padded = envelope.slice(0, -1) + ' '.repeat(LIMIT - Buffer.byteLength(envelope)) + '}';
    t.equal(Buffer.byteLength(padded), LIMIT);
    ws.send(padded);
    t.same(await ws.next(), { jsonrpc: '2.0', id: 3, result: 'pong' });
  });

  t.test('invalid UTF-8 is a parse error with id null; the connection stays usable', async (t) => {
    const ws = await openRaw({ url: d.url });
    t.teardown(() => ws.close());
    const ping = '{"jsonrpc":"2.0","id":1,"method":"core.ping","params":["';
    const cases: [string, Buffer][] = [
      ['a stray 0xff', Buffer.from([0xff])],
      ['an overlong "/" (0xc0 0xaf)', Buffer.from([0xc0, 0xaf])],
      ['an encoded surrogate (0xed 0xa0 0x80)', Buffer.from([0xed, 0xa0, 0x80])],
      ['a code point above U+10FFFF (0xf4 0x90 0x80 0x80)', Buffer.from([0xf4, 0x90, 0x80, 0x80])],
      ['a truncated sequence (0xe2 0x82)', Buffer.from([0xe2, 0x82])],
    ];
    for (const [label, bytes] of cases) {
      for (const binary of [false, true]) {
        ws.send(Buffer.concat([Buffer.from(ping), bytes, Buffer.from('"]}')]), binary);
        const r = (await ws.next()) as Reply;
        t.equal(r.error?.code, -32700, `${label} (${binary ? 'binary' : 'text'}): -32700`);
        t.equal(r.id, null);
        t.match(r.error?.data?.reason, /UTF-8/);
      }
    }
    ws.sendJson({ jsonrpc: '2.0', id: 9, method: 'core.ping' });
    t.same(((await ws.next()) as Reply).result, 'pong', 'the connection still answers');
    ws.sendJson({ jsonrpc: '2.0', id: 11, method: 'auth.login_with_api_key', params: [key] });
    t.same(((await ws.next()) as Reply).result, true);
    ws.send(Buffer.from('{"jsonrpc":"2.0","id":10,"method":"test.echo","params":["\u00e9\u{1f600}"]}'));
    t.same(((await ws.next()) as Reply).result, '\u00e9\u{1f600}', 'valid multi-byte UTF-8 is fine');
    await bystanderOk(t, 'invalid UTF-8');
  });

  t.test('protocol violations and oversized HTTP headers', async (t) => {
    const rsv = await handshake(d.port);
    const rsvClosed = closeCode(rsv.socket);
    rsv.socket.write(Buffer.concat([frameHeader(1, 2n, { rsv1: true }), Buffer.from('{}')]));
    t.equal(await rsvClosed, 1002, 'RSV1 without permessage-deflate: 1002');
    rsv.socket.destroy();

    const unmasked = await handshake(d.port);
    const unmaskedClosed = closeCode(unmasked.socket);
    unmasked.socket.write(Buffer.concat([frameHeader(1, 2n, { masked: false }), Buffer.from('{}')]));
    t.equal(await unmaskedClosed, 1002, 'an unmasked client frame: 1002');
    unmasked.socket.destroy();

    const big = await handshake(d.port, `X-Filler: ${'a'.repeat(64 * 1024)}\r\n`);
    t.match(big.response, /^HTTP\/1\.1 4\d\d/, 'a 64 KiB header is refused before the upgrade');
    big.socket.destroy();
    await bystanderOk(t, 'protocol violations');
  });

  t.test('a client that never reads its replies is cut off', async (t) => {
    const { socket } = await handshake(d.port);
    socket.pause(); // read nothing: the daemon's replies pile up
    // Each reply echoes a 60 KB id. Send more than the kernel's socket buffers (both ends, at their
    // largest) and the daemon's allowance (4 × max_frame_bytes queued) can hold, so it must give up.
    const request = Buffer.from(JSON.stringify({ jsonrpc: '2.0', id: 'i'.repeat(60_000), method: 'core.ping' }));
    const frame = Buffer.concat([frameHeader(1, BigInt(request.length)), request]);
    const kernelMax = (f: string) => {
      try {
        return Number(readFileSync(f, 'utf8').trim().split(/\s+/)[2]) || 8 << 20;
      } catch {
        return 8 << 20;
      }
    };
    const bytes = kernelMax('/proc/sys/net/ipv4/tcp_rmem') + kernelMax('/proc/sys/net/ipv4/tcp_wmem') + 4 * LIMIT;
    const count = Math.max(400, Math.ceil((2 * bytes) / request.length));
    for (let i = 0; i < count; i++) {
      if (!socket.write(frame)) await new Promise((r) => socket.once('drain', r));
    }
    const code = closeCode(socket);
    socket.resume();
    t.equal(await code, 1008, 'closed with 1008 (policy violation)');
    socket.destroy();
    await bystanderOk(t, 'slow reader');
  });

  t.equal((await bystander.call<{ state: string }[]>('core.get_jobs', [['id', '=', jobId]]))[0]?.state !== 'FAILED', true, 'the bystander job did not fail');
  await bystander.call('core.job_wait', jobId);
  t.ok(jobEvents.some((e) => e.id === jobId && (e.fields as { state?: string } | undefined)?.state === 'SUCCESS'), 'the bystander saw its job finish');
});
