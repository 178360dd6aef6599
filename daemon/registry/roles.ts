/**
 * Role expansion and checks, as TrueNAS's `role.py`: `FULL_ADMIN` implies every role, `X_WRITE`
 * implies `X_READ`, and `READONLY_ADMIN` implies every `*_READ` role.
 */
import type { Credentials, Role } from './method.js';

/** The all-powerful role. */
export const FULL_ADMIN = 'FULL_ADMIN';
/** Read access to everything. */
export const READONLY_ADMIN = 'READONLY_ADMIN';

/** Expands granted roles with what they imply (`POOL_WRITE` → also `POOL_READ`). */
export function expandRoles(granted: Iterable<Role>): ReadonlySet<Role> {
  const out = new Set<Role>();
  for (const role of granted) {
    out.add(role);
    if (role.endsWith('_WRITE')) out.add(`${role.slice(0, -'_WRITE'.length)}_READ`);
  }
  return out;
}

/** True when `held` (already expanded) grants `role`. */
export function grants(held: ReadonlySet<Role>, role: Role): boolean {
  if (held.has(FULL_ADMIN) || held.has(role)) return true;
  return held.has(READONLY_ADMIN) && role.endsWith('_READ');
}

/**
 * True when `credentials` may use something guarded by `roles` (any one of them suffices; an empty
 * list means any authenticated caller).
 */
export function allowed(credentials: Credentials, roles: readonly Role[]): boolean {
  return roles.length === 0 || roles.some((r) => grants(credentials.roles, r));
}

/** Credentials of Unix-socket callers (uid 0 over the trusted local socket, as TrueNAS). */
export const UNIX_SOCKET_ROOT: Credentials = Object.freeze({
  type: 'UNIX_SOCKET',
  username: 'root',
  roles: expandRoles([FULL_ADMIN]),
});

/** Credentials of calls the daemon makes itself (plugins, scheduler). */
export const INTERNAL_ROOT: Credentials = Object.freeze({
  type: 'INTERNAL',
  username: 'root',
  roles: expandRoles([FULL_ADMIN]),
});

/** What a public method sees when a TCP connection has not logged in: no roles. */
export const ANONYMOUS: Credentials = Object.freeze({
  type: 'ANONYMOUS',
  username: '',
  roles: new Set<Role>(),
});
