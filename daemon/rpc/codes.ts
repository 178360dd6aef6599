/**
 * JSON-RPC 2.0 error codes as TrueNAS uses them (`api/base/server/ws_handler/rpc.py`): the standard
 * range plus -32000 (too many concurrent calls) and -32001 (method call error).
 */
import { Errno } from '../errors.js';

/** Error codes sent in `error.code`. */
export const ErrorCodes = {
  /** Invalid JSON (or invalid UTF-8); the reply's id is null. */
  PARSE_ERROR: -32700,
  /** Not a valid request object (bad `jsonrpc`, method, id or params type, or too deeply nested). */
  INVALID_REQUEST: -32600,
  /** No such method ("Method does not exist"). */
  METHOD_NOT_FOUND: -32601,
  /** ValidationErrors: `data.extra = [[attribute, message, errno], …]`. */
  INVALID_PARAMS: -32602,
  /** The reply could not be produced (result not serialisable, result schema mismatch in tests). */
  INTERNAL_ERROR: -32603,
  /** More calls in flight on this connection than `api.max_concurrent_calls`. */
  TOO_MANY_CONCURRENT_CALLS: -32000,
  /** CallError or any other failure of the method: `data.error` is the errno. */
  CALL_ERROR: -32001,
} as const;

/** `error.message` for each code (TrueNAS wording). */
export const ErrorMessages: Record<number, string> = {
  [ErrorCodes.PARSE_ERROR]: 'Parse error',
  [ErrorCodes.INVALID_REQUEST]: 'Invalid Request',
  [ErrorCodes.METHOD_NOT_FOUND]: 'Method does not exist',
  [ErrorCodes.INVALID_PARAMS]: 'Invalid params',
  [ErrorCodes.INTERNAL_ERROR]: 'Internal error',
  [ErrorCodes.CALL_ERROR]: 'Method call error',
};

/** A protocol-level failure (not a method's own error): carries its JSON-RPC code and errno. */
export class RpcError extends Error {
  override readonly name = 'RpcError';
  constructor(
    readonly code: number,
    reason: string,
    readonly errno: number = Errno.EINVAL,
  ) {
    super(reason);
  }
}
