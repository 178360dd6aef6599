/**
 * How midclt prints, as TrueNAS's midclt does (truenas_api_client `main()`): a result that is a
 * Python `int` or `str` prints raw — booleans are ints in Python, so `True`/`False` — and anything
 * else as Python's `json.dumps` writes it (`", "` and `": "` separators, non-ASCII as `\uXXXX`).
 * Errors print as TrueNAS's ValidationErrors does: one `[ERRNAME] attribute: message` line each,
 * `ALL` when no attribute.
 */
// errno names are the daemon's table (daemon/errors.ts has no imports), as the daemon shares client/wire.ts.
import { errnoName } from '../daemon/errors.js';
import { ClientCallError, ClientConnectionError, ClientValidationError } from './errors.js';

/** A JSON string literal as Python's json.dumps writes it (ensure_ascii: `\u00e9`, lower-case hex). */
function pyString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const ch = s[i]!;
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (c < 0x20 || c > 0x7e) out += `\\u${c.toString(16).padStart(4, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** `value` as Python's `json.dumps(value)` writes it (default separators, ensure_ascii). */
export function pyJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return pyString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : value > 0 ? 'Infinity' : value < 0 ? '-Infinity' : 'NaN';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(pyJsonDumps).join(', ')}]`;
  if (typeof value === 'object') {
    return `{${Object.entries(value as Record<string, unknown>).map(([k, v]) => `${pyString(k)}: ${pyJsonDumps(v)}`).join(', ')}}`;
  }
  return pyString(String(value));
}

/** A result as TrueNAS's midclt prints it (without the newline). */
export function formatResult(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value))) return String(value);
  return pyJsonDumps(value);
}

/** An error for stderr: validation errors as `[ERRNAME] attribute: message` lines, else the reason. */
export function formatError(err: unknown): string {
  if (err instanceof ClientValidationError && err.errors.length > 0) {
    return err.errors.map((e) => `[${errnoName(e.errno)}] ${e.attribute || 'ALL'}: ${e.message}`).join('\n');
  }
  if (err instanceof ClientCallError) return err.reason.trimEnd();
  if (err instanceof ClientConnectionError) return err.message;
  return `midclt: ${(err as Error).message ?? String(err)}`;
}
