/**
 * "No input crashes the daemon or corrupts the datastore" (issue 6, Bad input), for EVERY method
 * `core.get_methods` lists: each is called over the root Unix socket with the malformed params of
 * tests/helpers/malformed-params.ts (wrong types at every level, unknown fields, null, 1 MiB strings,
 * 10 000-item lists, deep nesting, out-of-range and non-integer numbers, NUL / control characters /
 * lone UTF-16 surrogates, Infinity, too many arguments) plus envelope abuse (params not a list,
 * nesting beyond api.max_nesting). For each call:
 * - schema-invalid params get -32602 with a validation error naming the field (never -32603, a
 *   -32001 from an unexpected exception, a dropped connection or no reply);
 * - schema-valid oddities get a result or a clear error (-32602 / -32001 CallError);
 * - a rejected call leaves the datastore file byte-for-byte unchanged and starts no job;
 * - after each method the daemon still answers core.ping and the datastore file still parses;
 * `~` filters built to backtrack catastrophically are answered at once (RE2 matching); at the end
 * the daemon's log has no unexpected-failure line and a second daemon opens a copy of the datastore
 * (including whatever odd strings valid calls stored).
 *
 * No method is skipped: a malformed call is rejected before its handler, and the schema-valid
 * oddities name nothing that exists (ids 0, -1, 999999; names that are not valid ZFS/vSphere
 * names; vCenter calls go to a closed port on 127.0.0.1), so none can destroy anything.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import t from 'tap';
import { freePort, startTestDaemon } from '../../helpers/daemon.js';
import { malformedCases, nested, type MalformedCase, type SchemaNode } from '../../helpers/malformed-params.js';
import { openRaw, type RawSocket } from '../../helpers/raw-ws.js';

interface Reply {
  id: unknown;
  result?: unknown;
  error?: { code: number; message: string; data?: { error: number; errname: string; reason: string; extra: unknown; trace: { class: string } | null } };
}

/** Calls one method with raw params text and waits for the reply to that id. */
async function send(raw: RawSocket, id: number, method: string, paramsText: string): Promise<Reply> {
  raw.send(`{"jsonrpc":"2.0","id":${id},"method":${JSON.stringify(method)},"params":${paramsText}}`);
  for (;;) {
    const r = (await raw.next(30_000)) as Reply;
    if (r.id === id) return r;
  }
}

/** Why a reply is wrong for a case, or null when it is right. */
function problem(c: MalformedCase, r: Reply): string | null {
  const e = r.error;
  if (!e) return c.expect === 'invalid' ? 'succeeded although the params break the schema' : null;
  if (e.code === -32603) return `internal error -32603: ${e.data?.reason}`;
  if (e.code === -32001 && e.data?.trace?.class !== 'CallError') return `unexpected exception (${e.data?.trace?.class}): ${e.data?.reason}`;
  if (![-32602, -32001].includes(e.code)) return `code ${e.code}: ${e.data?.reason}`;
  if (c.expect === 'odd') return null;
  if (e.code !== -32602) return `code ${e.code} instead of -32602: ${e.data?.reason}`;
  const attrs = (Array.isArray(e.data?.extra) ? e.data.extra : []).map((x: unknown) => String((x as unknown[])[0] ?? ''));
  const want = c.attribute ?? '';
  if (!attrs.some((a) => a === want || a.startsWith(`${want}.`))) return `no validation error on ${JSON.stringify(want)} (got ${JSON.stringify(attrs)})`;
  return null;
}

