/**
 * `vmware.test`: logs in and reads the inventory once, and reports what the server is, its
 * certificate (also when the certificate was refused, so the user can compare and pin it), its
 * datastores and how long it took. Failures are results (`ok: false` with `error {class, message}`),
 * not call errors: a test that fails has done its job. Testing a saved entry unchanged records the
 * outcome in its `health`.
 */
import type { CertificateInfo } from '../../vsphere/index.js';
import { TlsVerificationError } from '../../vsphere/index.js';
import type { VmwareEntries } from './entries-service.js';
import type { VmwareTestResultOut } from './schemas.js';
import { summarize } from './summary.js';
import { selectOnServer } from './sync/rules/server-select.js';
import type { ResolvedTarget } from './targets.js';
import { matchableDatastoreNames } from './validate.js';

/** The certificate as `vmware.test` reports it. */
export function certificateReport(c: CertificateInfo | undefined): VmwareTestResultOut['certificate'] {
  if (!c) return null;
  return { sha256: c.sha256, sha1: c.sha1, subject: c.subject, issuer: c.issuer, not_after: c.not_after, trusted: c.trusted, pinned: c.pinned };
}

/** Runs the test against a resolved target. Never throws for server-side failures. */
export async function testConnection(entries: VmwareEntries, t: ResolvedTarget): Promise<VmwareTestResultOut> {
  const started = Date.now();
  const latency = () => Math.max(0, Math.round(Date.now() - started));
  const record = t.entry !== null && !t.connectionChanged;
  try {
    const client = await entries.connect(t.target);
    try {
      // A saved entry's rules apply to the summary it records (tags read only when a rule names one).
      const rules = record && t.entry ? [{ datastores: t.datastores, rules: t.entry.rules }] : [];
      const { inventory: inv, selections } = await selectOnServer(client, () => entries.connectTags(t.target), rules, null, t.datastores);
      const result: VmwareTestResultOut = {
        ok: true,
        product: client.about.fullName || client.about.name || null,
        version: client.about.version || null,
        api_version: client.apiVersion || null,
        certificate: certificateReport(client.certificate),
        datastores: matchableDatastoreNames(inv),
        latency_ms: latency(),
      };
      if (record && t.entry) await entries.recordHealth(t.entry.id, { ok: true, at: started, summary: summarize(inv, selections) });
      return result;
    } finally {
      await client.close().catch(() => undefined);
    }
  } catch (err) {
    const d = entries.describeError(err);
    if (record && t.entry) await entries.recordHealth(t.entry.id, { ok: false, at: started, error: { class: d.class, message: d.message } });
    return {
      ok: false,
      product: null,
      version: null,
      api_version: null,
      certificate: err instanceof TlsVerificationError ? certificateReport(err.certificate) : null,
      datastores: [],
      latency_ms: latency(),
      error: { class: d.class, message: d.message },
    };
  }
}
