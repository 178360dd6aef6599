/**
 * Secret redaction by field name, at any depth: used for log records and for the `arguments` of
 * jobs listed by `core.get_jobs` (TrueNAS shows `Secret` fields as `"********"`); and of the secret
 * parts of URLs quoted in text (error messages from fetch, SMTP or a peer).
 */

/** What a redacted value is replaced with (TrueNAS's placeholder). */
export const REDACTED = '********';

/**
 * Field names (camelCase split, lower-cased, `-` folded to `_`) whose values are secrets. Matched
 * exactly, or as a suffix after `_` (`vcenter_password`, `vcenterPassword`, `x-api-key`), so
 * `keyboard`, `monkey` or `bypass` are left alone.
 */
export const SECRET_NAMES = [
  'password',
  'passwd',
  'pass',
  'pwd',
  'passphrase',
  'api_key',
  'apikey',
  'key',
  'secret',
  'token',
  'authorization',
  'cookie',
  'set_cookie',
  'private_key',
  'password_hash',
  'otp_token',
] as const;

/** True when a field of this name holds a secret. */
export function isSecretField(name: string): boolean {
  const n = name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().replace(/-/g, '_');
  return SECRET_NAMES.some((s) => n === s || n.endsWith(`_${s}`));
}

/**
 * Returns a copy of `value` with every secret field's value replaced by {@link REDACTED}. Handles
 * cycles and stops at depth 32 (deeper data is replaced by `"[…]"`), so it never throws.
 */
export function redactSecrets(value: unknown, depth = 0, seen: WeakSet<object> = new WeakSet()): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (seen.has(value) || depth >= 32) return '[…]';
  seen.add(value);
  let out: unknown;
  if (Array.isArray(value)) {
    out = value.map((v) => redactSecrets(v, depth + 1, seen));
  } else if (value instanceof Error) {
    out = redactError(value, depth, seen);
  } else {
    const copy: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) copy[k] = redactField(k, v, depth, seen);
    out = copy;
  }
  seen.delete(value);
  return out;
}

/** The value of field `key` of an object at `depth`: {@link REDACTED} for a non-empty secret, else redacted recursively. */
function redactField(key: string, v: unknown, depth: number, seen: WeakSet<object>): unknown {
  return isSecretField(key) && v !== null && v !== undefined && v !== '' ? REDACTED : redactSecrets(v, depth + 1, seen);
}

/**
 * A copy of an error with its own fields (and `cause`) redacted, keeping its prototype, message and
 * stack so pino's error serializer still shows type, message and stack. An error may carry what
 * failed (`err.entry = {hostname, password}`), which the logger would otherwise print as is.
 */
function redactError(err: Error, depth: number, seen: WeakSet<object>): Error {
  const copy = Object.create(Object.getPrototypeOf(err) as object) as Error & Record<string, unknown>;
  const hidden = (key: string, v: unknown) => Object.defineProperty(copy, key, { value: v, writable: true, configurable: true, enumerable: false });
  hidden('message', err.message);
  hidden('stack', err.stack);
  if ('cause' in err) hidden('cause', redactSecrets(err.cause, depth + 1, seen));
  for (const [k, v] of Object.entries(err)) copy[k] = redactField(k, v, depth, seen);
  return copy;
}

/** A URL inside text: `scheme://` up to white space or a quote (RFC 3986 §3, as messages quote them). */
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>`]+/gi;

/** One URL with its userinfo and its query's values replaced by {@link REDACTED}. */
function redactUrl(url: string): string {
  const hash = url.indexOf('#');
  const [body, fragment] = hash < 0 ? [url, ''] : [url.slice(0, hash), url.slice(hash)];
  const q = body.indexOf('?');
  const [head, query] = q < 0 ? [body, null] : [body.slice(0, q), body.slice(q + 1)];
  const authorityEnd = head.indexOf('/', head.indexOf('//') + 2);
  const authority = authorityEnd < 0 ? head : head.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  const cleanHead = at < 0 ? head : `${authority.slice(0, authority.indexOf('//') + 2)}${REDACTED}${head.slice(at)}`;
  const cleanQuery = query === null ? '' : `?${query.split('&').map((part) => (part.includes('=') ? `${part.slice(0, part.indexOf('='))}=${REDACTED}` : part)).join('&')}`;
  return `${cleanHead}${cleanQuery}${fragment}`;
}

/**
 * `text` with the secret parts of every URL in it replaced by {@link REDACTED}: the userinfo
 * (`https://user:token@host/` → `https://********@host/`) and the query's values
 * (`?token=abc&x=1` → `?token=********&x=********`). For messages that may quote a URL (fetch
 * errors, SMTP replies) before they reach a log, an alert, an API error or the audit log.
 */
export function redactUrls(text: string): string {
  return text.replace(URL_IN_TEXT, redactUrl);
}
