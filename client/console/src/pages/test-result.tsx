/** What `vmware.test` found: product, latency, datastores, or the failure; the certificate with a "pin" action when it is not trusted. */

/** `vmware.test`'s result (plugins/vmware/schemas.ts VmwareTestResult). */
export interface TestResult {
  ok: boolean;
  product: string | null;
  version: string | null;
  api_version: string | null;
  certificate: { sha256: string; sha1: string; subject: string; issuer: string; not_after: string; trusted: boolean; pinned: boolean } | null;
  datastores: string[];
  latency_ms: number;
  error?: { class: string; message: string };
}

export function TestResultView(props: { result: TestResult; onPin?: (sha256: string) => void }) {
  const r = props.result;
  const cert = r.certificate;
  return (
    <section class={`test-result ${r.ok ? 'good' : 'bad'}`} role="status" aria-label="Test result" data-testid="test-result">
      {r.ok ? (
        <p>
          Connected to {r.product ?? 'the server'} (API {r.api_version ?? '?'}) in {r.latency_ms} ms; datastores: {r.datastores.join(', ') || 'none'}.
        </p>
      ) : (
        <p>
          Test failed ({r.error?.class}): {r.error?.message}
        </p>
      )}
      {cert && (
        <div class="certificate">
          <p>
            Certificate of {cert.subject}, issued by {cert.issuer}, valid until {cert.not_after}:{' '}
            {cert.pinned ? 'pinned' : cert.trusted ? 'trusted' : 'not trusted'}.
          </p>
          {!cert.trusted && !cert.pinned && (
            <>
              <p>
                Compare this SHA-256 fingerprint with the one vCenter shows (Administration › Certificates) before pinning it:
              </p>
              <code class="fingerprint" data-testid="fingerprint">
                {cert.sha256}
              </code>
              {props.onPin && (
                <button type="button" onClick={() => props.onPin!(cert.sha256)}>
                  Pin this certificate
                </button>
              )}
            </>
          )}
        </div>
      )}
    </section>
  );
}
