/**
 * What to do after a VMware snapshot attempt failed (pure; reference B.6, B.10 step 4, A.10):
 * - a quiesce failure (`ApplicationQuiesceFault`: Tools/VSS or a pre-freeze script failed;
 *   `FilesystemQuiesceFault`: the guest could not be frozen within the I/O hold-off limit — often
 *   transient) is retried quiesced `quiesce_retries` times, then, with policy `fallback`, replaced by
 *   a crash-consistent snapshot; with policy `fail` the VM goes without one;
 * - a busy VM (`TaskInProgress`: another task holds it, e.g. a backup) is retried after a short pause
 *   `busy_retries` times, keeping the kind;
 * - a timeout is never retried (the snapshot may still appear: the sweep finds it by its marker);
 * - anything else (NoPermission, RestrictedVersion on free ESXi, InvalidState…) fails the VM.
 */
import { isVimFault, VsphereTimeoutError } from '../../../vsphere/index.js';
import type { SyncConfig } from './config.js';

/** The kind of snapshot an attempt takes. */
export type SnapshotKind = 'quiesced' | 'crash_consistent';

/** Why an attempt failed, as far as the policy cares. */
export type FailureClass = 'quiesce' | 'busy' | 'timeout' | 'other';

/** Counters of one VM's attempts so far. */
export interface AttemptState {
  /** Kind of the attempt that just failed. */
  kind: SnapshotKind;
  /** Quiesce failures so far, including this one. */
  quiesceFailures: number;
  /** Busy retries already made. */
  busyRetries: number;
}

/** The decision. */
export type NextStep =
  | { action: 'retry'; kind: SnapshotKind; delayMs: number; why: string }
  | { action: 'fail'; why: string };

/** Classifies a create error (SOAP fault of the call or task fault). */
export function classifyFailure(err: unknown): FailureClass {
  if (err instanceof VsphereTimeoutError) return 'timeout';
  if (isVimFault(err, 'ApplicationQuiesceFault') || isVimFault(err, 'FilesystemQuiesceFault')) return 'quiesce';
  if (isVimFault(err, 'TaskInProgress')) return 'busy';
  return 'other';
}

/** Decides the next step after a failed attempt; see the module comment. */
export function nextStep(
  state: AttemptState,
  failure: FailureClass,
  cfg: Pick<SyncConfig, 'quiesce_retries' | 'quiesce_failure' | 'busy_retries' | 'busy_retry_delay_ms'>,
): NextStep {
  switch (failure) {
    case 'quiesce':
      if (state.kind !== 'quiesced') return { action: 'fail', why: 'quiesce fault on a crash-consistent snapshot' };
      if (state.quiesceFailures <= cfg.quiesce_retries) {
        return { action: 'retry', kind: 'quiesced', delayMs: 0, why: `quiesce failed; retry ${state.quiesceFailures} of ${cfg.quiesce_retries}` };
      }
      if (cfg.quiesce_failure === 'fallback') {
        return { action: 'retry', kind: 'crash_consistent', delayMs: 0, why: `quiesce failed ${state.quiesceFailures} time(s); falling back to a crash-consistent snapshot` };
      }
      return { action: 'fail', why: `quiesce failed ${state.quiesceFailures} time(s) and quiesce_failure is "fail"` };
    case 'busy':
      if (state.busyRetries < cfg.busy_retries) {
        return { action: 'retry', kind: state.kind, delayMs: cfg.busy_retry_delay_ms, why: `VM busy (TaskInProgress); retry ${state.busyRetries + 1} of ${cfg.busy_retries}` };
      }
      return { action: 'fail', why: `VM still busy (TaskInProgress) after ${cfg.busy_retries} retries` };
    case 'timeout':
      return { action: 'fail', why: 'timed out; not retried (a snapshot that still appears is removed by the run or the sweep)' };
    default:
      return { action: 'fail', why: 'not retryable' };
  }
}
