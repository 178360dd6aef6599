/** Alerts (`alert.list`, live through the `alert.list` event): dismiss and restore. */
import { useState } from 'preact/hooks';
import { describe, when } from '../format.js';
import type { WireDate } from '../rpc.js';
import { ErrorBox, useLive, useRpc } from '../ui.js';

/** An alert as `alert.list` returns it (the fields shown). */
interface Alert {
  uuid: string;
  klass: string;
  level: string;
  formatted: string | null;
  text: string;
  datetime: WireDate;
  dismissed: boolean;
}

export function AlertsPage(_props: { arg: string | null }) {
  const rpc = useRpc();
  const list = useLive((r) => r.call<Alert[]>('alert.list'), ['alert.list'], []);
  const [error, setError] = useState<string | null>(null);
  const act = (method: string, uuid: string) => rpc.call(method, [uuid]).then(() => list.reload(), (e: unknown) => setError(describe(e)));
  return (
    <>
      <ErrorBox message={list.error ?? error} />
      {list.data?.length === 0 && <p>No alerts.</p>}
      <ul class="alerts">
        {list.data?.map((a) => (
          <li class={`alert ${a.level.toLowerCase()}${a.dismissed ? ' dismissed' : ''}`} data-testid={`alert-${a.klass}`}>
            <span class={`pill ${a.level === 'INFO' ? 'neutral' : a.level === 'WARNING' ? 'warn' : 'bad'}`}>{a.level}</span>
            <span class="text">{a.formatted ?? a.text}</span>
            <small class="muted">{when(a.datetime)}</small>
            {a.dismissed ? (
              <button type="button" onClick={() => act('alert.restore', a.uuid)}>
                Restore
              </button>
            ) : (
              <button type="button" onClick={() => act('alert.dismiss', a.uuid)}>
                Dismiss
              </button>
            )}
          </li>
        ))}
      </ul>
    </>
  );
}
