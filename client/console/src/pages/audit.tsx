/**
 * The audit log (`audit.query`): every write call and login, newest first, filtered on the server
 * by user, method and time (`timestamp.$date` with ISO-8601 bounds) and paged there.
 */
import { useState } from 'preact/hooks';
import { when } from '../format.js';
import type { WireDate } from '../rpc.js';
import { ErrorBox, PAGE_SIZE, Pager, Pill, queryPage, Table, useLive } from '../ui.js';

/** An audit record (the fields shown). */
interface AuditRow {
  id: number;
  timestamp: WireDate;
  address: string;
  username: string | null;
  event: string;
  event_data: { method?: string; params?: unknown; error?: string | null };
  success: boolean;
}

/** A `datetime-local` value (local time) → ISO-8601 UTC for a `.$date` filter; null when empty or invalid. */
function iso(local: string): string | null {
  const t = local ? new Date(local).getTime() : NaN;
  return Number.isNaN(t) ? null : new Date(t).toISOString();
}

export function AuditPage(_props: { arg: string | null }) {
  const [offset, setOffset] = useState(0);
  const [user, setUser] = useState('');
  const [method, setMethod] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const filters = [
    ...(user ? [['username', '=', user]] : []),
    ...(method ? [['event_data.method', '^', method]] : []),
    ...(iso(from) ? [['timestamp.$date', '>=', iso(from)]] : []),
    ...(iso(to) ? [['timestamp.$date', '<=', iso(to)]] : []),
  ];
  const page = useLive((rpc) => queryPage<AuditRow>(rpc, 'audit.query', filters, { limit: PAGE_SIZE, offset, order_by: ['-id'] }), [], [offset, user, method, from, to]);
  const on = (set: (v: string) => void) => (e: { currentTarget: HTMLInputElement }) => (set(e.currentTarget.value), setOffset(0));
  return (
    <section aria-label="Audit log">
      <div class="toolbar">
        <label class="inline">
          User <input type="search" value={user} onInput={on(setUser)} />
        </label>
        <label class="inline">
          Method starts with <input type="search" value={method} onInput={on(setMethod)} />
        </label>
        <label class="inline">
          From <input type="datetime-local" value={from} onInput={on(setFrom)} />
        </label>
        <label class="inline">
          To <input type="datetime-local" value={to} onInput={on(setTo)} />
        </label>
        <button type="button" onClick={page.reload}>
          Refresh
        </button>
      </div>
      <ErrorBox message={page.error} />
      <Table columns={['Time', 'User', 'From', 'Event', 'Method', 'Outcome']}>
        {page.data?.rows.map((r) => (
          <tr data-testid={`audit-${r.id}`}>
            <td>{when(r.timestamp)}</td>
            <td>{r.username ?? '—'}</td>
            <td>{r.address}</td>
            <td>{r.event === 'METHOD_CALL' ? 'call' : 'login'}</td>
            <td>
              <code>{r.event_data.method ?? '—'}</code>
            </td>
            <td>
              <Pill state={r.success ? 'ok' : 'failed'} text={r.event_data.error ?? undefined} />
            </td>
          </tr>
        ))}
      </Table>
      {page.data?.total === 0 && <p>No audit records{filters.length ? ' match' : ''}.</p>}
      <Pager offset={offset} limit={PAGE_SIZE} total={page.data?.total ?? null} onOffset={setOffset} />
    </section>
  );
}
