/**
 * The audit log: every write call and every login over the API (who, from where, what, outcome),
 * appended as one JSON line per record to `<data_dir>/audit.jsonl` (mode 0600; an append costs one
 * record, not a rewrite of a database file, so a burst of calls stays cheap) with bounded retention
 * kept in memory and on disk (the file is compacted when it holds twice as many lines), written as
 * an `audit` log line too, and read by `audit.query`. Retention has two separate budgets, so calls
 * anyone can make never evict what a logged-in user did: `audit.max_entries` records of callers
 * with credentials (calls of a logged-in connection or the Unix socket, successful logins) and
 * `audit.max_anonymous_entries` records without (refused calls and failed logins of connections
 * that are not logged in); each budget drops its own oldest records first. Records use TrueNAS's
 * audit field names (`audit_id`, `message_timestamp`, `timestamp`, `address`, `username`,
 * `session`, `service`, `service_data`, `event`, `event_data`, `success`); source: TrueNAS
 * `middlewared/plugins/audit/audit.py`.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { CallError, errnoName, ValidationErrors } from '../errors.js';
import type { Row } from '../plugin.js';
import type { Credentials } from '../registry/method.js';
import type { ObservedCall } from '../rpc/call-observer.js';
import { redactUrls } from '../redact.js';
import { RpcError } from '../rpc/codes.js';
import { toWireDate, type WireDate } from '../wire/date.js';
import { auditClass, auditParams } from './classify.js';

/** Who, as TrueNAS's `service_data.credentials`. */
export interface AuditCredentials {
  credentials: string | null;
  credentials_data: { username: string | null; api_key: { id: number; name: string } | null };
}

/** One audit record. */
export interface AuditRow extends Row {
  audit_id: string;
  /** Unix time in seconds. */
  message_timestamp: number;
  timestamp: WireDate;
  /** The peer address, or `unix` for the local socket. */
  address: string;
  username: string | null;
  /** The connection's id. */
  session: string;
  service: 'MIDDLEWARE';
  service_data: { vers: { major: number; minor: number }; origin: string; protocol: 'WEBSOCKET' | 'UNIX'; credentials: AuditCredentials | null };
  event: 'METHOD_CALL' | 'AUTHENTICATION';
  /**
   * METHOD_CALL: `{method, params, description, authenticated, authorized, error}`;
   * AUTHENTICATION: `{method, credentials, error}`. `error` is `{errno, errname, reason}` or null.
   */
  event_data: Record<string, unknown>;
  success: boolean;
}

/** `{errno, errname, reason}` of a failure; a URL quoted in the reason loses its userinfo and query values. */
function errorOf(err: unknown): { errno: number; errname: string; reason: string } {
  const errno = err instanceof CallError || err instanceof RpcError ? err.errno : err instanceof ValidationErrors ? (err.errors[0]?.errno ?? 22) : 14;
  const reason = err instanceof ValidationErrors ? err.reason.trim() : err instanceof Error ? err.message : String(err);
  return { errno, errname: errnoName(errno), reason: redactUrls(reason).slice(0, 1024) };
}

function credentialsOf(c: Credentials | null): AuditCredentials | null {
  if (!c || c.type === 'ANONYMOUS') return null;
  return { credentials: c.type, credentials_data: { username: c.username, api_key: c.apiKey ? { id: c.apiKey.id, name: c.apiKey.name } : null } };
}

/** The user name a login attempt claimed: an argument or a field named `username`, if any. */
function claimedUser(call: ObservedCall): string | null {
  const list = Array.isArray(call.params) ? call.params : [call.params];
  for (const [i, value] of list.entries()) {
    if (call.def?.args[i]?.name === 'username' && typeof value === 'string') return value;
    if (typeof value === 'object' && value !== null && typeof (value as { username?: unknown }).username === 'string') return (value as { username: string }).username;
  }
  return null;
}

