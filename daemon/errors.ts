/**
 * The daemon's two error families, shaped like TrueNAS middleware's `service_exception.py`:
 * {@link CallError} (a failed call, JSON-RPC -32001) and {@link ValidationErrors} (bad input,
 * JSON-RPC -32602 with `extra = [[attribute, message, errno], …]`).
 *
 * Every error that crosses the API carries an errno from {@link Errno}; the name is sent as
 * `errname` next to it.
 */

/**
 * errno values used on the wire: Linux numbers, plus TrueNAS's custom range (201–209).
 * Source: TrueNAS `middlewared/service_exception.py` and `errno.h`.
 */
export const Errno = {
  EPERM: 1,
  ENOENT: 2,
  EINTR: 4,
  EIO: 5,
  EAGAIN: 11,
  ENOMEM: 12,
  EACCES: 13,
  EFAULT: 14,
  EBUSY: 16,
  EEXIST: 17,
  ENOTDIR: 20,
  EINVAL: 22,
  ENOSPC: 28,
  ENONET: 64,
  EMSGSIZE: 90,
  ENOTSUP: 95,
  ECONNRESET: 104,
  ETIMEDOUT: 110,
  ECONNREFUSED: 111,
  EHOSTUNREACH: 113,
  ECANCELED: 125,
  ENOMETHOD: 201,
  ESERVICESTARTFAILURE: 202,
  ENOTAUTHENTICATED: 207,
  ESSLCERTVERIFICATIONERROR: 208,
  EREBOOTREQUIRED: 209,
} as const;

/** An errno name such as `"EINVAL"`. */
export type ErrnoName = keyof typeof Errno;

/** Errno names by number: every error reply names its errno, so the lookup is a map, not a scan. */
const ERRNO_NAMES: ReadonlyMap<number, string> = new Map(Object.entries(Errno).map(([name, value]) => [value, name]));

/** Returns the name of an errno (`22` → `"EINVAL"`), or `"EUNKNOWN"` when it has none. */
export function errnoName(errno: number): string {
  return ERRNO_NAMES.get(errno) ?? 'EUNKNOWN';
}

/** Maps a Node.js system error code (`err.code`, e.g. `"ECONNREFUSED"`) to an errno, EFAULT if unknown. */
export function errnoFromCode(code: string | undefined): number {
  if (code && code in Errno) return Errno[code as ErrnoName];
  return Errno.EFAULT;
}

/**
 * A call that failed. On the wire: JSON-RPC -32001 with
 * `data = {error: errno, errname, reason: "[ERRNAME] reason", trace, extra}`.
 */
export class CallError extends Error {
  override readonly name = 'CallError';
  /** The errno (default EFAULT, as TrueNAS). */
  readonly errno: number;
  /** Free-form structured detail sent as `data.extra`. */
  readonly extra: unknown;

  constructor(reason: string, errno: number = Errno.EFAULT, extra: unknown = null, options?: ErrorOptions) {
    super(reason, options);
    this.errno = errno;
    this.extra = extra;
  }

  /** `"[ERRNAME] reason"`, the text TrueNAS puts in `data.reason`. */
  override toString(): string {
    return `[${errnoName(this.errno)}] ${this.message}`;
  }
}

/** One invalid input: `attribute` is a dotted path such as `vmware_create.hostname` (null for the whole call). */
export interface ValidationError {
  attribute: string | null;
  message: string;
  errno: number;
}

/**
 * A list of invalid inputs, reported together. On the wire: JSON-RPC -32602 "Invalid params" with
 * `data.extra = [[attribute, message, errno], …]` and `data.reason` = one `"[ERRNAME] attr: message"` line each.
 *
 * Use it like TrueNAS: `const v = new ValidationErrors(); v.add('x.y', 'bad'); v.check();`
 */
export class ValidationErrors extends Error {
  override readonly name = 'ValidationErrors';
  readonly errors: ValidationError[] = [];

  constructor(errors: ValidationError[] = []) {
    super('Validation failed');
    for (const e of errors) this.add(e.attribute, e.message, e.errno);
  }

  /** Records one error. */
  add(attribute: string | null, message: string, errno: number = Errno.EINVAL): this {
    this.errors.push({ attribute, message, errno });
    // Append one line (not rebuild from `reason`): rebuilding made n errors cost O(n²), so a
    // `*.query` with 20 000 bad filters held the event loop for minutes.
    const line = `[${errnoName(errno)}] ${attribute === null ? '' : `${attribute}: `}${message}`.trimEnd();
    this.message = this.errors.length === 1 ? line : `${this.message}\n${line}`;
    return this;
  }

  /** Copies another list's errors, prefixing their attributes with `prefix.`. */
  addChild(prefix: string, other: ValidationErrors): this {
    for (const e of other.errors) {
      this.add(e.attribute ? `${prefix}.${e.attribute}` : prefix, e.message, e.errno);
    }
    return this;
  }

  /** True when no error has been recorded. */
  get empty(): boolean {
    return this.errors.length === 0;
  }

  /** Throws this list when it holds at least one error. */
  check(): void {
    if (!this.empty) throw this;
  }

  /** TrueNAS's `reason`: one `"[ERRNAME] attribute: message"` line per error. */
  get reason(): string {
    return this.errors
      .map((e) => `[${errnoName(e.errno)}] ${e.attribute === null ? '' : `${e.attribute}: `}${e.message}\n`)
      .join('');
  }
}

/**
 * `get_instance` of an id that does not exist: TrueNAS's InstanceNotFound, reported as
 * `[null, "<Verbose> <id> does not exist", ENOENT]` in a -32602 reply.
 */
export class InstanceNotFound extends ValidationErrors {
  constructor(verboseName: string, id: unknown) {
    super([{ attribute: null, message: `${verboseName} ${String(id)} does not exist`, errno: Errno.ENOENT }]);
  }
}

/** Thrown when a job is aborted through `core.job_abort` or shutdown. */
export class JobAbortedError extends CallError {
  constructor(reason = 'Job aborted') {
    super(reason, Errno.ECANCELED);
  }
}
