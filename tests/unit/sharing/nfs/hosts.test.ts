import t from 'tap';
import { ValidationErrors } from '../../../../daemon/errors.js';
import { sanitizeHosts } from '../../../../plugins/sharing/nfs/hosts.js';

const run = (entries: string[]) => {
  const v = new ValidationErrors();
  const out = sanitizeHosts('sharingnfs_update.hosts', entries, v);
  return { out, messages: v.errors.map((e) => e.message), attrs: v.errors.map((e) => e.attribute) };
};

t.test('accepts names, addresses, wildcards and netgroups; normalises IP literals', async (t) => {
  const r = run(['esxi01.lab.example', '192.168.1.10', '2001:DB8::1', '*.lab.example', 'esx?.example', '@esxi', '*']);
  t.same(r.messages, []);
  t.same(r.out, ['esxi01.lab.example', '192.168.1.10', '2001:db8::1', '*.lab.example', 'esx?.example', '@esxi', '*']);
});

t.test('refuses spaces and quotes with the TrueNAS message', async (t) => {
  const r = run(['esx 01', 'a"b', "c'd"]);
  t.same(r.attrs, ['sharingnfs_update.hosts']);
  t.match(r.messages[0], /^Cannot contain spaces or quotes: /);
});

t.test('refuses option injection', async (t) => {
  for (const bad of ['host(rw,no_root_squash)', 'a,b', '-rw', 'x=y', 'h#c', 'a\\b', '10.0.0.0/8', 'h\u0000']) {
    const r = run([bad]);
    t.equal(r.messages.length, 1, JSON.stringify(bad));
    t.match(r.messages[0], /Invalid host entries|Cannot contain spaces/, JSON.stringify(bad));
  }
  t.match(run(['a'.repeat(254)]).messages, [/at most 253 characters/]);
});

t.test('refuses all-hosts addresses and duplicates', async (t) => {
  t.match(run(['0.0.0.0']).messages, [/Please do not use 0\.0\.0\.0 to represent all-hosts.*replace with '\*'/]);
  t.match(run(['::']).messages, [/Please do not use :: /]);
  t.same(run(['2001:db8::1', '2001:DB8:0::1']).messages, ['Entries must be unique, the following are not: 2001:db8::1']);
});
