/**
 * Protection at a glance (`vmware.protection_status`): per VM the last VM-consistent snapshot, its
 * age and kind, the task that covers the VM and that task's expected interval. VMs past 2 intervals
 * and VMs no task covers are highlighted. Filtered and sorted on the server (query filters and
 * `order_by`), paged; "Export CSV" downloads every row the filters select, in the same order.
 */
import { useState } from 'preact/hooks';
import { toCsv, type CsvColumn } from '../csv.js';
import { span, when } from '../format.js';
import type { WireDate } from '../rpc.js';
import { download, ErrorBox, PAGE_SIZE, Pager, Pill, queryPage, useAction, useLive, useRpc } from '../ui.js';
import { missing } from './runs.js';

/** A VM's protection status (`vmware.protection_status`). */
interface ProtectionRow {
  id: string;
  name: string;
  hostname: string;
  protected: boolean;
  last_snapshot: string | null;
  last_snapshot_at: WireDate | null;
  last_kind: string | null;
  last_run_id: string;
  last_state: string;
  last_action: string;
  last_reason: string | null;
  age_ms: number | null;
  covered: boolean;
  task_id: number | null;
  task_dataset: string | null;
  expected_interval_ms: number | null;
  overdue: boolean;
}

/** Sortable columns: heading → `order_by` field. */
const COLUMNS: readonly (readonly [string, string | null])[] = [
  ['VM', 'name'],
  ['vCenter', 'hostname'],
  ['Last VM-consistent snapshot', 'last_snapshot_at.$date'],
  ['Age', 'age_ms'],
  ['Kind', 'last_kind'],
  ['Task', 'task_id'],
  ['Interval', 'expected_interval_ms'],
  ['Status', null],
  ['Last run', 'last_state'],
];

const SHOW = {
  all: { label: 'all VMs', filters: [] },
  attention: { label: 'overdue or not covered', filters: [['OR', [['overdue', '=', true], ['covered', '=', false]]]] },
  overdue: { label: 'overdue', filters: [['overdue', '=', true]] },
  uncovered: { label: 'not covered by a task', filters: [['covered', '=', false]] },
} as const;
type Show = keyof typeof SHOW;

const kind = (r: ProtectionRow) => r.last_kind?.replace('_', '-') ?? null;
const status = (r: ProtectionRow) => (!r.covered ? 'not covered' : r.overdue ? 'overdue' : 'ok');

const CSV: CsvColumn<ProtectionRow>[] = [
  { header: 'vm', value: (r) => r.name },
  { header: 'vcenter', value: (r) => r.hostname },
  { header: 'last_snapshot', value: (r) => r.last_snapshot },
  { header: 'last_snapshot_at', value: (r) => (r.last_snapshot_at ? new Date(r.last_snapshot_at.$date).toISOString() : null) },
  { header: 'age_seconds', value: (r) => (r.age_ms === null ? null : Math.floor(r.age_ms / 1000)) },
  { header: 'kind', value: (r) => r.last_kind },
  { header: 'task_id', value: (r) => r.task_id },
  { header: 'task_dataset', value: (r) => r.task_dataset },
  { header: 'interval_seconds', value: (r) => (r.expected_interval_ms === null ? null : r.expected_interval_ms / 1000) },
  { header: 'status', value: status },
  { header: 'last_state', value: (r) => r.last_state },
  { header: 'last_action', value: (r) => r.last_action },
  { header: 'last_reason', value: (r) => r.last_reason },
];

function SortHeading(props: { label: string; field: string | null; order: string; onOrder(o: string): void }) {
  const { field, order } = props;
  if (!field) return <th scope="col">{props.label}</th>;
  const dir = order === field ? 'ascending' : order === `-${field}` ? 'descending' : undefined;
  return (
    <th scope="col" aria-sort={dir ?? 'none'}>
      <button type="button" class="sort" onClick={() => props.onOrder(dir === 'ascending' ? `-${field}` : field)}>
        {props.label}
        <span aria-hidden="true">{dir === 'ascending' ? ' ▲' : dir === 'descending' ? ' ▼' : ''}</span>
      </button>
    </th>
  );
}

export function ProtectionPage(_props: { arg: string | null }) {
  const rpc = useRpc();
  const [offset, setOffset] = useState(0);
  const [name, setName] = useState('');
  const [show, setShow] = useState<Show>('all');
  const [order, setOrder] = useState('name');
  const filters = [...SHOW[show].filters, ...(name ? [['name', '^', name]] : [])];
  const orderBy = [order, 'id'];
  const page = useLive(
    (r) => queryPage<ProtectionRow>(r, 'vmware.protection_status', filters, { limit: PAGE_SIZE, offset, order_by: orderBy }),
    ['vmware.run.query', 'pool.snapshottask.query'],
    [offset, name, show, order],
  );
  const { busy, error, act } = useAction();
  const exportCsv = () =>
    act('csv', async () => download('vsnapd-protection.csv', toCsv(CSV, await rpc.call<ProtectionRow[]>('vmware.protection_status', [filters, { order_by: orderBy }])), 'text/csv'));
  return (
    <section aria-label="Protection status">
      <div class="toolbar">
        <label class="inline">
          Show{' '}
          <select value={show} onChange={(e) => (setShow(e.currentTarget.value as Show), setOffset(0))}>
            {(Object.keys(SHOW) as Show[]).map((k) => (
              <option value={k}>{SHOW[k].label}</option>
            ))}
          </select>
        </label>
        <label class="inline">
          VM name starts with{' '}
          <input type="search" value={name} onInput={(e) => (setName(e.currentTarget.value), setOffset(0))} />
        </label>
        <button type="button" disabled={busy !== null} onClick={exportCsv}>
          Export CSV
        </button>
      </div>
      <ErrorBox message={missing(page.error, 'vmware.protection_status') ?? error} />
      <div class="table-wrap">
        <table class="list">
          <thead>
            <tr>
              {COLUMNS.map(([label, field]) => (
                <SortHeading label={label} field={field} order={order} onOrder={(o) => (setOrder(o), setOffset(0))} />
              ))}
            </tr>
          </thead>
          <tbody>
            {page.data?.rows.map((r) => (
              <tr data-testid={`protection-${r.name}`} class={r.overdue || !r.covered ? 'attention' : undefined}>
                <td>{r.name}</td>
                <td>{r.hostname}</td>
                <td>
                  {r.last_snapshot ?? 'never'}
                  <small class="muted"> {r.last_snapshot_at ? when(r.last_snapshot_at) : ''}</small>
                </td>
                <td>{span(r.age_ms)}</td>
                <td>{kind(r) ?? '—'}</td>
                <td>{r.task_id === null ? '—' : `${r.task_dataset ?? ''} (task ${r.task_id})`}</td>
                <td>{r.covered ? span(r.expected_interval_ms) : '—'}</td>
                <td>
                  <span class={`pill ${r.covered && !r.overdue ? 'good' : 'bad'}`}>{status(r)}</span>
                </td>
                <td>
                  <a href={`#/runs/${encodeURIComponent(r.last_run_id)}`}>
                    <Pill state={r.last_state} />
                  </a>{' '}
                  {r.last_action}
                  {r.last_reason && <small class="muted"> {r.last_reason}</small>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {page.data?.total === 0 && <p>{show !== 'all' || name ? 'No VM matches.' : 'No VM has been through a coordinated run yet.'}</p>}
      <Pager offset={offset} limit={PAGE_SIZE} total={page.data?.total ?? null} onOffset={setOffset} />
    </section>
  );
}
