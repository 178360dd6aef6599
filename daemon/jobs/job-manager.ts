/**
 * Runs job methods (TrueNAS `@job`): each call becomes a numbered {@link Job} visible in
 * `core.get_jobs`, queued behind other jobs with the same lock key, abortable through an AbortSignal,
 * and streamed as `collection_update` events on `core.get_jobs` (added/changed with full fields,
 * removed when retention drops it). Implements the plugins' {@link Jobs} interface.
 */
import type { Logger } from 'pino';
import type { z } from 'zod';
import { CallError, Errno, JobAbortedError } from '../errors.js';
import type { EventBus, Jobs, StartedJob } from '../plugin.js';
import type { AnyMethodDef, ArgsIn, CallContext, CallSession, Credentials, JobHandle, MethodArg, MethodDef } from '../registry/method.js';
import { FULL_ADMIN, INTERNAL_ROOT, grants } from '../registry/roles.js';
import { redactSecrets } from '../redact.js';
import { describeFailure, isFinal, type Job, type JobRecord } from './job.js';

/** The event jobs are streamed on. */
export const JOBS_EVENT = 'core.get_jobs';
/** Lines kept for `logs_excerpt`. */
const LOG_LINES = 50;
/** After the grace time, how long aborted jobs get to unwind before shutdown proceeds (ms). */
const ABORT_UNWIND_MS = 3000;

/** What the manager needs. */
export interface JobManagerOptions {
  readonly events: EventBus;
  readonly log: Logger;
  /** Finished jobs kept (oldest dropped first). */
  readonly maxFinished: number;
  /** Validates positional args (the registry's); used by in-process {@link Jobs.start}. */
  readonly validateArgs: (def: AnyMethodDef, params: readonly unknown[]) => unknown[];
  /** Checks a result against the method's result schema (tests only); throws to fail the job. */
  readonly checkResult?: (def: AnyMethodDef, value: unknown) => void;
}

/** How a job was submitted. */
export interface SubmitOptions {
  readonly credentials: Credentials;
  /** The connection it came from (null for in-process jobs). */
  readonly session?: CallSession | null;
  /** The JSON-RPC id of a `legacy_jobs: false` call, recorded in `message_ids`. */
  readonly messageId?: unknown;
}

/** The job manager. */
export class JobManager implements Jobs {
  readonly #jobs = new Map<number, Job>();
  readonly #finished: number[] = [];
  readonly #locks = new Map<string, Promise<void>>();
  readonly #opts: JobManagerOptions;
  #nextId = 1;
  #accepting = true;

  constructor(opts: JobManagerOptions) {
    this.#opts = opts;
    opts.events.define(JOBS_EVENT, { description: 'Job state and progress changes', roles: [] });
  }

  /** Starts a job method in-process as root (INTERNAL), validating `args` like a wire call. */
  async start<A extends readonly MethodArg[], R extends z.ZodType>(
    def: MethodDef<A, R>,
    ...args: ArgsIn<A>
  ): Promise<StartedJob<z.output<R>>> {
    const any = def as unknown as AnyMethodDef;
    const parsed = this.#opts.validateArgs(any, args);
    const job = this.submit(any, parsed, { credentials: INTERNAL_ROOT });
    return { id: job.record.id, result: job.done as Promise<z.output<R>> };
  }

