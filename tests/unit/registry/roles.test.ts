import t from 'tap';
import { ANONYMOUS, FULL_ADMIN, READONLY_ADMIN, allowed, expandRoles, grants } from '../../../daemon/registry/roles.js';

t.test('role implications (TrueNAS role.py)', async (t) => {
  const write = expandRoles(['SNAPSHOT_TASK_WRITE']);
  t.ok(grants(write, 'SNAPSHOT_TASK_READ'), 'WRITE implies READ');
  t.notOk(grants(write, 'ALERT_LIST_READ'));
  t.notOk(grants(expandRoles(['SNAPSHOT_TASK_READ']), 'SNAPSHOT_TASK_WRITE'), 'READ does not imply WRITE');
  const ro = expandRoles([READONLY_ADMIN]);
  t.ok(grants(ro, 'VMWARE_READ') && grants(ro, 'ALERT_LIST_READ'), 'READONLY_ADMIN implies every *_READ');
  t.notOk(grants(ro, 'VMWARE_WRITE'));
  const admin = expandRoles([FULL_ADMIN]);
  t.ok(grants(admin, 'ANYTHING_WRITE') && grants(admin, READONLY_ADMIN), 'FULL_ADMIN implies every role');
});

t.test('allowed: any one role suffices; empty = any authenticated', async (t) => {
  const creds = { type: 'API_KEY' as const, username: 'u', roles: expandRoles(['A_WRITE']) };
  t.ok(allowed(creds, []));
  t.ok(allowed(creds, ['B_READ', 'A_READ']));
  t.notOk(allowed(creds, ['B_READ']));
  t.notOk(allowed(ANONYMOUS, ['A_READ']));
});
