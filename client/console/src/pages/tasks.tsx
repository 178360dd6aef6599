/**
 * Snapshot tasks (`pool.snapshottask.*`): the list with the schedule in words and the last run's
 * state, "Plan" (`vmware.plan`: per VM, snapshot or skip and why), "Run now" with the job's live
 * progress and its per-VM report, edit, delete; the form is task-form.tsx.
 */
import { useState } from 'preact/hooks';
import { scheduleWords, when } from '../format.js';
import type { Job } from '../rpc.js';
import { ActionButton, DatasetPrefixFilter, ErrorBox, JobProgress, PAGE_SIZE, Pager, Pill, queryPage, Table, useAction, useLive, useRpc } from '../ui.js';
import { PlanView, type Plan } from './plan-view.js';
import { ReportView, type SyncReport } from './report-view.js';
import type { Task } from './snapshot-task.js';
import { TaskForm } from './task-form.js';

/** The task's last coordinated run from the run history, linked to its report. */
function LastRun(props: { taskId: number }) {
  const last = useLive(
    (rpc) => rpc.call<{ id: string; state: string }[]>('vmware.run.query', [[['trigger.task_id', '=', props.taskId]], { order_by: ['-started_at'], limit: 1 }]),
    ['vmware.run.query'],
    [props.taskId],
  );
  const run = last.data?.[0];
  return run ? (
    <a href={`#/runs/${encodeURIComponent(run.id)}`} class="last-run">
      last run <Pill state={run.state} />
    </a>
  ) : null;
}

function TaskRow(props: { task: Task; onEdit(): void }) {
  const rpc = useRpc();
  const t = props.task;
  const [plan, setPlan] = useState<Plan | null>(null);
  const [job, setJob] = useState<Job | null>(null);
  const [report, setReport] = useState<SyncReport | null>(null);
  const { busy, error, act } = useAction();
  const runNow = () =>
    act('run', async () => {
      setReport(null);
      const result = await rpc.job<{ vmware_sync: { report: SyncReport | null } | null } | null>('pool.snapshottask.run', [t.id], setJob);
      setReport(result?.vmware_sync?.report ?? null);
    });
  const remove = () =>
    act('delete', async () => {
      if (confirm(`Delete the snapshot task of ${t.dataset}? Its snapshots stay.`)) await rpc.call('pool.snapshottask.delete', [t.id]);
    });
  const s = t.state;
  const details = error || job || plan || report;
  return (
    <>
      <tr data-testid={`task-${t.id}`}>
        <td>
          {t.dataset}
          {t.recursive ? ' (recursive)' : ''}
          {!t.enabled && <span class="pill neutral">disabled</span>}
        </td>
        <td>{scheduleWords(t.schedule)}</td>
        <td>
          {t.lifetime_value} {t.lifetime_unit.toLowerCase()}
          {t.lifetime_value === 1 ? '' : 's'}
        </td>
        <td>
          <code>{t.naming_schema}</code>
        </td>
        <td>{t.vmware_sync ? 'yes' : 'no'}</td>
        <td>
          <Pill state={s.state} text={s.error} />
          <small class="muted">
            {' '}
            {when(s.datetime)}
            {s.last_snapshot ? ` · ${s.last_snapshot}` : ''}
          </small>
          {s.warnings?.map((w) => <small class="warning">{w}</small>)}
          {t.vmware_sync && <LastRun taskId={t.id} />}
        </td>
        <td class="actions">
          <button type="button" onClick={props.onEdit}>
            Edit
          </button>
          {t.vmware_sync && (
            <ActionButton
              name="plan"
              busy={busy}
              label="Plan"
              running="Planning…"
              onClick={() => act('plan', async () => setPlan(await rpc.call<Plan>('vmware.plan', [t.dataset, t.recursive, { rules: t.vmware_rules ?? null }])))}
            />
          )}
          <ActionButton name="run" busy={busy} label="Run now" running="Running…" onClick={runNow} />
          <button type="button" class="danger" disabled={busy !== null} onClick={remove}>
            Delete
          </button>
        </td>
      </tr>
      {details && (
        <tr class="details" data-testid={`task-${t.id}-details`}>
          <td colSpan={7}>
            <ErrorBox message={error} />
            {job && <JobProgress job={job} label="Run progress" />}
            {plan && <PlanView plan={plan} onClose={() => setPlan(null)} />}
            {report && <ReportView report={report} />}
          </td>
        </tr>
      )}
    </>
  );
}

export function TasksPage(_props: { arg: string | null }) {
  const [offset, setOffset] = useState(0);
  const [filter, setFilter] = useState('');
  const [editing, setEditing] = useState<Task | 'new' | null>(null);
  const filters = filter ? [['dataset', '^', filter]] : [];
  const page = useLive(
    (rpc) => queryPage<Task>(rpc, 'pool.snapshottask.query', filters, { limit: PAGE_SIZE, offset, order_by: ['dataset', 'id'] }),
    ['pool.snapshottask.query'],
    [offset, filter],
  );
  return (
    <>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setEditing('new')} disabled={editing !== null}>
          Add task
        </button>
        <DatasetPrefixFilter value={filter} onInput={(prefix) => (setFilter(prefix), setOffset(0))} />
      </div>
      {editing && <TaskForm task={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      <ErrorBox message={page.error} />
      <Table columns={['Dataset', 'Schedule', 'Keep', 'Naming schema', 'VMware sync', 'State (last run)', 'Actions']}>
            {page.data?.rows.map((t) => (
              <TaskRow key={t.id} task={t} onEdit={() => setEditing(t)} />
            ))}
      </Table>
      {page.data?.total === 0 && <p>No snapshot tasks{filter ? ' match' : ' yet'}.</p>}
      <Pager offset={offset} limit={PAGE_SIZE} total={page.data?.total ?? null} onOffset={setOffset} />
    </>
  );
}
