/**
 * `vmware.plan`'s answer: per entry and VM, snapshot (quiesced or crash-consistent) or skip and why,
 * the selection rule that decided it and the entry's rule warnings (unknown tags, globs matching nothing).
 */
import { Pill } from '../ui.js';

/** `vmware.plan`'s result (plugins/vmware/sync/report.ts PlanResult). */
export interface Plan {
  dataset: string;
  entries: {
    id: number;
    hostname: string;
    status: string;
    error: string | null;
    missing_datastores: string[];
    warnings?: string[];
    vms: {
      name: string;
      action: string;
      kind?: string | null;
      reason: string | null;
      rule?: string | null;
      mode_rule?: string | null;
      warnings: string[];
      datastores: string[];
    }[];
  }[];
  summary: { snapshot: number; skip: number; quiesced: number };
}

export function PlanView(props: { plan: Plan; onClose(): void }) {
  const p = props.plan;
  return (
    <section class="plan" aria-label={`Plan for ${p.dataset}`} data-testid="plan">
      <h2>
        Plan for {p.dataset}: {p.summary.snapshot} to snapshot ({p.summary.quiesced} quiesced), {p.summary.skip} skipped
      </h2>
      {p.entries.length === 0 && <p>No enabled VMware connection covers this dataset: the snapshot would not be coordinated.</p>}
      {p.entries.map((e) => (
        <div>
          <p>
            {e.hostname}: <Pill state={e.status} text={e.error ?? undefined} />
            {e.missing_datastores.length > 0 && <small class="warning">Missing datastores: {e.missing_datastores.join(', ')}</small>}
            {(e.warnings ?? []).map((w) => (
              <small class="warning">{w}</small>
            ))}
          </p>
          <ul>
            {e.vms.map((v) => (
              <li>
                <strong>{v.name}</strong> <Pill state={v.action} /> {v.kind ? v.kind.replace('_', '-') : ''} {v.reason ?? ''}
                {v.rule && <small>rule: {v.rule}</small>}
                {v.mode_rule && <small>mode: {v.mode_rule}</small>}
                {v.warnings.map((w) => <small class="warning">{w}</small>)}
              </li>
            ))}
          </ul>
        </div>
      ))}
      <button type="button" onClick={props.onClose}>
        Close plan
      </button>
    </section>
  );
}
