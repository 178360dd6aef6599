/**
 * Which connections are logged in with which API key, so that `api_key.delete` revokes the key on
 * those connections too (TrueNAS revokes keys; a deleted key must not keep a session alive).
 * Connections are held weakly: a closed connection is forgotten with its session object.
 */
import type { CallSession, Credentials } from '../../daemon/registry/method.js';

interface Login {
  readonly session: WeakRef<CallSession>;
  /** The identity the key gave; a session that logged in again since then is left alone. */
  readonly credentials: Credentials;
}

/** Tracks API-key logins per key id. */
export class KeySessions {
  readonly #byKey = new Map<number, Login[]>();

  /** Records that `session` logged in with key `id` (already verified) as `credentials`. */
  add(id: number, session: CallSession, credentials: Credentials): void {
    const live = (this.#byKey.get(id) ?? []).filter((l) => this.#current(l) !== null);
    live.push({ session: new WeakRef(session), credentials });
    this.#byKey.set(id, live);
  }

  /** Logs out every connection still logged in with key `id` (it becomes anonymous on TCP). */
  revoke(id: number): void {
    for (const l of this.#byKey.get(id) ?? []) this.#current(l)?.setCredentials(null);
    this.#byKey.delete(id);
  }

  /** The session when it still holds the identity this key gave, else null. */
  #current(l: Login): CallSession | null {
    const s = l.session.deref();
    return s && s.credentials === l.credentials ? s : null;
  }
}
