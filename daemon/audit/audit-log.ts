/**
 * The audit log: every write call and every login over the API (who, from where, what, outcome),
 * appended as one JSON line per record to `<data_dir>/audit.jsonl` (mode 0600; an append costs one
 * record, not a rewrite of a database file, so a burst of calls stays cheap) with bounded retention
 * (`audit.max_entries` kept in memory and on disk; the file is compacted when it holds twice as
 * many), written as an `audit` log line too, and read by `audit.query`. Records use TrueNAS's audit field names (`audit_id`,
 * `message_timestamp`, `timestamp`, `address`, `username`, `session`, `service`, `service_data`,
 * `event`, `event_data`, `success`); source: TrueNAS `middlewared/plugins/audit/audit.py`.
 */
import { randomUUID } from 'node:crypto';
import { appendFile, readFile, rename, writeFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { CallError, errnoName, ValidationErrors } from '../errors.js';
import type { Row } from '../plugin.js';
import type { Credentials } from '../registry/method.js';
import type { ObservedCall } from '../rpc/call-observer.js';
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

/** `{errno, errname, reason}` of a failure. */
function errorOf(err: unknown): { errno: number; errname: string; reason: string } {
  const errno = err instanceof CallError || err instanceof RpcError ? err.errno : err instanceof ValidationErrors ? (err.errors[0]?.errno ?? 22) : 14;
  const reason = err instanceof ValidationErrors ? err.reason.trim() : err instanceof Error ? err.message : String(err);
  return { errno, errname: errnoName(errno), reason: reason.slice(0, 1024) };
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

/** The audit log. */
export class AuditLog {
  readonly #file: string;
  readonly #max: number;
  readonly #log: Logger;
  /** The newest records, oldest first (at most max). */
  readonly #rows: AuditRow[];
  /** Lines in the file (records kept plus dropped ones not yet compacted away). */
  #lines: number;
  /** Serialises appends and compactions. */
  #tail: Promise<void> = Promise.resolve();

  private constructor(file: string, maxEntries: number, log: Logger, rows: AuditRow[], lines: number) {
    this.#file = file;
    this.#max = maxEntries;
    this.#log = log;
    this.#rows = rows.slice(-maxEntries);
    this.#lines = lines;
  }

  /**
   * Opens (or starts) the log in `file`. Lines that do not parse are skipped with a warning.
   * @throws the file system's error when the file exists but cannot be read.
   */
  static async open(file: string, maxEntries: number, log: Logger): Promise<AuditLog> {
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
        rows.push(JSON.parse(line) as AuditRow);
      } catch {
        log.warn({ file }, 'skipped an audit line that is not JSON');
      }
    }
    return new AuditLog(file, maxEntries, log, rows, lines.length);
  }

  /** Every record kept, oldest first, as copies (for `audit.query`). */
  all(): AuditRow[] {
    return structuredClone(this.#rows);
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
    const row: AuditRow = { id: (this.#rows.at(-1)?.id ?? 0) + 1, ...draft };
    this.#log.info({ audit: { event: row.event, username: row.username, address: row.address, success: row.success, event_data: row.event_data } }, 'audit');
    this.#rows.push(row);
    if (this.#rows.length > this.#max) this.#rows.shift();
    this.#tail = this.#tail.then(() => this.#append(row));
    await this.#tail;
  }

  async #append(row: AuditRow): Promise<void> {
    try {
      if (this.#lines >= 2 * this.#max) {
        // Compact: the kept records only, written aside and renamed over the file (atomic).
        const tmp = `${this.#file}.tmp`;
        await writeFile(tmp, this.#rows.map((r) => `${JSON.stringify(r)}\n`).join(''), { mode: 0o600 });
        await rename(tmp, this.#file);
        this.#lines = this.#rows.length;
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
