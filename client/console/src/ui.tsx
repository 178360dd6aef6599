/** Shared pieces of the console: the connection context, a live-data hook, fields, pills, pager. */
import { createContext, type ComponentChildren } from 'preact';
import { useCallback, useContext, useEffect, useRef, useState } from 'preact/hooks';
import { describe } from './format.js';
import type { Job, Rpc } from './rpc.js';

/** The page's connection (set by main.tsx). */
export const RpcContext = createContext<Rpc | null>(null);

/** The connection; throws outside the provider. */
export function useRpc(): Rpc {
  const rpc = useContext(RpcContext);
  if (!rpc) throw new Error('useRpc outside RpcContext');
  return rpc;
}

/** What {@link useLive} gives a page. */
export interface Live<T> {
  data: T | null;
  error: string | null;
  reload(): void;
}

/**
 * Loads `load()` now, again whenever `deps` change, whenever one of `events` sends a
 * `collection_update`, and after a reconnect. Stale answers (an older load finishing last) are dropped.
 */
export function useLive<T>(load: (rpc: Rpc) => Promise<T>, events: readonly string[], deps: readonly unknown[]): Live<T> {
  const rpc = useRpc();
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const seq = useRef(0);
  const run = useCallback(() => {
    const mine = ++seq.current;
    load(rpc).then(
      (v) => mine === seq.current && (setData(v), setError(null)),
      (e: unknown) => mine === seq.current && setError(describe(e)),
    );
  }, deps);
  useEffect(() => {
    run();
    const stops = events.map((e) => rpc.subscribe(e, run));
    window.addEventListener('vsnapd-resumed', run);
    return () => {
      for (const s of stops) s();
      window.removeEventListener('vsnapd-resumed', run);
    };
  }, [run]);
  return { data, error, reload: run };
}

/** A labelled form control with its error underneath (`aria-invalid`, `aria-describedby`). */
export function Field(props: { id: string; label: string; error?: string | undefined; hint?: string; children: ComponentChildren }) {
  return (
    <div class={`field${props.error ? ' invalid' : ''}`}>
      <label for={props.id}>{props.label}</label>
      {props.children}
      {props.hint && <small class="hint">{props.hint}</small>}
      {props.error && (
        <small class="error" id={`${props.id}-error`} role="alert">
          {props.error}
        </small>
      )}
    </div>
  );
}

/** Props for an input bound to a field error. */
export function invalid(id: string, error: string | undefined): Record<string, string | boolean> {
  return error ? { 'aria-invalid': true, 'aria-describedby': `${id}-error` } : {};
}

/** A state pill; `title` carries the error text of an ERROR pill. */
export function Pill(props: { state: string; text?: string | undefined }) {
  const tone = /SUCCESS|FINISHED|READY|CLEANED|ok|full|snapshotted|snapshot$/i.test(props.state)
    ? 'good'
    : /ERROR|FAILED|failed|none/i.test(props.state)
      ? 'bad'
      : /PARTIAL|partial|skip|HOLD/i.test(props.state)
        ? 'warn'
        : 'neutral';
  return (
    <span class={`pill ${tone}`} title={props.text}>
      {props.state}
      {props.text ? `: ${props.text}` : ''}
    </span>
  );
}

/** An error box (role=alert so screen readers announce it). */
export function ErrorBox(props: { message: string | null | undefined }) {
  return props.message ? (
    <p class="error-box" role="alert">
      {props.message}
    </p>
  ) : null;
}

/** Previous/next through `total` rows, `limit` at a time. */
export function Pager(props: { offset: number; limit: number; total: number | null; onOffset(o: number): void }) {
  const { offset, limit, total } = props;
  if (total === null || total <= limit) return null;
  return (
    <nav class="pager" aria-label="Pages">
      <button type="button" disabled={offset === 0} onClick={() => props.onOffset(Math.max(0, offset - limit))}>
        Previous
      </button>
      <span>
        {offset + 1}–{Math.min(offset + limit, total)} of {total}
      </span>
      <button type="button" disabled={offset + limit >= total} onClick={() => props.onOffset(offset + limit)}>
        Next
      </button>
    </nav>
  );
}

/** A toolbar's "Dataset starts with" search box; `onInput` gets the text as typed. */
export function DatasetPrefixFilter(props: { value: string; onInput(prefix: string): void }) {
  return (
    <label class="inline">
      Dataset starts with{' '}
      <input type="search" value={props.value} onInput={(e) => props.onInput(e.currentTarget.value)} />
    </label>
  );
}

/**
 * The button of one action run through {@link useAction}: disabled while any action runs (`busy` not
 * null) or when `disabled`; reads `running` while its own action `name` runs, else `label`.
 */
export function ActionButton(props: { name: string; busy: string | null; label: string; running: string; onClick(): void; disabled?: boolean; class?: string }) {
  return (
    <button type="button" class={props.class} disabled={props.busy !== null || props.disabled === true} onClick={() => props.onClick()}>
      {props.busy === props.name ? props.running : props.label}
    </button>
  );
}

/** Rows of one page plus the total count (two calls with the same filters: count, then the page). */
export async function queryPage<T>(rpc: Rpc, method: string, filters: unknown[], options: Record<string, unknown>): Promise<{ rows: T[]; total: number }> {
  const [total, rows] = await Promise.all([rpc.call<number>(method, [filters, { count: true }]), rpc.call<T[]>(method, [filters, options])]);
  return { rows, total };
}

/** A table with column headings (scrolls sideways inside its box when too wide). */
export function Table(props: { columns: readonly string[]; children: ComponentChildren }) {
  return (
    <div class="table-wrap">
      <table class="list">
        <thead>
          <tr>
            {props.columns.map((c) => (
              <th scope="col">{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </div>
  );
}

/** What {@link useAction} gives: which action runs (null when none), its error, and the runner. */
export interface Action {
  busy: string | null;
  error: string | null;
  act(what: string, fn: () => Promise<void>): Promise<void>;
}

/** Runs one button's action at a time, keeping its error as text (`host` for "Cannot reach …"). */
export function useAction(host?: string): Action {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = async (what: string, fn: () => Promise<void>) => {
    setBusy(what);
    setError(null);
    try {
      await fn();
    } catch (err) {
      setError(describe(err, host));
    } finally {
      setBusy(null);
    }
  };
  return { busy, error, act };
}

/** A form's Save (submit) and Cancel buttons. */
export function FormButtons(props: { busy: boolean; label: string; onCancel(): void }) {
  return (
    <div class="actions">
      <button type="submit" class="primary" disabled={props.busy}>
        {props.busy ? 'Saving…' : props.label}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </div>
  );
}

/** Rows per page of the paged lists. */
export const PAGE_SIZE = 20;

/** A job's live progress: a progress bar and a status line "STATE n% description". */
export function JobProgress(props: { job: Job; label: string }) {
  const j = props.job;
  return (
    <div class="progress" data-testid="job-progress">
      <progress max={100} value={j.progress.percent ?? undefined} aria-label={props.label} />
      <span role="status">
        {j.state} {j.progress.percent ?? 0}% {j.progress.description}
      </span>
    </div>
  );
}

/** Saves `body` as a file download (a blob: URL, so nothing leaves the browser). */
export function download(name: string, body: string, type: string): void {
  const url = URL.createObjectURL(new Blob([body], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
