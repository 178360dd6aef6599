/**
 * Which wire calls the audit log records, and their params with secrets redacted and size bounded.
 */
import { isSecretField, REDACTED, redactSecrets } from '../redact.js';
import type { AnyMethodDef } from '../registry/method.js';
import { READONLY_ADMIN } from '../registry/roles.js';

/** The audit class of a method: `write`, `login`, or null (not audited). See `MethodSpec.audit`. */
export function auditClass(def: AnyMethodDef): 'write' | 'login' | null {
  if (def.audit === 'none') return null;
  if (def.audit) return def.audit;
  const readable = def.roles.some((r) => r === READONLY_ADMIN || r.endsWith('_READ'));
  return def.roles.length > 0 && !readable ? 'write' : null;
}

/** Params longer than this (as JSON, in characters) are stored cut, with a note. */
export const MAX_PARAMS_CHARS = 4096;

/**
 * The params as the audit log keeps them: each positional argument whose name is a secret
 * (`password`, `api_key` …) replaced by `********`, secret fields at any depth likewise, the
 * method's `secretPaths` likewise, and the
 * whole cut to {@link MAX_PARAMS_CHARS} characters of JSON (`{"truncated": "<first part>…"}`).
 */
export function auditParams(def: AnyMethodDef | undefined, params: readonly unknown[] | Readonly<Record<string, unknown>>): unknown {
  const list = Array.isArray(params) ? params : [params];
  const redacted = list.map((value, i) => {
    const name = def?.args[i]?.name;
    return name !== undefined && isSecretField(name) ? REDACTED : redactSecrets(value);
  });
  for (const path of def?.secretPaths ?? []) redactPath(redacted, path.split('.'));
  const text = JSON.stringify(redacted) ?? 'null';
  return text.length <= MAX_PARAMS_CHARS ? redacted : { truncated: `${text.slice(0, MAX_PARAMS_CHARS)}…` };
}

/** Replaces the non-empty value at `path` inside `root` (already a redacted copy) with {@link REDACTED}. */
function redactPath(root: unknown, path: readonly string[]): void {
  let node = root;
  for (const key of path.slice(0, -1)) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, key)) return;
    node = (node as Record<string, unknown>)[key];
  }
  const last = path[path.length - 1];
  if (last === undefined || typeof node !== 'object' || node === null || !Object.hasOwn(node, last)) return;
  const holder = node as Record<string, unknown>;
  if (holder[last] !== null && holder[last] !== undefined && holder[last] !== '') holder[last] = REDACTED;
}
