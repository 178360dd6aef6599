/**
 * Who calls a method: the identity a connection holds ({@link Credentials}) and its roles. Shared by
 * method declarations (./method.ts) and wire connections (./session.ts), which import it and not
 * each other.
 */

/** A role name such as `SNAPSHOT_TASK_READ`; `FULL_ADMIN` implies every role, `X_WRITE` implies `X_READ`. */
export type Role = string;

/**
 * Who is calling. Unix-socket callers are `UNIX_SOCKET`/root; in-process calls are `INTERNAL`;
 * `ANONYMOUS` (no roles) is what public methods see on a TCP connection that has not logged in.
 */
export interface Credentials {
  readonly type: 'UNIX_SOCKET' | 'API_KEY' | 'PASSWORD' | 'INTERNAL' | 'ANONYMOUS';
  readonly username: string;
  /** Roles held, already expanded (FULL_ADMIN, READONLY_ADMIN, WRITE→READ). */
  readonly roles: ReadonlySet<Role>;
  /** The API key of an `API_KEY` login (id and name, never the key), for the audit log. */
  readonly apiKey?: { readonly id: number; readonly name: string };
}
