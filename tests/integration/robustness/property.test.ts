/**
 * Hostile input at scale (issue 20): a property-based test against a running daemon. For every
 * method `core.get_methods` lists, fast-check generates params from the method's JSON Schema
 * (tests/helpers/schema-arbitrary.ts) plus mutations: wrong types, huge strings and lists, deep
 * nesting, awkward unicode (lone surrogates, NUL, bidi overrides), nulls, unknown and prototype
 * fields, out-of-range numbers, Infinity, wrong arity, params that are not a list. Calls are
 * pipelined over several WebSockets (admin connections logged in with the admin password, and one
 * anonymous connection), more than 20,000 of them, in three runs:
 * 1. refused: only calls every method must refuse; the datastore file must be byte-identical
 *    afterwards (it is read after the start-up jobs ended, before the first call);
 * 2. warm-up: plausible, hostile and refused calls; then the daemon's memory is read;
 * 3. mixed: the same kinds of calls, in chunks; then the memory is read again.
 * Properties, for every reply: it is a result, or an error whose `data` carries a TrueNAS errno
 * and its name; never -32603, never an unexpected exception (a -32001 whose trace is not a
 * CallError, or a "method failed unexpectedly" log line); a refused call never succeeds, and on an
 * admin connection it is refused by validation (-32602, or -32600 for the envelope), before any
 * handler. At the end the daemon still answers and stops cleanly, and after a full garbage
 * collection its RSS grew by less than {@link RSS_BOUND_MIB} MiB since the warm-up (its JS heap by
 * less than {@link HEAP_BOUND_MIB} MiB). The figures (calls, errors by code, memory, time) are
 * printed with t.comment. The seed is fixed (FUZZ_SEED overrides it, to explore) so a run is
 * repeatable; a failing call is printed with its params.
 *
 * Nothing a successful call does can reach outside the test (see {@link NEUTRALISED}): the daemon
 * has its own data folder and config, no ZFS binary (every ZFS command fails with ENOENT, so no
 * dataset or snapshot of the shared zfs-fuse is touched), an exports file in the temp folder and
 * no exportfs, and every host name, URL and port a call could carry points at a closed port on
 * 127.0.0.1. The `test.*` methods are not registered (they exist to fail on purpose).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import t from 'tap';
import WebSocket from 'ws';
import { hashPassword } from '../../../daemon/auth/password.js';
import { Errno, errnoName } from '../../../daemon/errors.js';
import { freePort, startTestDaemon } from '../../helpers/daemon.js';
import { MAX_NESTING, mixedArbitrary, refusedArbitrary, type FuzzParams, type FuzzSchema, type Neutralise } from '../../helpers/schema-arbitrary.js';
import { RpcPipeline, type PipelineReply } from '../../helpers/rpc-pipeline.js';
import { waitFor } from '../../helpers/wait.js';

/** Calls of each run (spread evenly over the methods); the mixed run is generated in chunks of CHUNK calls. */
const REFUSED_CALLS = 10_000;
const WARMUP_CALLS = 3_000;
const MIXED_CALLS = 7_500;
const CHUNK = 2_500;
/** Admin connections, and calls in flight on each connection (below `api.max_concurrent_calls`, 20). */
const ADMIN_CONNECTIONS = 3;
const DEPTH = 12;
/** Every ANONYMOUS_EVERY-th call (and every call of {@link CONNECTION_STATE}) goes to the anonymous connection. */
const ANONYMOUS_EVERY = 7;
/** Allowed growth from the end of the warm-up to the end (both after a full GC), MiB: RSS, and the JS heap. */
const RSS_BOUND_MIB = 64;
const HEAP_BOUND_MIB = 32;
const SEED = Number(process.env.FUZZ_SEED ?? 20_261_205);

/**
 * Methods whose successful calls would change the connection they run on (log it out, log it in
 * as someone else, change its options): sent on the anonymous connection only, so the admin
 * connections stay logged in as admin.
 */
const CONNECTION_STATE = new Set(['auth.login', 'auth.login_ex', 'auth.login_with_api_key', 'auth.logout', 'core.set_options']);

/**
 * How each method whose success could reach outside the test is kept inside it. No method is
 * excluded: each is called with plausible, hostile and refused params.
 */
