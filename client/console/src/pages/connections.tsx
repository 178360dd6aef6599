/**
 * VMware connections (`vmware.*` entries): the list with state and health, re-test of a saved entry
 * (`vmware.test(id)`, the stored password is reused), inventory export (`vmware.inventory` as a
 * JSON download), delete with confirmation, and the add/edit form (connection-form.tsx).
 */
import { useState } from 'preact/hooks';
import { when } from '../format.js';
import { ActionButton, download, ErrorBox, PAGE_SIZE, Pager, Pill, queryPage, useAction, useLive, useRpc } from '../ui.js';
import { ConnectionForm } from './connection-form.js';
import { TestResultView, type TestResult } from './test-result.js';
import type { VmwareEntry } from './vmware-entry.js';

function Health(props: { e: VmwareEntry }) {
  const h = props.e.health;
  return (
    <dl class="health">
      <dt>Last success</dt>
      <dd>{when(h.last_success)}</dd>
      <dt>Last error</dt>
      <dd>{h.last_error ? `${h.last_error.class}: ${h.last_error.message} (${when(h.last_failure)})` : '—'}</dd>
      <dt>Failures in a row</dt>
      <dd>{h.consecutive_failures}</dd>
      <dt>Poll interval</dt>
      <dd>{h.poll_interval_seconds ? `${h.poll_interval_seconds} s` : 'not polled'}</dd>
      <dt>Observed</dt>
      <dd>{h.summary ? `${h.summary.hosts} hosts, ${h.summary.vms} VMs (${h.summary.protected_vms} protected), ${h.summary.datastores} datastores` : '—'}</dd>
    </dl>
  );
}

function Row(props: { e: VmwareEntry; onEdit(): void }) {
  const rpc = useRpc();
  const { e } = props;
  const [test, setTest] = useState<TestResult | null>(null);
  const { busy, error, act } = useAction(e.hostname);
  const retest = () => act('test', async () => setTest(await rpc.call<TestResult>('vmware.test', [e.id])));
  const exportInventory = () => act('export', async () => download(`vmware-inventory-${e.id}.json`, JSON.stringify(await rpc.call('vmware.inventory', [e.id]), null, 2), 'application/json'));
  const remove = () =>
    act('delete', async () => {
      if (confirm(`Delete the VMware connection to ${e.hostname} (${e.filesystem})? Snapshot tasks and vCenter are not changed.`)) {
        await rpc.call('vmware.delete', [e.id]);
      }
    });
  return (
    <article class="card" data-testid={`connection-${e.id}`} aria-label={`Connection ${e.hostname}`}>
      <header>
        <h2>
          {e.hostname}
          {e.port !== 443 ? `:${e.port}` : ''}
        </h2>
        <Pill state={e.state.state} text={e.state.error} />
        {!e.enabled && <span class="pill neutral">disabled</span>}
      </header>
      <dl>
        <dt>User</dt>
        <dd>{e.username}</dd>
        <dt>Filesystem</dt>
        <dd>{e.filesystem}</dd>
        <dt>Datastores</dt>
        <dd>{e.datastores.join(', ') || '—'}</dd>
        <dt>Certificate</dt>
        <dd>{e.tls.thumbprint ? `pinned ${e.tls.thumbprint}` : e.tls.ca ? 'custom CA' : e.tls.verify ? 'system CAs' : 'not verified'}</dd>
      </dl>
      <Health e={e} />
      <div class="actions">
        <button type="button" onClick={props.onEdit}>
          Edit
        </button>
        <ActionButton name="test" busy={busy} label="Test" running="Testing…" onClick={retest} />
        <ActionButton name="export" busy={busy} label="Export inventory" running="Exporting…" onClick={exportInventory} />
        <button type="button" class="danger" onClick={remove} disabled={busy !== null}>
          Delete
        </button>
      </div>
      <ErrorBox message={error} />
      {test && <TestResultView result={test} />}
    </article>
  );
}

export function ConnectionsPage(_props: { arg: string | null }) {
  const [offset, setOffset] = useState(0);
  const list = useLive((rpc) => queryPage<VmwareEntry>(rpc, 'vmware.query', [], { order_by: ['hostname', 'id'], limit: PAGE_SIZE, offset }), ['vmware.query'], [offset]);
  const [editing, setEditing] = useState<VmwareEntry | 'new' | null>(null);
  return (
    <>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setEditing('new')} disabled={editing !== null}>
          Add connection
        </button>
      </div>
      {editing && <ConnectionForm entry={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      <ErrorBox message={list.error} />
      {list.data?.total === 0 && <p>No VMware connections yet.</p>}
      <div class="cards">
        {list.data?.rows.map((e) => (
          <Row key={e.id} e={e} onEdit={() => setEditing(e)} />
        ))}
      </div>
      <Pager offset={offset} limit={PAGE_SIZE} total={list.data?.total ?? null} onOffset={setOffset} />
    </>
  );
}
