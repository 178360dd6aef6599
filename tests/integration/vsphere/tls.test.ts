// Integration: the per-connection TLS policy against vcsim's self-signed certificate. Untrusted by
// default (error with the SHA-256 fingerprint to pin), trusted with the custom CA, accepted by a
// SHA-256 or SHA-1 pin, refused by a wrong pin, accepted with verify:false. Never process-wide.
import { rootCertificates } from 'node:tls';
import t from 'tap';
import { TlsVerificationError, VsphereClient } from '../../../vsphere/index.js';
import { startVcsim } from '../../fixtures/vcsim/index.js';
import { connectClient, optionsFor } from '../../helpers/vsphere.js';

const vc = await startVcsim({}, { t });

async function refusal(opts: Parameters<typeof optionsFor>[1]): Promise<TlsVerificationError> {
  const err: unknown = await VsphereClient.connect(optionsFor(vc, opts)).then(
    async (c) => {
      await c.close();
      return undefined;
    },
    (e: unknown) => e,
  );
  if (!(err instanceof TlsVerificationError)) throw new Error(`expected a TlsVerificationError, got ${String(err)}`);
  return err;
}

t.test('system CAs (the default): refused (untrusted-certificate), fingerprint to pin in the error', async (t) => {
  const err = await refusal({ tls: {} });
  t.equal(err.kind, 'untrusted-certificate');
  t.equal(err.category, 'tls');
  t.equal(err.fingerprint256, vc.thumbprintSha256);
  t.equal(err.fingerprint1, vc.thumbprintSha1);
  t.match(err.reason, /SELF_SIGNED|UNABLE_TO_VERIFY/);
  t.ok(err.message.includes(vc.thumbprintSha256), 'the message shows the SHA-256 fingerprint');
  t.match(err.certificate, { sha256: vc.thumbprintSha256, trusted: false, pinned: false });
  t.equal(process.env.NODE_TLS_REJECT_UNAUTHORIZED, undefined, 'nothing process-wide was touched');
});

t.test('custom CA: the simulator certificate as CA is trusted', async (t) => {
  const c = await connectClient(t, vc, { tls: { ca: vc.certPem } });
  t.match(c.certificate, { sha256: vc.thumbprintSha256, sha1: vc.thumbprintSha1, trusted: true, pinned: false });
  t.match(c.certificate?.not_after, /^\d{4}-\d\d-\d\dT/);
});

t.test('custom CA that did not issue the certificate: refused', async (t) => {
  const other = rootCertificates[0];
  t.ok(other, 'the system has root certificates');
  const err = await refusal({ tls: { ca: other ?? '' } });
  t.equal(err.fingerprint256, vc.thumbprintSha256);
});

t.test('custom CA but the wrong host name: refused (host name is checked)', async (t) => {
  // The certificate's SANs are 127.0.0.1, ::1 and example.com; "localhost" is not among them.
  const err = await refusal({ host: 'localhost', tls: { ca: vc.certPem } });
  t.match(err.reason, /ALTNAME|HOST/);
});

t.test('pinned SHA-256 (display form) accepted without any CA, even on a wrong host name', async (t) => {
  const c = await connectClient(t, vc, { host: 'localhost', tls: { thumbprint: vc.thumbprintSha256 } });
  t.match(c.certificate, { pinned: true, trusted: false });
  t.ok((await c.inventory()).hosts.length > 0);
});

t.test('pinned SHA-1, lower case without colons (vCenter display form varies), accepted', async (t) => {
  const c = await connectClient(t, vc, { tls: { thumbprint: vc.thumbprintSha1.replace(/:/g, '').toLowerCase() } });
  t.equal(c.certificate?.pinned, true);
});

t.test('wrong pin refused, also when a trusted CA is given and with verify:false', async (t) => {
  const wrong = vc.thumbprintSha256.replace(/^../, vc.thumbprintSha256.startsWith('00') ? '11' : '00');
  for (const tls of [{ thumbprint: wrong }, { thumbprint: wrong, ca: vc.certPem }, { thumbprint: wrong, verify: false }]) {
    const err = await refusal({ tls });
    t.equal(err.reason, 'PIN_MISMATCH');
    t.equal(err.fingerprint256, vc.thumbprintSha256, 'the real fingerprint is reported');
    t.match(err.message, /does not match the pinned SHA256 fingerprint/);
  }
});

t.test('verify:false accepts the certificate (only when asked)', async (t) => {
  const c = await connectClient(t, vc, { tls: { verify: false } });
  t.match(c.certificate, { trusted: false, pinned: false, sha256: vc.thumbprintSha256 });
});
