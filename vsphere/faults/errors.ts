/**
 * Error types of the vSphere client below the vim fault level: the common base, transport
 * failures, TLS verification failures and timeouts. Every error carries a {@link VsphereErrorKind}
 * (what went wrong, for a caller that maps errors to its own codes: the vmware plugin turns it into
 * a TrueNAS errno at its boundary) and a {@link VsphereErrorCategory} (the failure class a health
 * report shows).
 *
 * None of these ever carries a request body, so a password can never leak through an error.
 */
import type { MoRef } from '../types/values.js';

/**
 * What kind of failure this is, for health reporting: `auth` (bad credentials, lost session),
 * `permission` (NoPermission), `licence` (free ESXi's RestrictedVersion, licence faults), `tls`
 * (certificate not trusted or pin mismatch), `network` (refused, unreachable, reset, DNS),
 * `timeout`, `protocol` (unexpected HTTP status or body), `fault` (any other vim fault),
 * `task` (a task ended in error or vanished).
 */
export type VsphereErrorCategory =
  | 'auth'
  | 'permission'
  | 'licence'
  | 'tls'
  | 'network'
  | 'timeout'
  | 'protocol'
  | 'fault'
  | 'task';

/**
 * What went wrong, independent of any application's error codes (the vmware plugin maps each to a
 * TrueNAS errno in plugins/vmware/errors.ts):
 * - `denied`: the server refused the credentials, the privilege or the licence (InvalidLogin,
 *   NoPermission, RestrictedVersion, an Automation API 401);
 * - `not-found`: the object is gone (ManagedObjectNotFound, NotFound, a task that vanished);
 * - `busy`: the object is in use (TaskInProgress, ConcurrentAccess);
 * - `unsupported`: the server lacks the method or API (MethodNotFound, NotSupported, no Automation API);
 * - `canceled`: the caller aborted, the client or waiter closed, or the server cancelled (RequestCanceled);
 * - `timed-out`: a deadline expired (connect, call, task) or the server timed out (Timedout);
 * - `invalid-argument`: the caller passed a bad value (a malformed pin or CA, an empty snapshot name);
 * - `refused`, `unreachable`, `reset`: the TCP connection was refused, could not be routed or
 *   resolved, or was closed by the server;
 * - `untrusted-certificate`: the TLS policy refused the server's certificate;
 * - `failed`: anything else (another fault, an unexpected HTTP status or body).
 */
export type VsphereErrorKind =
  | 'denied'
  | 'not-found'
  | 'busy'
  | 'unsupported'
  | 'canceled'
  | 'timed-out'
  | 'invalid-argument'
  | 'refused'
  | 'unreachable'
  | 'reset'
  | 'untrusted-certificate'
  | 'failed';

/** Common base of every error the vSphere client throws. */
export class VsphereError extends Error {
  override name = 'VsphereError';
  /** What went wrong, see {@link VsphereErrorKind}. */
  readonly kind: VsphereErrorKind;
  /** Failure class, see {@link VsphereErrorCategory}. */
  readonly category: VsphereErrorCategory;

  constructor(message: string, kind: VsphereErrorKind, category: VsphereErrorCategory, options?: ErrorOptions) {
    super(message, options);
    this.kind = kind;
    this.category = category;
  }
}

/**
 * The HTTPS exchange failed: connection refused/reset/unreachable, DNS failure, or an HTTP status
 * other than 200 (success) and 500 (SOAP fault). `code` is the Node/undici error code when there is one.
 */
export class VsphereTransportError extends VsphereError {
  override name = 'VsphereTransportError';
  /** Node.js or undici error code, e.g. `ECONNREFUSED`, `UND_ERR_SOCKET`. */
  readonly code: string | undefined;
  /** HTTP status for protocol errors. */
  readonly status: number | undefined;

