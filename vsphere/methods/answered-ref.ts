/**
 * The moref a vim25 method answers with (CreateFilter's PropertyFilter, a `*_Task` method's Task …),
 * read from its returnval; an answer without one is a protocol error.
 */
import { protocolError } from '../faults/errors.js';
import { ref as read } from '../types/read.js';
import type { MoRef, VimValue } from '../types/values.js';

/**
 * The moref in `rv`, the returnval of `method`.
 * @param what what the moref names, for the error: `Task`, `filter`, `view` …
 * @throws VsphereTransportError (protocol) "the answer holds no <what> moref" when `rv` holds none
 */
export function answeredRef(method: string, rv: VimValue | undefined, what: string): MoRef {
  const moref = read(rv);
  if (!moref) throw protocolError(method, `the answer holds no ${what} moref`);
  return moref;
}
