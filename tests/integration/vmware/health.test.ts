/**
 * An entry whose vCenter goes down, through the real daemon, vcsim and a zfs-fuse pool, with the
 * background check every second: health and state change (for every entry sharing the
 * credentials), VMWareLoginFailed is raised, the daemon keeps answering; update (without a login,
 * since no connection field changed) and delete clear the alert; a vCenter back on the same
 * address brings state SUCCESS and clears the alert.
 */
import t from 'tap';
import { ClientValidationError, type CollectionUpdate } from '../../../client/index.js';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { startVmwareWorld, until } from '../../helpers/vmware-world.js';

interface Entry {
  id: number;
  state: { state: string; error?: string; datetime?: Date };
  health: {
    last_success: Date | null;
    last_failure: Date | null;
    consecutive_failures: number;
    last_error: { class: string; message: string } | null;
    poll_interval_seconds: number;
    summary: { hosts: number; vms: number; datastores: number; protected_vms: number; last_collected: Date } | null;
  };
}
interface Alert {
  uuid: string;
  klass: string;
  formatted: string;
  key: string;
}

t.test('vCenter goes down and comes back', async (t) => {
  const w = await startVmwareWorld(t, { config: { vmware: { poll_interval_seconds: 1 } } });
  const { root, vc, ds } = w;
  const pin = { tls: { thumbprint: vc.thumbprintSha256 } };
  const a = await root.call<Entry>('vmware.create', w.seed(pin));
  const b = await root.call<Entry>('vmware.create', w.seed({ ...pin, filesystem: ds.vm, datastores: ['bylocalhost'] }));
  const get = (id: number) => root.call<Entry>('vmware.get_instance', id);
  const loginAlerts = async () => (await root.call<Alert[]>('alert.list')).filter((x) => x.klass === 'VMWareLoginFailed');
  // The checks run every second and raise the alert again, so its removal is observed as an event.
  const alertEvents: CollectionUpdate[] = [];
  await root.subscribe('alert.list', (e) => alertEvents.push(e));
  const removedSince = (mark: number, uuid: string) => until(`alert ${uuid} removed`, () => alertEvents.slice(mark).some((e) => e.msg === 'removed' && e.id === uuid));

  // 1. The background check keeps health fresh.
  t.equal(a.health.poll_interval_seconds, 1);
  const created = a.health.last_success!.getTime();
  const fresh = await until('a background check', async () => {
    const e = await get(a.id);
    return e.health.last_success!.getTime() > created ? e : null;
  });
  t.match(fresh.health, { consecutive_failures: 0, summary: { hosts: 4, vms: 4, protected_vms: 1, datastores: 7 } });
  t.same(fresh.state, { state: 'PENDING' }, 'a successful check does not invent a snapshot state');

  // 2. The vCenter goes away.
  await vc.stop();
  const down = await until('a failed check', async () => {
    const e = await get(a.id);
    return e.state.state === 'ERROR' && e.health.consecutive_failures > 0 ? e : null;
  });
  t.match(down.health, { last_error: { class: 'network', message: /ECONNREFUSED/ }, last_failure: Date });
  t.match(down.state, { state: 'ERROR', error: /ECONNREFUSED/, datetime: Date });
  t.match(down.health.summary, { protected_vms: 1 }, 'the last seen summary is kept');
  await until('the other entry sharing the credentials', async () => (await get(b.id)).state.state === 'ERROR');
  const alerts = await until('VMWareLoginFailed', async () => ((await loginAlerts()).length ? loginAlerts() : null));
  t.equal(alerts.length, 1, 'one alert per hostname');
  const uuidOf = async () => (await until('the alert', async () => (await loginAlerts())[0]))!.uuid;
  t.match(alerts[0]?.formatted, /^VMWare login to 127\.0\.0\.1 failed: Cannot connect to .*ECONNREFUSED/);

  // 3. The daemon is unaffected.
  t.equal(await root.call('core.ping'), 'pong');
  t.equal((await root.call<Entry[]>('vmware.query')).length, 2);
  t.match(await root.call('vmware.test', a.id), { ok: false, error: { class: 'network' } });

  // 4. update without connection changes does not log in (TrueNAS's would fail here), resets the
  //    state and clears the alert; a changed password must log in and is refused.
  let mark = alertEvents.length;
  let uuid = await uuidOf();
  const u = await root.call<Entry>('vmware.update', a.id, { enabled: true });
  t.same(u.state, { state: 'PENDING' });
  t.ok(await removedSince(mark, uuid), 'update clears the alert');
  try {
    await root.call('vmware.update', a.id, { password: 'new-password' });
    t.fail('a changed password is validated by logging in');
  } catch (e) {
    t.ok(e instanceof ClientValidationError);
    t.match((e as ClientValidationError).errors, [{ attribute: 'vmware_update.hostname', message: /^Failed to connect: \[ECONNREFUSED\]/ }]);
  }
  // 5. delete clears it too (once the next check has raised it again).
  mark = alertEvents.length;
  uuid = await uuidOf();
  t.equal(await root.call('vmware.delete', b.id), true);
  t.ok(await removedSince(mark, uuid), 'delete clears the alert');

  // 6. The vCenter is back at the same address (same certificate): SUCCESS, alert gone.
  await until('the alert raised again', async () => (await loginAlerts()).length === 1);
  const again = await startVcsim({ ...w.spec, vms: [], port: vc.port }, { t });
  t.equal(again.thumbprintSha256, vc.thumbprintSha256);
  const back = await until('a successful check after recovery', async () => {
    const e = await get(a.id);
    return e.state.state === 'SUCCESS' ? e : null;
  });
  t.match(back.health, { consecutive_failures: 0, summary: { vms: 0, protected_vms: 0 } });
  t.same(await loginAlerts(), []);
});
