import t from 'tap';
import { buildNasIdentity, canonicalIp, canonicalName, localAddresses, nasHosts } from '../../../../../plugins/vmware/match/nas-identity.js';
import type { Resolver } from '../../../../../plugins/vmware/resolve.js';

/** A resolver over a fixed table (unknown names reject like getaddrinfo's ENOTFOUND). */
function table(map: Record<string, string[]>): Resolver & { calls: string[] } {
  const calls: string[] = [];
  const fn = async (name: string) => {
    calls.push(name);
    const hit = map[name.toLowerCase().replace(/\.$/, '')];
    if (!hit) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return hit;
  };
  return Object.assign(fn, { calls });
}

t.test('canonical forms', async (t) => {
  t.equal(canonicalIp('10.0.0.5'), '10.0.0.5');
  t.equal(canonicalIp('::ffff:10.0.0.5'), '10.0.0.5', 'IPv4-mapped IPv6');
  t.equal(canonicalIp('FD00:0:0::10'), 'fd00::10');
  t.equal(canonicalIp('fe80::1%eth0'), 'fe80::1', 'zone dropped');
  t.equal(canonicalIp('[fd00::10]'), 'fd00::10');
  t.equal(canonicalIp('1.2.3'), null, 'legacy short IPv4 is a name');
  t.equal(canonicalIp('nas.example.com'), null);
  t.equal(canonicalName('NAS.Example.COM.'), 'nas.example.com');
});

t.test('local addresses include loopback', async (t) => {
  const addrs = localAddresses();
  t.ok(addrs.includes('127.0.0.1'));
});

t.test('a remote host is ours by address, configured name/VIP, or a name resolving to ours', async (t) => {
  const resolve = table({ 'nas.example.com': ['10.0.0.5'], 'vip.example.com': ['10.0.0.99'], 'other.example.com': ['10.0.0.6'], localhost: ['127.0.0.1'] });
  const id = await buildNasIdentity(['10.0.0.5', '127.0.0.1', 'fe80::1%eth0'], ['vip.example.com', '10.0.0.77', 'storage-alias'], resolve);
  t.ok(id.addresses.has('10.0.0.99'), 'configured name contributes its address');
  t.ok(id.addresses.has('10.0.0.77'), 'configured address');
  t.ok(id.names.has('storage-alias'), 'unresolvable configured name kept as a name');
  const ours = await nasHosts(
    ['10.0.0.5', '::ffff:10.0.0.5', 'nas.example.com', 'NAS.example.com.', 'vip.example.com', '10.0.0.99', 'STORAGE-ALIAS', 'other.example.com', '10.0.0.6', 'unknown.example.com', 'localhost', ''],
    id,
    resolve,
  );
  t.same([...ours].sort(), ['10.0.0.5', '10.0.0.99', '::ffff:10.0.0.5', 'NAS.example.com.', 'STORAGE-ALIAS', 'localhost', 'nas.example.com', 'vip.example.com'].sort());
});

t.test('each distinct name is resolved once; a failing resolver means "not ours"', async (t) => {
  const resolve = table({ 'nas.example.com': ['10.0.0.5'] });
  const id = await buildNasIdentity(['10.0.0.5'], [], resolve);
  const ours = await nasHosts(['nas.example.com', 'nas.example.com', 'down.example.com'], id, resolve);
  t.same([...ours], ['nas.example.com']);
  t.same(resolve.calls.filter((c) => c === 'nas.example.com').length, 1);
});
