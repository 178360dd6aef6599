/**
 * The vmware plugin's error boundary: vSphere client errors (vsphere/, which knows no errnos) become
 * `{class, message, errno}` for health and `vmware.test`, and CallError (TrueNAS errnos) for
 * `vmware.get_datastores`. This is the only place that maps them (house style: vSphere faults stay
 * typed below the plugin).
 *
 * TrueNAS mapping (`vmware.get_datastores`): InvalidLogin / NoPermission / RestrictedVersion →
 * EPERM with the fault message; socket errors → their errno (ETIMEDOUT, ECONNREFUSED…); other faults →
 * EFAULT. vsnapd adds errno 208 (ESSLCERTVERIFICATIONERROR) for refused certificates.
 */
import { CallError, Errno, errnoName } from '../../daemon/errors.js';
import { TlsVerificationError, VsphereError, type VsphereErrorKind } from '../../vsphere/index.js';
import type { ErrorClass, VmwareErrorInfo } from './schemas.js';

/** A classified failure with its errno. */
export interface DescribedError extends VmwareErrorInfo {
  errno: number;
  /** SHA-256 fingerprint of a refused certificate (TLS failures only). */
  fingerprint256?: string;
}

/**
 * The TrueNAS errno of each vSphere error kind: the socket errno for network failures (as TrueNAS),
 * EPERM for refused logins, privileges and licences, 208 ESSLCERTVERIFICATIONERROR for a refused
 * certificate, EFAULT for any other failure.
 */
const ERRNO_OF_KIND: Readonly<Record<VsphereErrorKind, number>> = {
  denied: Errno.EPERM,
  'not-found': Errno.ENOENT,
  busy: Errno.EBUSY,
  unsupported: Errno.ENOTSUP,
  canceled: Errno.ECANCELED,
  'timed-out': Errno.ETIMEDOUT,
  'invalid-argument': Errno.EINVAL,
  refused: Errno.ECONNREFUSED,
  unreachable: Errno.EHOSTUNREACH,
  reset: Errno.ECONNRESET,
  'untrusted-certificate': Errno.ESSLCERTVERIFICATIONERROR,
  failed: Errno.EFAULT,
};

/** The TrueNAS errno the API reports for a vSphere client error (see {@link ERRNO_OF_KIND}). */
export function vsphereErrno(err: VsphereError): number {
  return ERRNO_OF_KIND[err.kind];
}

/**
 * Classifies anything the vSphere client (or DNS, or a bug) threw. The message never contains a
 * password: vSphere errors never carry request bodies.
 */
export function describeError(err: unknown): DescribedError {
  if (err instanceof TlsVerificationError) {
    return { class: 'tls', message: err.message, errno: vsphereErrno(err), fingerprint256: err.fingerprint256 };
  }
  if (err instanceof VsphereError) {
    return { class: err.category as ErrorClass, message: err.message, errno: vsphereErrno(err) };
  }
  if (err instanceof CallError) return { class: 'fault', message: err.message, errno: err.errno };
  const e = err as NodeJS.ErrnoException | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && code in Errno) {
    return { class: code === 'ETIMEDOUT' ? 'timeout' : 'network', message: e?.message ?? code, errno: Errno[code as keyof typeof Errno] };
  }
  return { class: 'fault', message: err instanceof Error ? err.message : String(err), errno: Errno.EFAULT };
}

/** `"[EPERM] Cannot complete login…"`: TrueNAS's `str(CallError)` form used in "Failed to connect: …". */
export function errorText(d: Pick<DescribedError, 'errno' | 'message'>): string {
  return `[${errnoName(d.errno)}] ${d.message}`;
}

/** The CallError `vmware.get_datastores` raises for a failed login or inventory read (TrueNAS mapping). */
export function toCallError(err: unknown): CallError {
  if (err instanceof CallError) return err;
  const d = describeError(err);
  const extra = d.fingerprint256 ? { fingerprint256: d.fingerprint256 } : null;
  return new CallError(d.message, d.errno, extra, err instanceof Error ? { cause: err } : undefined);
}

/**
 * Which create/update field a login failure is about, so the error sits next to what must change:
 * bad credentials → password, no permission/licence → username, certificate → tls, anything on the
 * way (DNS, refused, timeout) → hostname.
 */
export function loginErrorAttribute(cls: ErrorClass): 'password' | 'username' | 'tls' | 'hostname' | 'datastores' {
  switch (cls) {
    case 'auth':
      return 'password';
    case 'permission':
    case 'licence':
      return 'username';
    case 'tls':
      return 'tls';
    case 'network':
    case 'timeout':
    case 'protocol':
      return 'hostname';
    default:
      return 'datastores';
  }
}
