/** Audit classification, param redaction/bounds and bounded retention (on a real temp datastore). */
import t from 'tap';
import { z } from 'zod';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../../../daemon/audit/audit-log.js';
import { CallError } from '../../../daemon/errors.js';
import { auditClass, auditParams, MAX_PARAMS_CHARS } from '../../../daemon/audit/classify.js';
import { defineMethod, type AnyMethodDef, type CallSession } from '../../../daemon/registry/method.js';
import { UNIX_SOCKET_ROOT } from '../../../daemon/registry/roles.js';
import { silentLog, tempDir } from '../../helpers/tmp-datastore.js';

const method = (roles: string[], audit?: 'write' | 'login' | 'none'): AnyMethodDef =>
  defineMethod({ name: 'x.y', description: 'X. More.', args: [{ name: 'username', schema: z.string() }, { name: 'password', schema: z.string() }], result: z.null(), roles, ...(audit ? { audit } : {}), handler: () => null }) as unknown as AnyMethodDef;

t.test('auditClass: writes are what read-only users cannot call', async (t) => {
  t.equal(auditClass(method(['SNAPSHOT_TASK_WRITE'])), 'write');
  t.equal(auditClass(method(['FULL_ADMIN'])), 'write');
  t.equal(auditClass(method(['SNAPSHOT_TASK_READ'])), null);
  t.equal(auditClass(method(['READONLY_ADMIN'])), null);
  t.equal(auditClass(method([])), null, 'session housekeeping (ping, subscribe …)');
  t.equal(auditClass(method([], 'write')), 'write');
  t.equal(auditClass(method([], 'login')), 'login');
  t.equal(auditClass(method(['X_WRITE'], 'none')), null);
});

t.test('auditParams: positional secrets by argument name, nested ones by field name, size bounded', async (t) => {
  t.same(auditParams(method([]), ['admin', 'pw', { api_key: 'k', n: 1 }]), ['admin', '********', { api_key: '********', n: 1 }]);
  const big = auditParams(method([]), ['a'.repeat(10_000)]) as { truncated: string };
  t.equal(big.truncated.length, MAX_PARAMS_CHARS + 1);
});

t.test('retention keeps the newest max_entries records, in memory and in the file', async (t) => {
  const file = join(tempDir(t), 'audit.jsonl');
  const log = await AuditLog.open(file, { maxEntries: 3, maxAnonymousEntries: 1 }, silentLog);
  const session = { id: 's', transport: 'unix', remoteAddress: 'unix', credentials: UNIX_SOCKET_ROOT, options: { legacy_jobs: true, private_methods: false } } as unknown as CallSession;
  const def = method(['X_WRITE']);
  const names = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
  for (const name of names) await log.observe({ session, method: 'x.y', def, params: [name, 'pw'], credentials: UNIX_SOCKET_ROOT, result: null, error: undefined, ms: 1 });
  const first = (rows: readonly { readonly event_data: Record<string, unknown> }[]) => rows.map((r) => (r.event_data.params as string[])[0]);
  t.same(first(log.all()), ['e', 'f', 'g']);
  t.same(log.all().map((r) => r.id), [5, 6, 7], 'ids keep counting');
  // all() hands out the records themselves (no copy per audit.query): a caller cannot change them.
  const handedOut = log.all()[0]!;
  t.throws(() => Object.assign(handedOut.event_data, { params: ['changed'] }), TypeError, 'a record is frozen, its event data too');
  t.same(first(log.all()), ['e', 'f', 'g'], 'the log is unchanged');
  const lines = readFileSync(file, 'utf8').trim().split('\n');
  t.ok(lines.length <= 8, `the file is compacted (${lines.length} lines for 3 + 1 kept)`);
  t.same(first((await AuditLog.open(file, { maxEntries: 3, maxAnonymousEntries: 1 }, silentLog)).all()), ['e', 'f', 'g'], 'a reopened log sees the same records');
});

t.test('anonymous records have a budget of their own: a flood of them never evicts the others', async (t) => {
  const file = join(tempDir(t), 'audit.jsonl');
  const retention = { maxEntries: 3, maxAnonymousEntries: 2 };
  const log = await AuditLog.open(file, retention, silentLog);
  const root = { id: 's', transport: 'unix', remoteAddress: 'unix', credentials: UNIX_SOCKET_ROOT, options: { legacy_jobs: true, private_methods: false } } as unknown as CallSession;
  const anon = { id: 'a', transport: 'tcp', remoteAddress: '192.0.2.1', credentials: null, options: { legacy_jobs: true, private_methods: false } } as unknown as CallSession;
  const def = method(['X_WRITE']);
  const call = (session: CallSession, name: string) =>
    log.observe({ session, method: 'x.y', def, params: [name, 'pw'], credentials: session.credentials, result: null, error: session.credentials ? undefined : new CallError('Not authenticated', 207), ms: 1 });
  await call(root, 'admin-1');
  await call(root, 'admin-2');
  for (let i = 0; i < 50; i++) await call(anon, `anon-${i}`);
  await call(root, 'admin-3');
  const first = (rows: readonly { readonly event_data: Record<string, unknown> }[]) => rows.map((r) => (r.event_data.params as string[])[0]);
  t.same(first(log.all()), ['admin-1', 'admin-2', 'anon-48', 'anon-49', 'admin-3'], 'every admin record survives; the anonymous ones keep their newest 2, in id order');
  t.same(log.all().map((r) => r.id), [1, 2, 51, 52, 53]);
  await call(root, 'admin-4');
  t.same(first(log.all()), ['admin-2', 'anon-48', 'anon-49', 'admin-3', 'admin-4'], 'the admin budget drops its own oldest');
  await log.flush();
  const reopened = await AuditLog.open(file, retention, silentLog);
  t.same(first(reopened.all()), first(log.all()), 'a reopened (compacted) log sees the same records');
  t.ok(readFileSync(file, 'utf8').trim().split('\n').length <= 2 * 5, 'the file is compacted');
});

t.test('a failure reason quoting a URL is stored without its userinfo and query values', async (t) => {
  const log = await AuditLog.open(join(tempDir(t), 'audit.jsonl'), { maxEntries: 10, maxAnonymousEntries: 10 }, silentLog);
  const session = { id: 's', transport: 'unix', remoteAddress: 'unix', credentials: UNIX_SOCKET_ROOT, options: { legacy_jobs: true, private_methods: false } } as unknown as CallSession;
  const error = new CallError('POST failed: https://user:CANARY-1@hooks.example.com/x?token=CANARY-2', 5);
  await log.observe({ session, method: 'x.y', def: method(['X_WRITE']), params: ['a', 'pw'], credentials: UNIX_SOCKET_ROOT, result: undefined, error, ms: 1 });
  const reason = (log.all()[0]?.event_data.error as { reason: string }).reason;
  t.equal(reason, 'POST failed: https://********@hooks.example.com/x?token=********');
});