  /**
   * Creates and schedules a job for `def` with already validated `args`. Throws CallError EBUSY while
   * the daemon shuts down, and a plain Error if `def` is not a job method (a wiring bug).
   */
  submit(def: AnyMethodDef, args: unknown[], opts: SubmitOptions): Job {
    if (!def.job) throw new Error(`${def.name} is not a job method`);
    if (!this.#accepting) throw new CallError('The daemon is shutting down; no new jobs are accepted', Errno.EBUSY);
    const id = this.#nextId++;
    const lock = def.job.lock ? def.job.lock(args as never) : null;
    const record: JobRecord = {
      id,
      method: def.name,
      arguments: redactSecrets(args) as unknown[],
      transient: false,
      description: null,
      abortable: def.job.abortable !== false,
      logs_path: null,
      logs_excerpt: null,
      progress: { percent: 0, description: '', extra: null },
      result: null,
      result_encoding_error: null,
      error: null,
      exception: null,
      exc_info: null,
      state: 'WAITING',
      time_started: new Date(),
      time_finished: null,
      credentials: { type: opts.credentials.type, data: { username: opts.credentials.username } },
      message_ids: opts.messageId === undefined ? [] : [opts.messageId],
    };
    const controller = new AbortController();
    let resolveDone!: (v: unknown) => void;
    let rejectDone!: (e: unknown) => void;
    const done = new Promise<unknown>((res, rej) => {
      resolveDone = res;
      rejectDone = rej;
    });
    // A job nobody waits for must not become an unhandled rejection.
    done.catch(() => undefined);
    const job: Job = { record, def, args, credentials: opts.credentials, lock, controller, done, logLines: [] };
    this.#jobs.set(id, job);
    this.#publish('added', job);

    const previous = lock ? (this.#locks.get(lock) ?? Promise.resolve()) : Promise.resolve();
    const turn = previous.then(() => this.#run(job, opts.session ?? null)).then(resolveDone, rejectDone);
    if (lock) {
      const tail = turn.then(
        () => undefined,
        () => undefined,
      );
      this.#locks.set(lock, tail);
      void tail.then(() => {
        if (this.#locks.get(lock) === tail) this.#locks.delete(lock);
      });
    }
    return job;
  }

  async #run(job: Job, session: CallSession | null): Promise<unknown> {
    const { record, controller } = job;
    if (record.state !== 'WAITING') throw new JobAbortedError(); // aborted while queued
    record.state = 'RUNNING';
    this.#publish('changed', job);
    const handle: JobHandle = {
      id: record.id,
      signal: controller.signal,
      setProgress: (percent, description, extra) => {
        if (isFinal(record.state)) return;
        const p = percent === null || !Number.isFinite(percent) ? null : Math.min(100, Math.max(0, percent));
        record.progress = { percent: p, description: description ?? record.progress.description, extra: extra ?? null };
        this.#publish('changed', job);
      },
      log: (line) => {
        job.logLines.push(String(line));
        if (job.logLines.length > LOG_LINES) job.logLines.shift();
        record.logs_excerpt = job.logLines.join('\n');
      },
    };
    const ctx: CallContext = { credentials: job.credentials, job: handle, signal: controller.signal, session };
    try {
      const result = await job.def.handler(ctx, ...(job.args as never[]));
      if (controller.signal.aborted) throw abortReason(controller.signal);
      this.#opts.checkResult?.(job.def, result);
      record.result = result;
      record.progress = { ...record.progress, percent: 100 };
      this.#finish(job, 'SUCCESS');
      return result;
    } catch (err) {
      const aborted = controller.signal.aborted;
      const error = aborted ? abortReason(controller.signal) : err;
      Object.assign(record, describeFailure(error));
      this.#finish(job, aborted ? 'ABORTED' : 'FAILED');
      if (!aborted && !(err instanceof CallError)) {
        this.#opts.log.error({ err, job: record.id, method: record.method }, 'job failed unexpectedly');
      }
      throw error;
    }
  }

  #finish(job: Job, state: 'SUCCESS' | 'FAILED' | 'ABORTED'): void {
    job.record.state = state;
    job.record.time_finished = new Date();
    this.#publish('changed', job);
    this.#finished.push(job.record.id);
    while (this.#finished.length > this.#opts.maxFinished) {
      const old = this.#finished.shift()!;
      this.#jobs.delete(old);
      this.#opts.events.publish({ msg: 'removed', collection: JOBS_EVENT, id: old });
    }
  }

  #publish(msg: 'added' | 'changed', job: Job): void {
    this.#opts.events.publish({ msg, collection: JOBS_EVENT, id: job.record.id, fields: { ...snapshot(job.record) } });
  }

  /** The jobs `credentials` may see (full admins: all; others: their own), as copies. */
  list(credentials: Credentials): JobRecord[] {
    const out: JobRecord[] = [];
    for (const job of this.#jobs.values()) if (this.#visible(job, credentials)) out.push(snapshot(job.record));
    return out;
  }

  #visible(job: Job, credentials: Credentials): boolean {
    return grants(credentials.roles, FULL_ADMIN) || job.credentials.username === credentials.username;
  }

  #find(id: number, credentials: Credentials): Job {
    const job = this.#jobs.get(id);
    if (!job || !this.#visible(job, credentials)) throw new CallError(`Job ${id} does not exist`, Errno.ENOENT);
    return job;
  }

  /**
   * Waits for job `id` and returns its result, or rethrows its error (ValidationErrors, CallError,
   * JobAbortedError …). Throws CallError ENOENT for an unknown job; stops waiting when `signal` aborts.
   */
  async wait(id: number, credentials: Credentials, signal?: AbortSignal): Promise<unknown> {
    const job = this.#find(id, credentials);
    if (!signal) return job.done;
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      job.done.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  /**
   * Aborts job `id`: a queued job ends ABORTED at once; a running one gets its signal aborted and ends
   * ABORTED when its handler returns. Throws CallError ENOENT (unknown) or EINVAL (not abortable).
   */
  abort(id: number, credentials: Credentials, reason = 'Job aborted'): void {
    const job = this.#find(id, credentials);
    if (!job.record.abortable) throw new CallError(`Job ${id} (${job.record.method}) is not abortable`, Errno.EINVAL);
    this.#abort(job, reason);
  }

  #abort(job: Job, reason: string): void {
    if (isFinal(job.record.state)) return;
    job.controller.abort(new JobAbortedError(reason));
    if (job.record.state === 'WAITING') {
      Object.assign(job.record, describeFailure(abortReason(job.controller.signal)));
      this.#finish(job, 'ABORTED');
    }
  }

  /**
   * Stops accepting jobs, lets unfinished ones run for up to `graceMs`, then aborts them and waits up
   * to {@link ABORT_UNWIND_MS} more for their handlers to return.
   */
  async shutdown(graceMs: number): Promise<void> {
    this.#accepting = false;
    const pending = () => [...this.#jobs.values()].filter((j) => !isFinal(j.record.state));
    const settle = (jobs: Job[], ms: number) =>
      Promise.race([Promise.allSettled(jobs.map((j) => j.done)), new Promise((r) => setTimeout(r, ms).unref())]);
    let left = pending();
    if (left.length === 0) return;
    this.#opts.log.info({ jobs: left.map((j) => j.record.id), graceMs }, 'waiting for running jobs before shutdown');
    await settle(left, graceMs);
    left = pending();
    if (left.length === 0) return;
    this.#opts.log.warn({ jobs: left.map((j) => j.record.id) }, 'aborting jobs still running after the grace time');
    for (const job of left) this.#abort(job, 'Aborted: the daemon is shutting down');
    await settle(left, ABORT_UNWIND_MS);
  }
}

/** The signal's reason as a JobAbortedError. */
function abortReason(signal: AbortSignal): JobAbortedError {
  return signal.reason instanceof JobAbortedError ? signal.reason : new JobAbortedError();
}

/** A copy of the record safe to hand out (nested progress copied; result shared, treated read-only). */
function snapshot(record: JobRecord): JobRecord {
  return { ...record, progress: { ...record.progress }, message_ids: [...record.message_ids] };
}
