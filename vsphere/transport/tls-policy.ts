/**
 * The TLS policy of one vSphere connection, applied to that connection's sockets only (never
 * process-wide). Sockets are opened with `rejectUnauthorized: false` so the certificate can always be
 * inspected, then {@link evaluateCertificate} decides, before any HTTP byte is written:
 *
 * 1. `thumbprint` set → accept exactly the certificate with that SHA-256 or SHA-1 fingerprint
 *    (pinning replaces CA trust and the host-name check; a wrong pin is refused even with `verify: false`),
 * 2. `verify: false` → accept any certificate,
 * 3. otherwise → accept when Node's verification passed: chain to the system CAs (or, when `ca` is
 *    given, to those PEM certificates instead) and host name / IP in the certificate.
 *
 * A refusal is a {@link TlsVerificationError} (kind `untrusted-certificate`) carrying the server's fingerprints.
 */
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import { VsphereError, TlsVerificationError, type PeerCertificateSummary } from '../faults/errors.js';

/** TLS settings of a connection. */
export interface TlsOptions {
  /** Verify the certificate (default true). `false` accepts any certificate; use only when asked. */
  verify?: boolean;
  /** PEM certificate(s) to trust instead of the system CAs (e.g. the vCenter's VMCA root). */
  ca?: string;
  /**
   * Pinned certificate fingerprint: SHA-256 (64 hex digits) or SHA-1 (40, vCenter's display form),
   * colon-separated or not, any case. Accepted instead of CA trust.
   */
  thumbprint?: string;
}

/**
 * The server certificate as seen on the connection (for `vmware.test`): `sha256`/`sha1`
 * fingerprints (colon hex upper case), `subject`/`issuer` DNs (`CN=…, O=…`), `not_after` (ISO 8601),
 * `trusted` (chain and host name verified against the system or custom CAs), `pinned` (matched
 * the pinned thumbprint).
 */
export type CertificateInfo = PeerCertificateSummary;

/** A parsed pin: algorithm and lower-case hex without separators. */
export interface Thumbprint {
  algorithm: 'sha256' | 'sha1';
  hex: string;
}

/**
 * Parses a fingerprint in vCenter's display form (`AB:CD:…`), plain hex, any case.
 * @throws VsphereError (`invalid-argument`) naming `tls.thumbprint` when it is not 40 or 64 hex digits.
 */
export function parseThumbprint(input: string): Thumbprint {
  const hex = input.replace(/^(sha-?256|sha-?1)\s*[:=]?\s*/i, '').replace(/[\s:]/g, '').toLowerCase();
  if (/^[0-9a-f]{64}$/.test(hex)) return { algorithm: 'sha256', hex };
  if (/^[0-9a-f]{40}$/.test(hex)) return { algorithm: 'sha1', hex };
  throw new VsphereError(
    `tls.thumbprint: expected a SHA-256 (64 hex digits) or SHA-1 (40 hex digits) certificate fingerprint, ` +
      `e.g. "AB:CD:…"; got ${/^[0-9a-f]*$/.test(hex) ? `${hex.length} hex digits` : 'non-hex characters'}`,
    'invalid-argument',
    'tls',
  );
}

/**
 * Checks that `ca` holds at least one PEM certificate.
 * @throws VsphereError (`invalid-argument`) naming `tls.ca`.
 */
export function checkCaPem(ca: string): void {
  const blocks = ca.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  try {
    if (blocks.length === 0) throw new Error('no PEM block');
    for (const b of blocks) new X509Certificate(b);
  } catch {
    throw new VsphereError(
      'tls.ca: expected one or more PEM certificates ("-----BEGIN CERTIFICATE-----" … "-----END CERTIFICATE-----")',
      'invalid-argument',
      'tls',
    );
  }
}

function dn(name: PeerCertificate['subject'] | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : String(v)}`)
    .join(', ');
}

/** Describes a peer certificate; `trusted`/`pinned` are filled by {@link evaluateCertificate}. */
export function describeCertificate(cert: PeerCertificate): CertificateInfo {
  return {
    sha256: cert.fingerprint256 ?? '',
    sha1: cert.fingerprint ?? '',
    subject: dn(cert.subject),
    issuer: dn(cert.issuer),
    not_after: cert.valid_to ? new Date(cert.valid_to).toISOString() : '',
    trusted: false,
    pinned: false,
  };
}

/**
 * Applies the policy to a freshly connected socket (after `secureConnect`).
 * @returns the certificate info, and `error` when the connection must be refused.
 */
export function evaluateCertificate(
  socket: TLSSocket,
  policy: { verify: boolean; pin: Thumbprint | undefined },
  origin: string,
): { info: CertificateInfo | undefined; error?: TlsVerificationError } {
  const cert = socket.getPeerCertificate();
  if (!cert || !cert.fingerprint256) {
    if (!policy.verify && !policy.pin) return { info: undefined };
    const error = new TlsVerificationError(`TLS: ${origin} presented no certificate`, {
      reason: 'NO_CERTIFICATE',
      fingerprint256: '',
      fingerprint1: '',
    });
    return { info: undefined, error };
  }
  const info = describeCertificate(cert);
  info.trusted = socket.authorized;
  const fp = { fingerprint256: info.sha256, fingerprint1: info.sha1 };
  if (policy.pin) {
    const seen = (policy.pin.algorithm === 'sha256' ? info.sha256 : info.sha1).replace(/:/g, '').toLowerCase();
    info.pinned = seen === policy.pin.hex;
    if (info.pinned) return { info };
    const error = new TlsVerificationError(
      `TLS: the certificate of ${origin} does not match the pinned ${policy.pin.algorithm.toUpperCase()} fingerprint; ` +
        `the server presented SHA-256 ${info.sha256} (SHA-1 ${info.sha1}). Pin it only if you trust it.`,
      { reason: 'PIN_MISMATCH', ...fp, certificate: info },
    );
    return { info, error };
  }
  if (!policy.verify || socket.authorized) return { info };
  const reason = String(socket.authorizationError ?? 'UNABLE_TO_VERIFY');
  const error = new TlsVerificationError(
    `TLS: the certificate of ${origin} is not trusted (${reason}); its SHA-256 fingerprint is ${info.sha256}. ` +
      `Pin that fingerprint (tls.thumbprint), give the issuing CA (tls.ca), or disable verification (tls.verify=false).`,
    { reason, ...fp, certificate: info },
  );
  return { info, error };
}
