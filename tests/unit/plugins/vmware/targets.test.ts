import t from 'tap';
import { InstanceNotFound, ValidationErrors } from '../../../../daemon/errors.js';
import type { Collection } from '../../../../daemon/plugin.js';
import type { Credentials } from '../../../../daemon/registry/method.js';
import { expandRoles } from '../../../../daemon/registry/roles.js';
import { emptyHealth, type VmwareEntryRecord } from '../../../../plugins/vmware/store.js';
import { credentialsTarget, entryTarget } from '../../../../plugins/vmware/targets.js';

const stored: VmwareEntryRecord = {
  id: 1,
  hostname: 'vc.example.com',
  port: 443,
  username: 'svc',
  password: 'stored-secret',
  filesystem: 'tank/vm',
  datastores: ['ds1'],
  tls: { verify: true, ca: null, thumbprint: 'AA'.repeat(32) },
  enabled: true,
  state: { state: 'PENDING' },
  health: emptyHealth(),
};
const store = { get: (id: number) => (id === 1 ? structuredClone(stored) : undefined) } as unknown as Collection<VmwareEntryRecord>;
const who = (...roles: string[]): Credentials => ({ type: 'API_KEY', username: 'u', roles: expandRoles(roles) });
const readOnly = who('READONLY_ADMIN');
const writer = who('SNAPSHOT_TASK_WRITE');

function errors(fn: () => unknown): string[] {
  try {
    fn();
  } catch (e) {
    if (e instanceof ValidationErrors) return e.errors.map((x) => `${x.attribute}: ${x.message}`);
    throw e;
  }
  return [];
}

t.test('the stored password is reused, never required again for the same destination', async (t) => {
  const r = entryTarget(store, 1, 'overlay', readOnly);
  t.same(r.target, { hostname: 'vc.example.com', port: 443, username: 'svc', password: 'stored-secret', tls: stored.tls });
  t.same([r.connectionChanged, r.datastores], [false, ['ds1']]);
  t.equal(entryTarget(store, 1, 'overlay', readOnly, { password: '********' }).target.password, 'stored-secret');
  t.equal(entryTarget(store, 1, 'overlay', readOnly, { username: 'other' }).connectionChanged, true);
  t.same(entryTarget(store, 1, 'overlay', readOnly, { datastores: ['ds2'] }).datastores, ['ds2']);
});

t.test('a read-only caller cannot send the stored password elsewhere', async (t) => {
  for (const overlay of [{ hostname: 'evil.example.com' }, { port: 8443 }, { tls: { verify: false, thumbprint: null } }, { tls: { thumbprint: 'BB'.repeat(32) } }]) {
    t.match(errors(() => entryTarget(store, 1, 'overlay', readOnly, overlay)), [/^overlay\.password: The stored password is only sent to vc\.example\.com:443/], JSON.stringify(overlay));
    t.same(errors(() => entryTarget(store, 1, 'overlay', readOnly, { ...overlay, password: 'typed-again' })), [], 'fine with a password');
    t.same(errors(() => entryTarget(store, 1, 'overlay', writer, overlay)), [], 'fine for a caller who may edit the entry');
  }
});

t.test('errors', async (t) => {
  let caught: unknown;
  try {
    entryTarget(store, 2, 'overlay', writer);
  } catch (e) {
    caught = e;
  }
  t.ok(caught instanceof InstanceNotFound, 'unknown id');
  t.match(errors(() => entryTarget(store, 1, 'overlay', writer, { hostname: 'https://x' })), [/overlay\.hostname: Enter a host name/]);
  t.match(errors(() => credentialsTarget('credentials', { hostname: 'vc', username: 'u', password: '********' })), [/credentials\.password: "\*\*\*\*\*\*\*\*" is a placeholder/]);
  const c = credentialsTarget('credentials', { hostname: 'vc', username: 'u', password: 'p', tls: { ca: '  ' } });
  t.same(c.target, { hostname: 'vc', port: 443, username: 'u', password: 'p', tls: { verify: true, ca: null, thumbprint: null } }, 'defaults; blank CA = none');
});