const NEUTRALISED: Readonly<Record<string, string>> = {
  'vmware.create / update / test / get_datastores / match_datastores_with_datasets': 'hostname → 127.0.0.1, port → a closed port (login fails at once, no DNS)',
  'vmware.get_virtual_machines / inventory / plan / protection_status / restore / restore_cleanup / sweep / dataset_has_vms': 'need a vmware entry, which cannot be created (no vCenter, no ZFS)',
  'alertservice.create / update / test': 'url → http://127.0.0.1:<closed port>; Mail goes through mail.config',
  'mail.update': 'outgoingserver → 127.0.0.1, port → a closed port',
  'pool.* (snapshot.create/delete, snapshottask.run …)': 'zfs.zfs_path / zpool_path name no binary: every ZFS command fails with ENOENT',
  'sharing.nfs.*': 'nfs.exports_path in the temp folder, nfs.exportfs_path names no binary',
  'auth.login*, auth.logout, core.set_options': 'anonymous connection only (they change the connection they run on)',
  'test.*': 'not registered (testMethods: false): they exist to fail on purpose',
};

interface MethodInfo {
  accepts: FuzzSchema[];
}

interface Item {
  readonly method: string;
  readonly call: FuzzParams;
}

interface Outcome extends Item {
  readonly admin: boolean;
  readonly reply?: PipelineReply;
  readonly failure?: string;
}

const ERRNOS = new Set<number>(Object.values(Errno));

/** Why a reply breaks the properties, or null. */
function problem(o: Outcome): string | null {
  if (o.failure) return o.failure;
  const r = o.reply!;
  if (!r.error) return o.call.refused ? 'a call that breaks the schema succeeded' : null;
  const { code, data } = r.error;
  if (code === -32603) return `internal error -32603: ${String(data?.reason)}`;
  if (![-32600, -32602, -32001].includes(code)) return `unexpected code ${code}: ${r.error.message}`;
  if (typeof data?.error !== 'number' || !ERRNOS.has(data.error)) return `error without a TrueNAS errno: ${JSON.stringify(data)}`;
  if (data.errname !== errnoName(data.error)) return `errname ${String(data.errname)} for errno ${data.error}`;
  if (code === -32001 && data.trace && data.trace.class !== 'CallError') return `unexpected exception ${String(data.trace.class)}: ${String(data.reason)}`;
  if (o.call.refused && o.admin && code === -32001) return `refused by the handler, not by validation: ${String(data.reason)}`;
  return null;
}

/** Points every host name, URL and port in generated params at a closed port on loopback. */
function neutraliser(closedPort: number): Neutralise {
  const fix = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(fix);
    if (typeof v !== 'object' || v === null) return v;
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if ((k === 'hostname' || k === 'outgoingserver') && typeof x === 'string' && x.length <= 253) out[k] = '127.0.0.1';
      else if (k === 'url' && typeof x === 'string' && x.length <= 2048) out[k] = `http://127.0.0.1:${closedPort}/fuzz`;
      else if (k === 'port' && typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 65535) out[k] = closedPort;
      else out[k] = fix(x);
    }
    return out;
  };
  return fix;
}

/**
 * Collects the lines of the daemon's output that match `pattern`, reading the output every 100 ms
 * (the test daemon keeps only the last megabytes of it, and 20,000 calls log more than that).
 */
function watchLog(output: () => string, pattern: RegExp): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  let tail = '';
  let partial = '';
  const read = () => {
    const text = output();
    const at = tail === '' ? -1 : text.lastIndexOf(tail);
    const fresh = partial + (at < 0 ? text : text.slice(at + tail.length));
    tail = text.slice(-256);
    const complete = fresh.split('\n');
    partial = complete.pop() ?? '';
    for (const line of complete) if (pattern.test(line)) lines.push(line);
  };
  const timer = setInterval(read, 100);
  return {
    lines,
    stop() {
      clearInterval(timer);
      read();
    },
  };
}

/** The daemon's resident set size, bytes (`VmRSS` of /proc/<pid>/status). */
function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(m[1]) * 1024;
}

/**
 * Runs a full garbage collection in the daemon through its inspector (Chrome DevTools Protocol
 * `HeapProfiler.collectGarbage`; the daemon runs with `--inspect=127.0.0.1:0`, which prints the
 * inspector's URL `url` on stderr), then reads its RSS and JS heap use (`Runtime.getHeapUsage`), bytes.
 */
