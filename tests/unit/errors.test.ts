import t from 'tap';
import { CallError, Errno, InstanceNotFound, ValidationErrors, errnoName } from '../../daemon/errors.js';

t.test('ValidationErrors collects errors and renders the TrueNAS reason', async (t) => {
  const v = new ValidationErrors();
  t.equal(v.empty, true);
  v.add('vmware_create.hostname', "Couldn't resolve hostname");
  v.addChild('vmware_create', new ValidationErrors().add('datastore', 'missing'));
  t.throws(() => v.check());
  t.same(v.errors.map((e) => e.attribute), ['vmware_create.hostname', 'vmware_create.datastore']);
  t.equal(v.reason, "[EINVAL] vmware_create.hostname: Couldn't resolve hostname\n[EINVAL] vmware_create.datastore: missing\n");
  t.equal(v.message, v.reason.trimEnd());
});

t.test('CallError and InstanceNotFound', async (t) => {
  const e = new CallError('Task is not enabled');
  t.equal(e.errno, Errno.EFAULT);
  t.equal(e.toString(), '[EFAULT] Task is not enabled');
  const nf = new InstanceNotFound('VMWare', 5);
  t.same(nf.errors, [{ attribute: null, message: 'VMWare 5 does not exist', errno: Errno.ENOENT }]);
  t.equal(errnoName(207), 'ENOTAUTHENTICATED');
});
