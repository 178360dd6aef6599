/**
 * Login checks behind `auth.login_ex` / `auth.login` / `auth.login_with_api_key`: the rate limit
 * first (a limited address is refused even with the right secret), then the secret. A password
 * check is counted as under way before its scrypt starts (so parallel guesses share the address's
 * limit) and runs through a {@link WorkGate} shared by every peer (so a flood cannot queue unbounded
 * scrypt work on libuv's thread pool).
 */
import type { z } from 'zod';
import type { ApiKeyStore } from '../../daemon/auth/api-keys.js';
import { verifyPassword } from '../../daemon/auth/password.js';
import type { LoginRateLimiter } from '../../daemon/auth/rate-limit.js';
import { WorkGate } from '../../daemon/auth/work-gate.js';
import type { Credentials } from '../../daemon/registry/method.js';
import { FULL_ADMIN, expandRoles } from '../../daemon/registry/roles.js';
import type { AuthConfig } from './schemas.js';

/** Admin password checks (scrypt) running at once, over every peer: half of libuv's default 4 threads. */
export const PASSWORD_CHECKS_AT_ONCE = 2;
/** Admin password checks admitted at once (running plus waiting) over every peer; more get EBUSY at once. */
export const PASSWORD_CHECKS_QUEUED = 16;

/** Checks logins. */
export class Authenticator {
  readonly #scrypt = new WorkGate({ concurrency: PASSWORD_CHECKS_AT_ONCE, capacity: PASSWORD_CHECKS_QUEUED });

  constructor(
    private readonly config: z.output<typeof AuthConfig>,
    private readonly keys: ApiKeyStore,
    private readonly limiter: LoginRateLimiter,
  ) {}

  /** The user names an API key may belong to: root and the configured admin. */
  knownUser(username: string): boolean {
    return username === 'root' || username === this.config.admin.username;
  }

  /**
   * PASSWORD_PLAIN for the configured admin. Null on failure. Throws CallError EBUSY, before any
   * scrypt work, when the address's failures plus its checks under way reach the limit or when
   * {@link PASSWORD_CHECKS_QUEUED} checks are under way already.
   */
  async password(username: string, password: string, address: string): Promise<Credentials | null> {
    const attempt = this.limiter.begin(address);
    const { admin } = this.config;
    const hash = admin.password_hash;
    let checked: Promise<boolean>;
    try {
      // Verify even for a wrong user name so timing does not reveal which names exist.
      checked = hash === null ? Promise.resolve(false) : this.#scrypt.run(() => verifyPassword(password, hash));
    } catch (err) {
      attempt.abandon(); // refused before any work: not a guess
      throw err;
    }
    let ok = false;
    try {
      ok = (await checked) && username === admin.username;
    } finally {
      if (ok) attempt.succeed();
      else attempt.fail();
    }
    return ok ? this.grant('PASSWORD', username) : null;
  }

  /** An API key (`<id>-<secret>`), optionally for a given user. Null on failure; EBUSY when rate limited. */
  apiKey(key: string, username: string | null, address: string): Credentials | null {
    this.limiter.check(address);
    const row = this.keys.verify(key);
    const ok = row !== null && (username === null || row.username === username);
    return this.#result(ok ? { type: 'API_KEY', username: row.username, apiKey: { id: row.id, name: row.name } } : null, address);
  }

  #result(who: { type: 'PASSWORD' | 'API_KEY'; username: string; apiKey?: Credentials['apiKey'] } | null, address: string): Credentials | null {
    if (!who) {
      this.limiter.fail(address);
      return null;
    }
    this.limiter.succeed(address);
    return this.grant(who.type, who.username, who.apiKey);
  }

  /** The identity of a verified login (SCRAM verifies on its own and calls this); `apiKey` names the key used. */
  grant(type: 'PASSWORD' | 'API_KEY', username: string, apiKey?: Credentials['apiKey']): Credentials {
    // vsnapd has one administrator: every login is a full admin (TrueNAS's local admin).
    return { type, username, roles: expandRoles([FULL_ADMIN]), ...(apiKey ? { apiKey } : {}) };
  }
}
