/**
 * Errors the client raises, rebuilt from the daemon's JSON-RPC errors (TrueNAS `data` shape:
 * `{error: errno, errname, reason, trace, extra}`), as truenas_api_client's ClientException and
 * ValidationErrors do.
 */

/** One validation failure: `[attribute, message, errno]` on the wire. */
export interface ClientValidationEntry {
  readonly attribute: string | null;
  readonly message: string;
  readonly errno: number;
}

/** The connection failed or closed; the call's outcome is unknown. */
export class ClientConnectionError extends Error {
  override readonly name = 'ClientConnectionError';
  constructor(
    message: string,
    /** WebSocket close code when the daemon closed the connection (1009 = frame too large, 1001 = shutdown). */
    readonly closeCode: number | null = null,
  ) {
    super(message);
  }
}

/** What the daemon's `error` object carried. */
export interface ClientErrorFields {
  /** JSON-RPC code: -32001 call error, -32602 invalid params, -32601 unknown method … */
  readonly code: number;
  readonly errno: number | null;
  readonly errname: string | null;
  /** `"[ERRNAME] message"` (call errors) or one `"[ERRNAME] attribute: message"` line per validation error. */
  readonly reason: string;
  readonly extra: unknown;
  readonly trace: unknown;
}

/** A call the daemon answered with an error; it carries the {@link ClientErrorFields} as its own properties. */
// Declaration merging: the class gets the interface's fields without declaring each one twice.
export interface ClientCallError extends ClientErrorFields {}
export class ClientCallError extends Error {
  override readonly name: string = 'ClientCallError';

  constructor(fields: ClientErrorFields) {
    super(fields.reason.trimEnd());
    const { code, errno, errname, reason, extra, trace } = fields;
    Object.assign(this, { code, errno, errname, reason, extra, trace });
  }
}

/** Invalid params (-32602): `errors` lists each attribute and what is wrong with it. */
export class ClientValidationError extends ClientCallError {
  override readonly name = 'ClientValidationError';
  readonly errors: ClientValidationEntry[];

  constructor(fields: ClientErrorFields) {
    super(fields);
    const list = Array.isArray(fields.extra) ? fields.extra : [];
    this.errors = list.map((e: unknown) => {
      const [attribute, message, errno] = Array.isArray(e) ? e : [null, String(e), 22];
      return { attribute: attribute ?? null, message: String(message), errno: Number(errno) };
    });
  }
}

/** No reply within the call timeout (the daemon may still finish the call). */
export class ClientTimeoutError extends ClientCallError {
  override readonly name = 'ClientTimeoutError';
  constructor(method: string, timeoutMs: number) {
    super({ code: 0, errno: 110, errname: 'ETIMEDOUT', reason: `[ETIMEDOUT] ${method}: no reply within ${timeoutMs} ms`, extra: null, trace: null });
  }
}

/** Rebuilds a typed error from a JSON-RPC `error` object. */
export function fromRpcError(error: { code: number; message: string; data?: unknown }): ClientCallError {
  const d = (typeof error.data === 'object' && error.data !== null ? error.data : {}) as Record<string, unknown>;
  const fields: ClientErrorFields = {
    code: error.code,
    errno: typeof d.error === 'number' ? d.error : null,
    errname: typeof d.errname === 'string' ? d.errname : null,
    reason: typeof d.reason === 'string' ? d.reason : error.message,
    extra: d.extra ?? null,
    trace: d.trace ?? null,
  };
  return error.code === -32602 ? new ClientValidationError(fields) : new ClientCallError(fields);
}
