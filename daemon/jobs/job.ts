/**
 * One job: its TrueNAS-shaped public record (what `core.get_jobs` returns and `core.get_jobs` events
 * carry) and the daemon-side state behind it. Field names and states follow TrueNAS `job.py`.
 */
import { CallError, ValidationErrors } from '../errors.js';
import type { AnyMethodDef, Credentials } from '../registry/method.js';

/** TrueNAS job states. WAITING = queued behind a lock; the last three are final. */
export type JobState = 'WAITING' | 'RUNNING' | 'SUCCESS' | 'FAILED' | 'ABORTED';

/** `progress`: percent 0–100 (null when unknown), a one-line description, free-form extra. */
export interface JobProgress {
  percent: number | null;
  description: string;
  extra: unknown;
}

/** `exc_info` of a failed job: `type` is `"VALIDATION"` for validation errors, else the error class. */
export interface JobExcInfo {
  repr: string;
  type: string;
  errno: number | null;
  extra: unknown;
}

/** The public record (dates are `Date`; the wire layer sends them as `{"$date": ms}`). */
export interface JobRecord {
  id: number;
  method: string;
  /** The call's arguments with secret fields replaced by `"********"`. */
  arguments: unknown[];
  transient: boolean;
  description: string | null;
  abortable: boolean;
  logs_path: string | null;
  /** The last lines the job logged, newline-separated (null until it logs). */
  logs_excerpt: string | null;
  progress: JobProgress;
  result: unknown;
  result_encoding_error: unknown;
  /** `"[ERRNAME] reason"` of a failed job, as TrueNAS's `str(exception)`. */
  error: string | null;
  /** The failure's stack trace. */
  exception: string | null;
  exc_info: JobExcInfo | null;
  state: JobState;
  time_started: Date;
  time_finished: Date | null;
  credentials: { type: string; data: { username: string } };
  /** JSON-RPC request ids of `legacy_jobs: false` calls waiting on this job (TrueNAS 25.10+). */
  message_ids: unknown[];
}

/** A job with its daemon-side state. */
export interface Job {
  readonly record: JobRecord;
  readonly def: AnyMethodDef;
  readonly args: unknown[];
  readonly credentials: Credentials;
  readonly lock: string | null;
  readonly controller: AbortController;
  /** Settles with the handler's result, or rejects with its error (ABORTED → JobAbortedError). */
  readonly done: Promise<unknown>;
  /** Lines logged so far (bounded). */
  readonly logLines: string[];
}

/** True when the state is final. */
export function isFinal(state: JobState): boolean {
  return state === 'SUCCESS' || state === 'FAILED' || state === 'ABORTED';
}

/** Describes an error for `error`/`exception`/`exc_info`. */
export function describeFailure(err: unknown): Pick<JobRecord, 'error' | 'exception' | 'exc_info'> {
  if (err instanceof ValidationErrors) {
    return {
      error: err.reason,
      exception: err.stack ?? null,
      exc_info: {
        repr: `ValidationErrors(${JSON.stringify(err.reason)})`,
        type: 'VALIDATION',
        errno: 22,
        extra: err.errors.map((e) => [e.attribute, e.message, e.errno]),
      },
    };
  }
  if (err instanceof CallError) {
    return {
      error: err.toString(),
      exception: err.stack ?? null,
      exc_info: { repr: `CallError(${JSON.stringify(err.message)})`, type: 'CallError', errno: err.errno, extra: err.extra },
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    error: e.message,
    exception: e.stack ?? null,
    exc_info: { repr: `${e.name}(${JSON.stringify(e.message)})`, type: e.name, errno: null, extra: null },
  };
}