  constructor(
    message: string,
    init: { kind: VsphereErrorKind; category?: VsphereErrorCategory; code?: string; status?: number },
    options?: ErrorOptions,
  ) {
    super(message, init.kind, init.category ?? 'network', options);
    this.code = init.code;
    this.status = init.status;
  }
}

/** A server certificate as the client describes it (same shape as transport's CertificateInfo). */
export interface PeerCertificateSummary {
  sha256: string;
  sha1: string;
  subject: string;
  issuer: string;
  not_after: string;
  trusted: boolean;
  pinned: boolean;
}

/**
 * The server's certificate was refused by the connection's TLS policy (not trusted by the system or
 * custom CAs, wrong host name, or not matching the pinned fingerprint): kind `untrusted-certificate`
 * (the vmware plugin reports it as errno 208 ESSLCERTVERIFICATIONERROR, as TrueNAS). Carries the
 * server's fingerprints so the user can pin it.
 */
export class TlsVerificationError extends VsphereTransportError {
  override name = 'TlsVerificationError';
  /** Node's verification code (`DEPTH_ZERO_SELF_SIGNED_CERT`, `ERR_TLS_CERT_ALTNAME_INVALID`…) or `PIN_MISMATCH`. */
  readonly reason: string;
  /** SHA-256 fingerprint of the server certificate, colon hex upper case (`AB:CD:…`). */
  readonly fingerprint256: string;
  /** SHA-1 fingerprint (vCenter's own display form), colon hex upper case. */
  readonly fingerprint1: string;
  /** The refused certificate (subject, issuer, expiry…), for `vmware.test`. */
  readonly certificate: PeerCertificateSummary | undefined;

  constructor(
    message: string,
    init: { reason: string; fingerprint256: string; fingerprint1: string; certificate?: PeerCertificateSummary },
    options?: ErrorOptions,
  ) {
    super(message, { kind: 'untrusted-certificate', category: 'tls', code: init.reason }, options);
    this.reason = init.reason;
    this.fingerprint256 = init.fingerprint256;
    this.fingerprint1 = init.fingerprint1;
    this.certificate = init.certificate;
  }
}

/** What happened to the task when its deadline expired. */
export interface TaskCancelOutcome {
  /** CancelTask was sent (the task looked cancelable). */
  requested: boolean;
  /** The server accepted the cancellation. */
  ok: boolean;
  /** Why it was not requested or failed, e.g. "server does not implement CancelTask". */
  reason?: string;
}

/**
 * A deadline expired (kind `timed-out`). `phase` says where: `connect` (TCP/TLS set-up), `call`
 * (one SOAP call; NOTE: a call that timed out may still take effect on the server, e.g. a snapshot
 * that appears later), or `task` (a task did not finish in time; see `cancel`).
 */
export class VsphereTimeoutError extends VsphereError {
  override name = 'VsphereTimeoutError';
  readonly phase: 'connect' | 'call' | 'task';
  /** The deadline in ms. */
  readonly timeoutMs: number;
  /** vim25 method of a `call` timeout. */
  readonly method: string | undefined;
  /** The task of a `task` timeout. */
  readonly task: MoRef | undefined;
  /** For `task` timeouts: whether the task was cancelled. */
  readonly cancel: TaskCancelOutcome | undefined;

  constructor(
    message: string,
    init: { phase: 'connect' | 'call' | 'task'; timeoutMs: number; method?: string; task?: MoRef; cancel?: TaskCancelOutcome },
    options?: ErrorOptions,
  ) {
    super(message, 'timed-out', 'timeout', options);
    this.phase = init.phase;
    this.timeoutMs = init.timeoutMs;
    this.method = init.method;
    this.task = init.task;
    this.cancel = init.cancel;
  }
}

/** A well-formed SOAP answer that lacks what the method must return (kind `failed`, category `protocol`). */
export function protocolError(method: string, what: string): VsphereTransportError {
  return new VsphereTransportError(`${method}: ${what}`, { kind: 'failed', category: 'protocol' });
}