async function memoryAfterGc(pid: number, url: string): Promise<{ rss: number; heap: number }> {
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => ws.once('open', resolve).once('error', reject));
  let id = 0;
  const send = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      const mine = ++id;
      const onMessage = (data: Buffer) => {
        const m = JSON.parse(data.toString()) as { id?: number; result?: Record<string, unknown> };
        if (m.id !== mine) return;
        ws.off('message', onMessage);
        resolve(m.result ?? {});
      };
      ws.on('message', onMessage);
      ws.send(JSON.stringify({ id: mine, method }));
    });
  try {
    await send('HeapProfiler.collectGarbage');
    const { usedSize } = (await send('Runtime.getHeapUsage')) as { usedSize: number };
    return { rss: rssBytes(pid), heap: usedSize };
  } finally {
    ws.close();
  }
}

// A load test: about 45 s on the idle 2-core machine, 120 s with coverage under other tests' load;
// the file gets more than .taprc's 180 s so a loaded CI machine does not cut it short.
t.setTimeout(360_000);

t.test('every method, 20,000+ generated calls: clear answers, no change on refusal, bounded memory', async (t) => {
  const started = performance.now();
  const work = mkdtempSync(join(tmpdir(), 'vsnapd-fuzz-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const password = 'fuzz-admin-password';
  const closedPort = await freePort();
  const d = await startTestDaemon(t, {
    testMethods: false,
    env: { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --inspect=127.0.0.1:0` },
    config: {
      auth: { admin: { username: 'admin', password_hash: await hashPassword(password) } },
      audit: { max_entries: 1_000 },
      jobs: { max_finished: 100 },
      zfs: { zfs_path: join(work, 'no-zfs', 'zfs'), zpool_path: join(work, 'no-zfs', 'zpool') },
      nfs: { exports_path: join(work, 'exports.d', 'vsnapd.exports'), exportfs_path: join(work, 'no-nfs-server', 'exportfs') },
      alertservice: { timeout_seconds: 2, retries: 0 },
    },
  });
  // Read now: the daemon's captured output keeps only its last part.
  const inspector = /Debugger listening on (ws:\/\/\S+)/.exec(d.output())?.[1];
  if (!inspector) throw new Error(`the daemon has no inspector:\n${d.output()}`);
  const root = await d.root();
  await waitFor('the start-up jobs to end', async () => (await root.call<{ state: string }[]>('core.get_jobs')).every((j) => !['WAITING', 'RUNNING'].includes(j.state)) || null, 30_000);
  const methods = await root.call<Record<string, MethodInfo>>('core.get_methods');
  const names = Object.keys(methods).sort();
  t.ok(names.length > 60, `core.get_methods lists ${names.length} methods`);
  t.notOk(names.some((n) => n.startsWith('test.')), 'the test.* methods are not registered');

  const admins: RpcPipeline[] = [];
  for (let i = 0; i < ADMIN_CONNECTIONS; i++) {
    const p = await RpcPipeline.open(d.url, MAX_NESTING);
    const login = await p.call('auth.login_ex', JSON.stringify([{ mechanism: 'PASSWORD_PLAIN', username: 'admin', password }]));
    t.match(login.result, { response_type: 'SUCCESS' }, `admin connection ${i + 1} logged in`);
    admins.push(p);
  }
  const anonymous = await RpcPipeline.open(d.url, MAX_NESTING);
  t.teardown(() => [...admins, anonymous].forEach((p) => p.close()));

  const unexpected = watchLog(d.output, /method failed unexpectedly|unhandled promise rejection|uncaught exception/i);
  t.teardown(() => unexpected.stop());
  const fix = neutraliser(closedPort);
  const codes = new Map<string, number>();
  const problems: string[] = [];
  let calls = 0;

  /** Sends `total` calls drawn from `arb`, spread evenly over the methods, `DEPTH` in flight per connection. */
  async function run(phase: string, total: number, arb: (accepts: FuzzSchema[]) => fc.Arbitrary<FuzzParams>, seed: number): Promise<void> {
    const perMethod = Math.ceil(total / names.length);
    const t0 = performance.now();
    const samples = names.map((method, i) => fc.sample(arb(methods[method]!.accepts), { numRuns: perMethod, seed: seed + i }));
    const t1 = performance.now();
    // Interleaved (one call of each method in turn), so calls of different methods run side by side.
    const queues: { admin: Item[]; anonymous: Item[] } = { admin: [], anonymous: [] };
    let n = 0;
    for (let k = 0; k < perMethod; k++) {
      names.forEach((method, i) => {
        const item = { method, call: samples[i]![k]! };
        (CONNECTION_STATE.has(method) || n++ % ANONYMOUS_EVERY === 0 ? queues.anonymous : queues.admin).push(item);
      });
    }
    const worker = async (p: RpcPipeline, admin: boolean, queue: Item[]) => {
      for (let item = queue.shift(); item; item = queue.shift()) {
        const o: Outcome = await p.call(item.method, item.call.paramsText).then(
          (reply) => ({ ...item, admin, reply }),
          (err: Error) => ({ ...item, admin, failure: err.message }),
        );
        calls++;
        const key = o.failure ? 'no reply' : o.reply!.error ? `${o.reply!.error.code} ${String(o.reply!.error.data?.errname)}` : 'result';
        codes.set(key, (codes.get(key) ?? 0) + 1);
        const why = problem(o);
        if (why && problems.length < 50) problems.push(`[${phase}${admin ? '' : ', anonymous'}] ${item.method} (${item.call.label}) ${item.call.paramsText.slice(0, 300)}: ${why}`);
      }
    };
    const before = calls;
    await Promise.all([
      ...admins.flatMap((p) => Array.from({ length: DEPTH }, () => worker(p, true, queues.admin))),
      ...Array.from({ length: DEPTH }, () => worker(anonymous, false, queues.anonymous)),
    ]);
    t.equal(calls - before, perMethod * names.length, `${phase}: ${calls - before} calls made (generated in ${Math.round(t1 - t0)} ms, answered in ${Math.round(performance.now() - t1)} ms)`);
  }

  const dbFile = join(d.dataDir, 'vsnapd.db.json');
  const dbBefore = readFileSync(dbFile);
  await run('refused', REFUSED_CALLS, (a) => refusedArbitrary(a, fix), SEED);
  t.ok(readFileSync(dbFile).equals(dbBefore), `the datastore file is byte-identical after ${REFUSED_CALLS}+ refused calls`);
  // Memory is read after a full garbage collection (through the daemon's inspector), so what is
  // compared is what the daemon keeps, not how much garbage it had not collected yet.
  await run('warm-up', WARMUP_CALLS, (a) => mixedArbitrary(a, fix), SEED + 1_000);
  const warm = await memoryAfterGc(d.pid, inspector);
  for (let i = 0; i < MIXED_CALLS / CHUNK; i++) await run('mixed', CHUNK, (a) => mixedArbitrary(a, fix), SEED + 2_000 + 100 * i);
  const end = await memoryAfterGc(d.pid, inspector);

  unexpected.stop();
  t.comment(`seed ${SEED}: ${calls} calls to ${names.length} methods in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  t.comment(`replies: ${[...codes].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}: ${n}`).join(', ')}`);
  const mib = (bytes: number) => `${(bytes / 1048576).toFixed(1)} MiB`;
  const delta = (bytes: number) => `${bytes >= 0 ? '+' : ''}${mib(bytes)}`;
  t.comment(`after a full GC: after the warm-up RSS ${mib(warm.rss)}, JS heap ${mib(warm.heap)}; at the end RSS ${mib(end.rss)} (${delta(end.rss - warm.rss)}), JS heap ${mib(end.heap)} (${delta(end.heap - warm.heap)})`);
  t.comment(`internal errors: ${problems.length + unexpected.lines.length === 0 ? 'none' : [...problems, ...unexpected.lines.map((l) => l.slice(0, 500))].join('\n')}`);
  for (const [what, how] of Object.entries(NEUTRALISED)) t.comment(`neutralised: ${what}: ${how}`);

  t.ok(calls >= 20_000, `${calls} calls made`);
  t.same(problems, [], 'every reply is a result or a clear error with a TrueNAS errno; refused calls are refused by validation');
  t.same(unexpected.lines, [], 'no unexpected failure in the daemon log');
  t.ok(end.rss - warm.rss < RSS_BOUND_MIB * 1048576, `RSS grew by less than ${RSS_BOUND_MIB} MiB after the warm-up`);
  t.ok(end.heap - warm.heap < HEAP_BOUND_MIB * 1048576, `the JS heap grew by less than ${HEAP_BOUND_MIB} MiB after the warm-up`);
  const check = await RpcPipeline.open(d.url, MAX_NESTING);
  t.same((await check.call('core.ping', '[]')).result, 'pong', 'the daemon still answers');
  check.close();
  t.equal(await d.stop(), 0, 'the daemon stops cleanly');
});
