import t from 'tap';
import { ValidationErrors } from '../../../../daemon/errors.js';
import { networksOverlap, parseNetwork, sanitizeNetworks } from '../../../../plugins/sharing/nfs/networks.js';

const run = (entries: string[]) => {
  const v = new ValidationErrors();
  const out = sanitizeNetworks('sharingnfs_create.networks', entries, v);
  return { out, messages: v.errors.map((e) => e.message), attrs: v.errors.map((e) => e.attribute) };
};

t.test('normalises IPv4 and IPv6 CIDRs', async (t) => {
  const cases: Array<[string, string]> = [
    ['192.168.1.0/24', '192.168.1.0/24'],
    ['192.168.1.7/24', '192.168.1.0/24'],
    ['10.0.0.1', '10.0.0.1/32'],
    ['2001:DB8:0:0::1/64', '2001:db8::/64'],
    ['fd00::1', 'fd00::1/128'],
    ['::ffff:192.0.2.1', '::ffff:192.0.2.1/128'],
  ];
  for (const [input, expected] of cases) t.equal(parseNetwork(input)?.cidr, expected, input);
});

t.test('rejects what is not a network', async (t) => {
  for (const bad of ['', 'abc', '10.1', '0x0a.0.0.1/8', '10.0.0.0/33', '10.0.0.0/', '10.0.0.0/-1', '2001:db8::/129',
    'fe80::1%eth0/64', '192.168.1.0/24 ', '192.168.1.0/24,rw', '300.1.1.1/8']) {
    t.equal(parseNetwork(bad), null, JSON.stringify(bad));
  }
  const r = run(['192.168.1.0/24', 'bogus', '10.0.0.0/40']);
  t.same(r.attrs, ['sharingnfs_create.networks']);
  t.same(r.messages, ['The following do not appear to be valid IPv4 or IPv6 networks: bogus, 10.0.0.0/40']);
});

t.test('refuses the all-networks block', async (t) => {
  t.match(run(['0.0.0.0/0']).messages, [/Please do not use 0\.0\.0\.0\/0 to represent all-networks/]);
  t.match(run(['::/0']).messages, [/Please do not use ::\/0/]);
});

t.test('duplicates and overlaps', async (t) => {
  t.same(run(['10.0.0.0/8', '10.0.0.0/8']).messages, ['Entries must be unique, the following are not: 10.0.0.0/8']);
  t.same(run(['10.0.0.0/8', '10.1.0.0/16']).messages, ['ERROR - Overlapped subnets: 10.0.0.0/8 and 10.1.0.0/16']);
  t.same(run(['10.0.0.0/24', '10.0.1.0/24', '2001:db8::/32']).messages, []);
  t.same(run(['10.0.0.0/24', '10.0.1.0/24']).out, ['10.0.0.0/24', '10.0.1.0/24']);
  t.equal(networksOverlap(parseNetwork('10.0.0.0/8')!, parseNetwork('::ffff:10.0.0.1')!), false, 'families never overlap');
  t.equal(networksOverlap(parseNetwork('2001:db8::/32')!, parseNetwork('2001:db8:1::/48')!), true);
});
