/**
 * The `auth.login_ex` SCRAM conversation of each connection (TrueNAS 26): CLIENT_FIRST_MESSAGE →
 * SERVER_FIRST_RESPONSE, then CLIENT_FINAL_MESSAGE → SERVER_FINAL_RESPONSE and the connection is
 * logged in. Every failure — malformed `rfc_str`, unknown key id or user, wrong proof, replayed or
 * out-of-order message, channel binding asked for without TLS — answers AUTH_ERR, ends the
 * conversation and counts as a failed login for the rate limit. Nothing about the key is logged.
 */
import type { ApiKeyStore } from '../../daemon/auth/api-keys.js';
import type { LoginRateLimiter } from '../../daemon/auth/rate-limit.js';
import {
  CB_TLS_SERVER_END_POINT,
  ScramSyntaxError,
  parseClientFirst,
  serverFirst,
  verifyClientFinal,
  type ClientFirst,
  type ScramVerifier,
  type ServerFirst,
} from '../../daemon/auth/scram.js';
import type { CallSession } from '../../daemon/registry/method.js';

/** How long the server waits for the client-final-message after its first response, ms. */
export const SCRAM_STEP_TIMEOUT_MS = 60_000;

/** One SCRAM step's outcome. */
export type ScramStep =
  | { readonly type: 'SERVER_FIRST_RESPONSE'; readonly rfc_str: string }
  | { readonly type: 'SERVER_FINAL_RESPONSE'; readonly rfc_str: string; readonly keyId: number; readonly username: string }
  | { readonly type: 'AUTH_ERR' };

interface Pending {
  readonly first: ClientFirst;
  readonly server: ServerFirst;
  readonly verifier: ScramVerifier;
  readonly since: number;
}

const AUTH_ERR = { type: 'AUTH_ERR' } as const;

/** Runs SCRAM exchanges; one pending exchange per connection (held weakly). */
export class ScramLogins {
  readonly #pending = new WeakMap<CallSession, Pending>();

  constructor(
    private readonly keys: ApiKeyStore,
    private readonly limiter: LoginRateLimiter,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Handles a CLIENT_FIRST_MESSAGE. A new first message replaces any exchange under way. Throws
   * CallError EBUSY when the address is rate limited.
   */
  first(session: CallSession, rfc: string): ScramStep {
    this.limiter.check(session.remoteAddress);
    this.#pending.delete(session);
    let first: ClientFirst;
    try {
      first = parseClientFirst(rfc);
    } catch (err) {
      if (err instanceof ScramSyntaxError) return this.#fail(session);
      throw err;
    }
    const cb = first.cbind;
    // p=: only tls-server-end-point, only over TLS. y: the client could bind but believes the server
    // cannot; over TLS the server can, so that is a downgrade (RFC 5802 §6).
    const tls = session.channelBinding !== null;
    if (cb.flag === 'p' && (cb.name !== CB_TLS_SERVER_END_POINT || !tls)) return this.#fail(session);
    if (cb.flag === 'y' && tls) return this.#fail(session);
    const verifier = this.keys.scramVerifier(first.keyId, first.username);
    if (!verifier) return this.#fail(session);
    const server = serverFirst(first, verifier);
    this.#pending.set(session, { first, server, verifier, since: this.now() });
    return { type: 'SERVER_FIRST_RESPONSE', rfc_str: server.rfc };
  }

  /**
   * Handles a CLIENT_FINAL_MESSAGE: the exchange started by `first` on this connection is used once
   * (a replayed final message finds none), and succeeds only while the key still exists with the
   * verifier the exchange used (a key deleted mid-exchange answers AUTH_ERR). Throws CallError
   * EBUSY when rate limited.
   */
  final(session: CallSession, rfc: string): ScramStep {
    this.limiter.check(session.remoteAddress);
    const pending = this.#pending.get(session);
    this.#pending.delete(session);
    if (!pending || this.now() - pending.since > SCRAM_STEP_TIMEOUT_MS) return this.#fail(session);
    let signature: string | null;
    try {
      signature = verifyClientFinal(rfc, pending.first, pending.server, pending.verifier, session.channelBinding);
    } catch (err) {
      if (err instanceof ScramSyntaxError) return this.#fail(session);
      throw err;
    }
    if (!signature) return this.#fail(session);
    // The key may have been deleted (or replaced) while the client computed its proof: log in only
    // with the verifier the key holds now.
    const current = this.keys.scramVerifier(pending.first.keyId, pending.first.username);
    if (!current || current.stored_key !== pending.verifier.stored_key) return this.#fail(session);
    this.limiter.succeed(session.remoteAddress);
    return { type: 'SERVER_FINAL_RESPONSE', rfc_str: signature, keyId: pending.first.keyId, username: pending.first.username };
  }

  #fail(session: CallSession): ScramStep {
    this.#pending.delete(session);
    this.limiter.fail(session.remoteAddress);
    return AUTH_ERR;
  }
}