t.test('every method survives malformed params', async (t) => {
  const work = mkdtempSync(join(tmpdir(), 'vsnapd-robust-'));
  t.teardown(() => rmSync(work, { recursive: true, force: true }));
  const closedPort = await freePort();
  const d = await startTestDaemon(t, {
    config: {
      // Keep the NFS plugin's files in the temp folder (no exportfs there, so nothing is reloaded).
      nfs: { exports_path: join(work, 'exports.d', 'vsnapd.exports'), exportfs_path: join(work, 'no-nfs-server', 'exportfs') },
    },
  });
  const root = await d.root();
  const dbFile = join(d.dataDir, 'vsnapd.db.json');
  const db = () => readFileSync(dbFile, 'utf8');
  // Let start-up work (the vmware.sweep job) finish so the datastore is quiet.
  for (let i = 0; i < 200; i++) {
    const jobs = await root.call<{ state: string }[]>('core.get_jobs');
    if (jobs.every((j) => !['WAITING', 'RUNNING'].includes(j.state))) break;
    await sleep(50);
  }

  const methods = await root.call<Record<string, { accepts: SchemaNode[]; job: boolean }>>('core.get_methods');
  t.ok(Object.keys(methods).length > 40, 'core.get_methods lists the API');
  // vCenter credentials point at a closed local port: a schema-valid call fails fast with a clear error.
  const vc = { hostname: '127.0.0.1', port: closedPort, username: 'u', password: 'p' };
  const examples: Record<string, unknown[]> = {
    'vmware.create': [{ ...vc, filesystem: 'nopool/vmware' }],
    'vmware.update': [999_999, {}],
    'vmware.test': [vc],
    'vmware.get_datastores': [vc],
    'vmware.match_datastores_with_datasets': [vc],
  };

  const raw = await openRaw({ socketPath: d.socketPath });
  t.teardown(() => raw.close());
  let id = 0;
  let total = 0;
  for (const [name, info] of Object.entries(methods)) {
    const problems: string[] = [];
    const jobsBefore = (await root.call<unknown[]>('core.get_jobs')).length;
    let jobsStarted = 0;
    for (const c of malformedCases(info.accepts, examples[name])) {
      total++;
      const before = db();
      const r = await send(raw, ++id, name, c.raw ?? JSON.stringify(c.params));
      const why = problem(c, r);
      if (why) problems.push(`${c.label}: ${why}`);
      if (r.error && db() !== before) problems.push(`${c.label}: rejected, yet the datastore file changed`);
      if (!r.error && info.job) jobsStarted++;
    }
    // Envelope abuse: params that are not a list, nesting beyond api.max_nesting (64).
    const notList = await send(raw, ++id, name, '{"value": 1}');
    if (notList.error?.code !== -32602) problems.push(`params as an object: ${JSON.stringify(notList.error ?? notList.result)}`);
    raw.send(`{"jsonrpc":"2.0","id":${++id},"method":${JSON.stringify(name)},"params":[${JSON.stringify(nested('array', 100))}]}`);
    const deep = (await raw.next(30_000)) as Reply;
    if (deep.error?.code !== -32600 || deep.id !== null) problems.push(`nesting 100 deep: ${JSON.stringify(deep)}`);

    t.same(problems, [], `${name}: every malformed call answered correctly`);
    t.equal(await root.call('core.ping'), 'pong', `${name}: the daemon is alive`);
    t.doesNotThrow(() => JSON.parse(db()), `${name}: the datastore file parses`);
    if (info.job) {
      const jobsAfter = (await root.call<unknown[]>('core.get_jobs')).length;
      t.equal(jobsAfter - jobsBefore, jobsStarted, `${name}: only accepted calls started jobs`);
    }
  }
  t.ok(total > 1000, `${total} malformed calls sent`);

  const log = d.output();
  t.notMatch(log, /method failed unexpectedly|unhandled promise rejection|uncaught exception/, 'no unexpected failure in the log');

  // Regular expressions chosen to backtrack catastrophically, against values the caller controls:
  // every `~` filter must be answered promptly (the daemon has one thread).
  await root.call('api_key.create', { name: `${'a'.repeat(60)}!` });
  for (const pattern of ['(a+)+$', '(?i)(A|a)*$', '(.*.*.*.*.*.*.*.*.*.*)*X', '(?P<x>a)(?P=x)(a+)+$', 'a(?=(a+)+$)']) {
    const r = await send(raw, ++id, 'api_key.query', JSON.stringify([[['name', '~', pattern]]]));
    t.ok(r.result !== undefined || r.error?.code === -32602, `api_key.query ~ ${pattern}: answered (${JSON.stringify(r.result ?? r.error?.data?.reason)})`);
  }
  t.equal(await root.call('core.ping'), 'pong', 'alive after the regular expressions');

  // The datastore as the calls left it survives a graceful stop and opens in a fresh daemon
  // (not refused as damaged), odd strings that valid calls stored included.
  const keys = await root.call('api_key.query');
  t.equal(await d.stop(), 0, 'the daemon stops cleanly');
  const copy = join(work, 'data-copy');
  cpSync(d.dataDir, copy, { recursive: true });
  const d2 = await startTestDaemon(t, { config: { data_dir: copy, nfs: { exports_path: join(work, 'exports2.d', 'x.exports'), exportfs_path: join(work, 'none', 'exportfs') } } });
  const root2 = await d2.root();
  t.same(await root2.call('api_key.query'), keys, 'the reopened datastore holds the same API keys');
});
