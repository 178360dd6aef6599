/**
 * The restores (`vmware.restore.query`, live through its event): state, what exists (clone, share,
 * datastore, registered VMs), and "Clean up" (`vmware.restore_cleanup`, asked first) with live
 * progress. FAILED restores are highlighted: something may be left that only a cleanup removes.
 */
import { useState } from 'preact/hooks';
import { when } from '../format.js';
import type { Job, WireDate } from '../rpc.js';
import { ErrorBox, JobProgress, Pill, Table, useAction, useLive, useRpc } from '../ui.js';

/** A restore record (`vmware.restore.query`; the fields shown). */
export interface RestoreEntry {
  id: string;
  snapshot: string;
  state: string;
  error: string | null;
  started_at: WireDate;
  host: { moref: string; name: string };
  clone: { name: string; created: boolean };
  share: { path: string | null; created: boolean };
  datastore: { name: string; created: boolean };
  vms: { source: string; name: string; registered: boolean; powered_on: boolean; nics_disconnected: number | null }[];
}

/** What of a restore exists now, in words. */
function exists(r: RestoreEntry): string {
  const parts = [
    r.clone.created && `clone ${r.clone.name}`,
    r.share.created && `share ${r.share.path ?? ''}`,
    r.datastore.created && `datastore ${r.datastore.name} on ${r.host.name}`,
    ...r.vms.filter((v) => v.registered).map((v) => `VM ${v.name} (${v.powered_on ? 'powered on' : 'powered off'})`),
  ].filter((p): p is string => typeof p === 'string');
  return parts.length ? parts.join(', ') : 'nothing';
}

function RestoreRow(props: { r: RestoreEntry; onCleaned(r: RestoreEntry): void }) {
  const rpc = useRpc();
  const { r } = props;
  const [job, setJob] = useState<Job | null>(null);
  const { busy, error, act } = useAction();
  const cleanup = () =>
    act('cleanup', async () => {
      if (!confirm(`Clean up restore ${r.id}? This powers off and unregisters ${r.vms.map((v) => v.name).join(', ') || 'its VMs'}, unmounts datastore ${r.datastore.name}, deletes its share and destroys clone ${r.clone.name}.`)) return;
      props.onCleaned(await rpc.job<RestoreEntry>('vmware.restore_cleanup', [r.id], setJob));
    });
  return (
    <tr data-testid={`restore-${r.id}`} class={r.state === 'FAILED' ? 'attention' : undefined}>
      <td>{r.id}</td>
      <td>
        {r.snapshot}
        <small class="muted"> {when(r.started_at)}</small>
      </td>
      <td>
        <Pill state={r.state} text={r.error ?? undefined} />
      </td>
      <td>{exists(r)}</td>
      <td class="actions">
        {r.state !== 'RESTORING' && r.state !== 'CLEANING' && (
          <button type="button" class="danger" disabled={busy !== null} onClick={cleanup}>
            {busy ? 'Cleaning up…' : 'Clean up'}
          </button>
        )}
        {job && <JobProgress job={job} label={`Cleanup progress of ${r.id}`} />}
        <ErrorBox message={error} />
      </td>
    </tr>
  );
}

export function RestoreList() {
  const list = useLive((rpc) => rpc.call<RestoreEntry[]>('vmware.restore.query', [[], { order_by: ['-started_at.$date'] }]), ['vmware.restore.query'], []);
  const [cleaned, setCleaned] = useState<RestoreEntry | null>(null);
  return (
    <section aria-label="Restores">
      <h2>Restores</h2>
      <ErrorBox message={list.error} />
      {cleaned && (
        <p role="status" class={cleaned.state === 'CLEANED' ? 'done' : 'error-box'}>
          {cleaned.state === 'CLEANED' ? `Restore ${cleaned.id} is cleaned up: nothing of it is left.` : `The cleanup of restore ${cleaned.id} stopped: ${cleaned.error ?? ''} Left: ${exists(cleaned)}.`}
        </p>
      )}
      {list.data?.length === 0 ? (
        <p>No restores exist.</p>
      ) : (
        <Table columns={['Restore', 'Snapshot', 'State', 'What exists', 'Actions']}>
          {list.data?.map((r) => (
            <RestoreRow key={r.id} r={r} onCleaned={setCleaned} />
          ))}
        </Table>
      )}
    </section>
  );
}
