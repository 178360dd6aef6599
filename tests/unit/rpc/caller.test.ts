import { pino } from 'pino';
import t from 'tap';
import { z } from 'zod';
import { EventHub } from '../../../daemon/events/event-hub.js';
import { JobManager } from '../../../daemon/jobs/job-manager.js';
import { defineMethod, type CallSession, type Credentials } from '../../../daemon/registry/method.js';
import { MethodRegistry } from '../../../daemon/registry/registry.js';
import { expandRoles } from '../../../daemon/registry/roles.js';
import { Caller } from '../../../daemon/rpc/caller.js';

const log = pino({ level: 'silent' });

function session(credentials: Credentials | null, transport: 'tcp' | 'unix' = 'tcp'): CallSession {
  return {
    id: 's',
    transport,
    remoteAddress: '127.0.0.1',
    channelBinding: null,
    credentials,
    options: { legacy_jobs: true, private_methods: false },
    setCredentials: () => undefined,
    subscribe: () => 'x',
    unsubscribe: () => true,
  };
}

t.test('access checks: login, roles (EACCES "Not authorized"), private methods', async (t) => {
  const registry = new MethodRegistry();
  const events = new EventHub(log);
  const jobs = new JobManager({ events, log, maxFinished: 10, validateArgs: (d, p) => registry.validateArgs(d, p) });
  const caller = new Caller({ registry, jobs, validateResults: true });
  registry.register(
    [
      defineMethod({ name: 'x.read', description: '', args: [], result: z.string(), roles: ['X_READ'], handler: () => 'read' }),
      defineMethod({ name: 'x.write', description: '', args: [], result: z.string(), roles: ['X_WRITE'], handler: () => 'written' }),
      defineMethod({ name: 'x.secret', description: '', args: [], result: z.string(), roles: [], private: true, handler: () => 'hidden' }),
    ],
    'test',
  );
  const reader = session({ type: 'API_KEY', username: 'r', roles: expandRoles(['X_READ']) });
  const writer = session({ type: 'API_KEY', username: 'w', roles: expandRoles(['X_WRITE']) });
  const call = (s: CallSession, method: string) => caller.fromWire({ session: s, method, params: [], messageId: 1, signal: new AbortController().signal });
  t.equal(await call(reader, 'x.read'), 'read');
  await t.rejects(call(reader, 'x.write'), { name: 'CallError', errno: 13, message: 'Not authorized' });
  t.equal(await call(writer, 'x.read'), 'read', 'WRITE implies READ');
  await t.rejects(call(session(null), 'x.read'), { errno: 207, message: 'Not authenticated' });
  await t.rejects(call(writer, 'x.secret'), { code: -32601 }, 'private methods do not exist over TCP');
  t.equal(await call(session(writer.credentials, 'unix'), 'x.secret'), 'hidden');
  t.equal(await caller.inProcess(registry.get('x.write')!, []), 'written', 'in-process calls are root');
});
