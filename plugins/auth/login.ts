/**
 * Login checks behind `auth.login_ex` / `auth.login` / `auth.login_with_api_key`: the rate limit
 * first (a limited address is refused even with the right secret), then the secret.
 */
import type { z } from 'zod';
import type { ApiKeyStore } from '../../daemon/auth/api-keys.js';
import { verifyPassword } from '../../daemon/auth/password.js';
import type { LoginRateLimiter } from '../../daemon/auth/rate-limit.js';
import type { Credentials } from '../../daemon/registry/method.js';
import { FULL_ADMIN, expandRoles } from '../../daemon/registry/roles.js';
import type { AuthConfig } from './schemas.js';

/** Checks logins. */
export class Authenticator {
  constructor(
    private readonly config: z.output<typeof AuthConfig>,
    private readonly keys: ApiKeyStore,
    private readonly limiter: LoginRateLimiter,
  ) {}

  /** The user names an API key may belong to: root and the configured admin. */
  knownUser(username: string): boolean {
    return username === 'root' || username === this.config.admin.username;
  }

  /** PASSWORD_PLAIN for the configured admin. Null on failure; throws CallError EBUSY when rate limited. */
  async password(username: string, password: string, address: string): Promise<Credentials | null> {
    this.limiter.check(address);
    const { admin } = this.config;
    // Verify even for a wrong user name so timing does not reveal which names exist.
    const ok = admin.password_hash !== null && (await verifyPassword(password, admin.password_hash));
    return this.#result(ok && username === admin.username ? { type: 'PASSWORD', username } : null, address);
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
