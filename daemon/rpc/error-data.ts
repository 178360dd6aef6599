/**
 * Turns any error into a JSON-RPC error object with TrueNAS's `data` ("TruenasError"):
 * `{error: errno, errname, reason, trace, extra}`.
 * - ValidationErrors → -32602 "Invalid params", error 22, `extra = [[attribute, message, errno], …]`.
 * - CallError → -32001 "Method call error", `reason = "[ERRNAME] message"`.
 * - RpcError → its own code; ResultValidationError → -32603; anything else → -32001 EFAULT.
 */
import { CallError, Errno, ValidationErrors, errnoName } from '../errors.js';
import { ResultValidationError } from '../registry/registry.js';
import { ErrorCodes, ErrorMessages, RpcError } from './codes.js';

/** TrueNAS's error `data`. */
export interface ErrorData {
  error: number;
  errname: string;
  reason: string;
  trace: { class: string; formatted: string; repr: string } | null;
  extra: unknown;
}

/** A JSON-RPC error object. */
export interface RpcErrorObject {
  code: number;
  message: string;
  data: ErrorData;
}

function traceOf(err: Error): ErrorData['trace'] {
  return { class: err.name, formatted: err.stack ?? `${err.name}: ${err.message}`, repr: `${err.name}(${JSON.stringify(err.message)})` };
}

/**
 * Maps `err` to a JSON-RPC error. `withTrace` adds the stack (TrueNAS always does; vsnapd only for
 * authenticated callers, so paths are not shown to anonymous peers).
 */
export function toRpcError(err: unknown, withTrace: boolean): RpcErrorObject {
  const trace = (e: Error) => (withTrace ? traceOf(e) : null);
  if (err instanceof ValidationErrors) {
    return {
      code: ErrorCodes.INVALID_PARAMS,
      message: ErrorMessages[ErrorCodes.INVALID_PARAMS]!,
      data: {
        error: Errno.EINVAL,
        errname: 'EINVAL',
        reason: err.reason,
        trace: trace(err),
        extra: err.errors.map((e) => [e.attribute, e.message, e.errno]),
      },
    };
  }
  if (err instanceof CallError) {
    return {
      code: ErrorCodes.CALL_ERROR,
      message: ErrorMessages[ErrorCodes.CALL_ERROR]!,
      data: { error: err.errno, errname: errnoName(err.errno), reason: err.toString(), trace: trace(err), extra: err.extra ?? null },
    };
  }
  if (err instanceof RpcError) {
    return {
      code: err.code,
      // TrueNAS puts the reason itself in `message` for envelope errors; keep the standard text for the rest.
      message: err.code === ErrorCodes.INVALID_REQUEST || err.code === ErrorCodes.TOO_MANY_CONCURRENT_CALLS
        ? err.message
        : (ErrorMessages[err.code] ?? err.message),
      data: { error: err.errno, errname: errnoName(err.errno), reason: err.message, trace: null, extra: null },
    };
  }
  if (err instanceof ResultValidationError) {
    return {
      code: ErrorCodes.INTERNAL_ERROR,
      message: ErrorMessages[ErrorCodes.INTERNAL_ERROR]!,
      data: { error: Errno.EFAULT, errname: 'EFAULT', reason: err.message, trace: trace(err), extra: null },
    };
  }
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    code: ErrorCodes.CALL_ERROR,
    message: ErrorMessages[ErrorCodes.CALL_ERROR]!,
    data: { error: Errno.EFAULT, errname: 'EFAULT', reason: `[EFAULT] ${e.message}`, trace: trace(e), extra: null },
  };
}