/** The mechanism a login used: `login_data.mechanism`, else the method name. */
function mechanismOf(call: ObservedCall): string {
  const first: unknown = Array.isArray(call.params) ? call.params[0] : call.params;
  const m = typeof first === 'object' && first !== null ? (first as { mechanism?: unknown }).mechanism : undefined;
  return typeof m === 'string' ? m : call.method;
}

/** A login reply that says "wrong credentials" (TrueNAS: `false`, or `response_type: "AUTH_ERR"`). */
function loginRefused(result: unknown): boolean {
  return result === false || (typeof result === 'object' && result !== null && (result as { response_type?: unknown }).response_type === 'AUTH_ERR');
}

/** True for a record of a caller without credentials (it counts against `audit.max_anonymous_entries`). */
export function isAnonymous(row: Pick<AuditRow, 'service_data'>): boolean {
  return row.service_data.credentials === null;
}

/** Retention of {@link AuditLog}: records kept per budget. */
export interface AuditRetention {
  /** Records of callers with credentials (`audit.max_entries`). */
  readonly maxEntries: number;
  /** Records of callers without credentials (`audit.max_anonymous_entries`). */
  readonly maxAnonymousEntries: number;
}

/**
 * Freezes a record and everything in it: records are never changed once made, so `all()` can hand
 * them out without copying them (a copy of 10,000 records per `audit.query` was most of its cost).
 */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Merges two id-ordered lists into one, oldest first. */
function mergeById(a: readonly AuditRow[], b: readonly AuditRow[]): AuditRow[] {
  const out: AuditRow[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (j >= b.length || (i < a.length && a[i]!.id < b[j]!.id)) out.push(a[i++]!);
    else out.push(b[j++]!);
  }
  return out;
}

/** The audit log. */
export class AuditLog {
  readonly #file: string;
  readonly #retention: AuditRetention;
  readonly #log: Logger;
  /** The newest records of callers with credentials, oldest first (at most maxEntries). */
  readonly #known: AuditRow[];
  /** The newest records of callers without credentials, oldest first (at most maxAnonymousEntries). */
  readonly #anonymous: AuditRow[];
  /** The id of the newest record ever appended. */
  #lastId: number;
  /** Lines in the file (records kept plus dropped ones not yet compacted away). */
  #lines: number;
  /** Serialises appends and compactions. */
  #tail: Promise<void> = Promise.resolve();

  private constructor(file: string, retention: AuditRetention, log: Logger, rows: AuditRow[], lines: number) {
    this.#file = file;
    this.#retention = retention;
    this.#log = log;
    this.#known = rows.filter((r) => !isAnonymous(r)).slice(-retention.maxEntries);
    this.#anonymous = rows.filter(isAnonymous).slice(-retention.maxAnonymousEntries);
    this.#lastId = rows.reduce((m, r) => Math.max(m, r.id), 0);
    this.#lines = lines;
  }

