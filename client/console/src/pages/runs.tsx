/**
 * Runs: the run history (`vmware.run.query`, newest first, filtered by outcome and dataset on the
 * server, paged) and one run's per-VM report (`vmware.run.get_instance`, at #/runs/<id>). The
 * protection status per VM is protection.tsx.
 */
import { useState } from 'preact/hooks';
import { duration, when } from '../format.js';
import type { WireDate } from '../rpc.js';
import { DatasetPrefixFilter, ErrorBox, PAGE_SIZE, Pager, Pill, queryPage, Table, useLive } from '../ui.js';
import { ReportView, type SyncReport } from './report-view.js';

/** A run record (the shared run-history contract). */
interface RunRecord extends SyncReport {
  id: string;
  dataset: string;
  recursive: boolean;
  trigger: { type: string; task_id: number | null };
  started_at: WireDate;
  ended_at: WireDate | null;
  state: string;
  error: string | null;
}

const OUTCOMES = ['SUCCESS', 'PARTIAL', 'NONE', 'FAILED'];

/** "not available" for a daemon without the method, the error's text otherwise. */
export function missing(error: string | null, method: string): string | null {
  return error && /not found|ENOMETHOD|-32601/i.test(error) ? `This daemon has no ${method} (run history not available).` : error;
}

function RunDetail(props: { id: string }) {
  const run = useLive((rpc) => rpc.call<RunRecord>('vmware.run.get_instance', [props.id]), ['vmware.run.query'], [props.id]);
  return (
    <section aria-label="Run">
      <p>
        <a href="#/runs">All runs</a>
      </p>
      <ErrorBox message={run.error} />
      {run.data && (
        <>
          <dl>
            <dt>Run</dt>
            <dd>{run.data.id}</dd>
            <dt>Outcome</dt>
            <dd>
              <Pill state={run.data.state} text={run.data.error ?? undefined} />
            </dd>
            <dt>Started</dt>
            <dd>{when(run.data.started_at)}</dd>
            <dt>Took</dt>
            <dd>{run.data.ended_at ? duration(run.data.ended_at.$date - run.data.started_at.$date) : 'still running'}</dd>
            <dt>Trigger</dt>
            <dd>
              {run.data.trigger.type}
              {run.data.trigger.task_id !== null ? ` (task ${run.data.trigger.task_id})` : ''}
            </dd>
          </dl>
          <ReportView report={run.data} />
        </>
      )}
    </section>
  );
}

function RunList() {
  const [offset, setOffset] = useState(0);
  const [state, setState] = useState('');
  const [dataset, setDataset] = useState('');
  const filters = [...(state ? [['state', '=', state]] : []), ...(dataset ? [['dataset', '^', dataset]] : [])];
  const page = useLive(
    (rpc) => queryPage<RunRecord>(rpc, 'vmware.run.query', filters, { limit: PAGE_SIZE, offset, order_by: ['-started_at'] }),
    ['vmware.run.query'],
    [offset, state, dataset],
  );
  return (
    <section aria-label="Run history">
      <div class="toolbar">
        <label class="inline">
          Outcome{' '}
          <select value={state} onChange={(e) => (setState(e.currentTarget.value), setOffset(0))}>
            <option value="">any</option>
            {OUTCOMES.map((o) => (
              <option value={o}>{o}</option>
            ))}
          </select>
        </label>
        <DatasetPrefixFilter value={dataset} onInput={(prefix) => (setDataset(prefix), setOffset(0))} />
      </div>
      <ErrorBox message={missing(page.error, 'vmware.run.query')} />
      <Table columns={['Started', 'Snapshot', 'Trigger', 'Outcome', 'VM-consistent']}>
            {page.data?.rows.map((r) => (
              <tr data-testid={`run-${r.id}`}>
                <td>
                  <a href={`#/runs/${encodeURIComponent(r.id)}`}>{when(r.started_at)}</a>
                </td>
                <td>{r.snapshot}</td>
                <td>{r.trigger.type}</td>
                <td>
                  <Pill state={r.state} text={r.error ?? undefined} />
                </td>
                <td>{r.vmsynced ?? '—'}</td>
              </tr>
            ))}
      </Table>
      {page.data?.total === 0 && <p>No runs{state || dataset ? ' match' : ' yet'}.</p>}
      <Pager offset={offset} limit={PAGE_SIZE} total={page.data?.total ?? null} onOffset={setOffset} />
    </section>
  );
}

export function RunsPage(props: { arg: string | null }) {
  return props.arg ? (
    <RunDetail id={props.arg} />
  ) : (
    <RunList />
  );
}

