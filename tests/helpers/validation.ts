/**
 * Reading validation errors in integration tests: the daemon rejects invalid params with JSON-RPC
 * -32602 and TrueNAS's `[attribute, message, errno]` list, which the client turns into a
 * {@link ClientValidationError}.
 *
 * ```ts
 * t.same(await validationErrors(client.call('pool.snapshottask.create', {})), [['pool_snapshottask_create.dataset', 'Field required']]);
 * ```
 */
import { ClientCallError, ClientValidationError, type ClientValidationEntry } from '../../client/index.js';

/**
 * The entries of the validation error `call` rejects with. Throws when the call succeeds ("expected
 * a validation error, the call succeeded") and rethrows any other error.
 */
export async function validationEntries(call: Promise<unknown>): Promise<ClientValidationEntry[]> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ClientValidationError) return e.errors;
    throw e;
  }
  throw new Error('expected a validation error, the call succeeded');
}

/** The `[attribute, message]` pairs of the validation error `call` rejects with (see {@link validationEntries}). */
export async function validationErrors(call: Promise<unknown>): Promise<Array<[string | null, string]>> {
  return (await validationEntries(call)).map((x) => [x.attribute, x.message]);
}

/**
 * The call error (JSON-RPC -32001 or -32602, rebuilt by the client) `call` rejects with. Throws when
 * the call succeeds and rethrows anything that is not a {@link ClientCallError}.
 */
export async function callError(call: Promise<unknown>): Promise<ClientCallError> {
  try {
    await call;
  } catch (e) {
    if (e instanceof ClientCallError) return e;
    throw e;
  }
  throw new Error('expected the call to fail, it succeeded');
}