  /**
   * Opens (or starts) the log in `file`. Lines that do not parse are skipped with a warning.
   * @throws the file system's error when the file exists but cannot be read.
   */
  static async open(file: string, retention: AuditRetention, log: Logger): Promise<AuditLog> {
    let text = '';
    try {
      text = await readFile(file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const rows: AuditRow[] = [];
    const lines = text.split('\n').filter((l) => l !== '');
    for (const line of lines) {
      try {
        rows.push(deepFreeze(JSON.parse(line) as AuditRow));
      } catch {
        log.warn({ file }, 'skipped an audit line that is not JSON');
      }
    }
    return new AuditLog(file, retention, log, rows, lines.length);
  }

  /** Every record kept, oldest first (for `audit.query`): a new list of the records, which are frozen. */
  all(): readonly Readonly<AuditRow>[] {
    return mergeById(this.#known, this.#anonymous);
  }

  /** Waits for the appends queued so far. */
  flush(): Promise<void> {
    return this.#tail;
  }

  /**
   * The call observer: records write calls and logins (see {@link auditClass}); the promise it
   * returns for those resolves once the record is on disk. Calls it does not record return nothing
   * (no promise for the dispatcher to wait on). Never rejects: a failed write is logged.
   */
  readonly observe = (call: ObservedCall): Promise<void> | undefined => {
    const klass = call.def && auditClass(call.def);
    return klass ? this.#record(call, klass) : undefined;
  };

  async #record(call: ObservedCall, klass: 'write' | 'login'): Promise<void> {
    const draft = klass === 'login' ? this.#login(call) : this.#write(call);
    if (!draft) return;
    const row: AuditRow = deepFreeze({ id: ++this.#lastId, ...draft });
    this.#log.info({ audit: { event: row.event, username: row.username, address: row.address, success: row.success, event_data: row.event_data } }, 'audit');
    const [kept, max] = isAnonymous(row) ? [this.#anonymous, this.#retention.maxAnonymousEntries] : [this.#known, this.#retention.maxEntries];
    kept.push(row);
    if (kept.length > max) kept.shift();
    this.#tail = this.#tail.then(() => this.#append(row));
    await this.#tail;
  }

  async #append(row: AuditRow): Promise<void> {
    try {
      if (this.#lines >= 2 * (this.#retention.maxEntries + this.#retention.maxAnonymousEntries)) {
        // Compact: the kept records only, written aside and renamed over the file (atomic).
        const kept = mergeById(this.#known, this.#anonymous);
        const tmp = `${this.#file}.tmp`;
        await writeFile(tmp, kept.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
        await rename(tmp, this.#file);
        this.#lines = kept.length;
        return;
      }
      await appendFile(this.#file, `${JSON.stringify(row)}\n`, { mode: 0o600 });
      this.#lines++;
    } catch (err) {
      this.#log.error({ err, file: this.#file }, 'cannot store an audit record');
    }
  }

  #base(call: ObservedCall, who: Credentials | null): Omit<AuditRow, 'id' | 'event' | 'event_data' | 'success'> {
    const now = Date.now();
    const unix = call.session.transport === 'unix';
    return {
      audit_id: randomUUID(),
      message_timestamp: Math.floor(now / 1000),
      timestamp: toWireDate(now),
      address: call.session.remoteAddress,
      username: who?.username ?? null,
      session: call.session.id,
      service: 'MIDDLEWARE',
      service_data: { vers: { major: 0, minor: 1 }, origin: call.session.remoteAddress, protocol: unix ? 'UNIX' : 'WEBSOCKET', credentials: credentialsOf(who) },
    };
  }

  #write(call: ObservedCall): Omit<AuditRow, 'id'> {
    const authenticated = call.credentials !== null && call.credentials.type !== 'ANONYMOUS';
    const denied = call.error instanceof CallError && (call.error.errno === 13 || call.error.errno === 207);
    return {
      ...this.#base(call, call.credentials),
      event: 'METHOD_CALL',
      event_data: {
        method: call.method,
        params: auditParams(call.def, call.params),
        description: call.def?.description.split('.')[0] ?? null,
        authenticated,
        authorized: !denied,
        error: call.error === undefined ? null : errorOf(call.error),
      },
      success: call.error === undefined,
    };
  }

  /** An AUTHENTICATION record, or null for an intermediate step (SCRAM's first message). */
  #login(call: ObservedCall): Omit<AuditRow, 'id'> | null {
    const after = call.session.credentials;
    const success = call.error === undefined && after !== null && after !== call.credentials;
    if (!success && call.error === undefined && !loginRefused(call.result)) return null;
    const claimed = claimedUser(call);
    const who = success ? after : null;
    const base = this.#base(call, who);
    return {
      ...base,
      username: who?.username ?? claimed,
      event: 'AUTHENTICATION',
      event_data: {
        method: call.method,
        credentials: { credentials: mechanismOf(call), credentials_data: { username: who?.username ?? claimed, api_key: who?.apiKey ?? null } },
        error: success ? null : call.error === undefined ? { errno: 13, errname: 'EACCES', reason: 'Bad username or password' } : errorOf(call.error),
      },
      success,
    };
  }
}
