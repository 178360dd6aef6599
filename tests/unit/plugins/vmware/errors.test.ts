// The vmware plugin's error boundary: every kind of vSphere client error (vsphere/ knows no errnos)
// becomes the TrueNAS errno the API has always reported for it.
import t from 'tap';
import { Errno, type ErrnoName } from '../../../../daemon/errors.js';
import { toCallError, vsphereErrno } from '../../../../plugins/vmware/errors.js';
import { VsphereError, type VsphereErrorKind } from '../../../../vsphere/index.js';

t.test('each vSphere error kind maps to its TrueNAS errno', async (t) => {
  // TrueNAS's errno of each kind, by name: the socket errno for network failures, EPERM for refusals.
  const table: Record<VsphereErrorKind, ErrnoName> = {
    denied: 'EPERM', 'not-found': 'ENOENT', busy: 'EBUSY', unsupported: 'ENOTSUP', canceled: 'ECANCELED', 'timed-out': 'ETIMEDOUT',
    'invalid-argument': 'EINVAL', refused: 'ECONNREFUSED', unreachable: 'EHOSTUNREACH', reset: 'ECONNRESET', failed: 'EFAULT',
    'untrusted-certificate': 'ESSLCERTVERIFICATIONERROR',
  };
  for (const [kind, name] of Object.entries(table) as [VsphereErrorKind, ErrnoName][]) {
    const errno = Errno[name];
    const err = new VsphereError(`a ${kind} failure`, kind, 'fault');
    t.equal(vsphereErrno(err), errno, kind);
    t.match(toCallError(err), { name: 'CallError', errno, message: `a ${kind} failure` }, `${kind}: CallError keeps the message`);
  }
});
