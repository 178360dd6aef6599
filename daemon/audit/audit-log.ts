/**
 * The audit log: every write call and every login over the API (who, from where, what, outcome),
 * kept in a datastore of its own (`<data_dir>/audit.db.json`, so the main database file stays
 * small) with bounded retention (`audit.max_entries`, oldest dropped first), written as an `audit`
 * log line too, and read by `audit.query`. Records use TrueNAS's audit field names (`audit_id`,
 * `message_timestamp`, `timestamp`, `address`, `username`, `session`, `service`, `service_data`,
 * `event`, `event_data`, `success`); source: TrueNAS `middlewared/plugins/audit/audit.py`.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import { CallError, errnoName, ValidationErrors } from '../errors.js';
import type { Collection, Row } from '../plugin.js';
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

/** The audit collection (in the audit datastore). */
export const AUDIT_COLLECTION = { name: 'audit' } as const;

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
  readonly #rows: Collection<AuditRow>;
  readonly #max: number;
  readonly #log: Logger;
  /** Stored ids, oldest first (so retention never reads the whole collection). */
  readonly #ids: number[];

  constructor(rows: Collection<AuditRow>, maxEntries: number, log: Logger) {
    this.#rows = rows;
    this.#max = maxEntries;
    this.#log = log;
    this.#ids = rows.all().map((r) => r.id);
  }

  /** Every record, oldest first (for `audit.query`). */
  all(): AuditRow[] {
    return this.#rows.all();
  }

  /**
   * The call observer: records write calls and logins (see {@link auditClass}); resolves once the
   * record is stored. Never rejects: a failed write is logged.
   */
  readonly observe = async (call: ObservedCall): Promise<void> => {
    const klass = call.def && auditClass(call.def);
    if (!klass) return;
    const row = klass === 'login' ? this.#login(call) : this.#write(call);
    if (!row) return;
    this.#log.info({ audit: { event: row.event, username: row.username, address: row.address, success: row.success, event_data: row.event_data } }, 'audit');
    try {
      const stored = await this.#rows.insert(row);
      this.#ids.push(stored.id);
      while (this.#ids.length > this.#max) await this.#rows.delete(this.#ids.shift()!);
    } catch (err) {
      this.#log.error({ err }, 'cannot store an audit record');
    }
  };

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
