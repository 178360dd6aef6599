// The vmware plugin's error boundary: every kind of vSphere client error (vsphere/ knows no errnos)
// becomes the TrueNAS errno the API has always reported for it.
import t from 'tap';
import { Errno } from '../../../../daemon/errors.js';
import { toCallError, vsphereErrno } from '../../../../plugins/vmware/errors.js';
import { VsphereError, type VsphereErrorKind } from '../../../../vsphere/index.js';

t.test('each vSphere error kind maps to its TrueNAS errno', async (t) => {
  const table: [VsphereErrorKind, number][] = [
    ['denied', Errno.EPERM],
    ['not-found', Errno.ENOENT],
    ['busy', Errno.EBUSY],
    ['unsupported', Errno.ENOTSUP],
    ['canceled', Errno.ECANCELED],
    ['timed-out', Errno.ETIMEDOUT],
    ['invalid-argument', Errno.EINVAL],
    ['refused', Errno.ECONNREFUSED],
    ['unreachable', Errno.EHOSTUNREACH],
    ['reset', Errno.ECONNRESET],
    ['untrusted-certificate', Errno.ESSLCERTVERIFICATIONERROR],
    ['failed', Errno.EFAULT],
  ];
  for (const [kind, errno] of table) {
    const err = new VsphereError(`a ${kind} failure`, kind, 'fault');
    t.equal(vsphereErrno(err), errno, kind);
    t.match(toCallError(err), { name: 'CallError', errno, message: `a ${kind} failure` }, `${kind}: CallError keeps the message`);
  }
});
