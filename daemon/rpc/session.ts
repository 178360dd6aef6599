/**
 * One WebSocket connection's state: identity, options, subscriptions and calls in flight.
 * Unix-socket sessions start (and stay, after logout) as root; TCP sessions start anonymous.
 */
import { randomUUID } from 'node:crypto';
import { CallError, Errno } from '../errors.js';
import type { EventHub } from '../events/event-hub.js';
import type { Disposable } from '../plugin.js';
import type { CallSession, Credentials } from '../registry/method.js';
import { UNIX_SOCKET_ROOT } from '../registry/roles.js';
import type { SessionOptions } from '../registry/session.js';
import { encode } from './wire.js';

/** How a session talks to its peer. */
export interface SessionTransport {
  readonly transport: 'tcp' | 'unix';
  readonly remoteAddress: string;
  /** tls-server-end-point data when the connection is TLS (CallSession.channelBinding), else null. */
  readonly channelBinding: Buffer | null;
  /**
   * How events are framed: `jsonrpc` as `collection_update` notifications, `legacy` (the /websocket
   * protocol) as the update object itself (`{msg: "added", collection, id, fields}`).
   */
  readonly protocol: 'jsonrpc' | 'legacy';
  /** Sends one text frame; must not throw when the connection is already closed. */
  send(text: string): void;
}

/** A connection's session. */
export class Session implements CallSession {
  readonly id = randomUUID();
  readonly transport: 'tcp' | 'unix';
  readonly remoteAddress: string;
  readonly channelBinding: Buffer | null;
  readonly options: SessionOptions = { legacy_jobs: true, private_methods: false };
  /** Calls (requests and notifications) currently running. */
  inflight = 0;
  #credentials: Credentials | null;
  readonly #subscriptions = new Map<string, Disposable>();
  #lastUpdate: object | null = null;
  readonly #closed = new AbortController();
  readonly #events: EventHub;
  readonly #send: (text: string) => void;
  readonly #protocol: 'jsonrpc' | 'legacy';

  constructor(io: SessionTransport, events: EventHub) {
    this.transport = io.transport;
    this.remoteAddress = io.remoteAddress;
    this.channelBinding = io.channelBinding;
    this.#send = io.send;
    this.#protocol = io.protocol;
    this.#events = events;
    this.#credentials = this.#default();
  }

  #default(): Credentials | null {
    return this.transport === 'unix' ? UNIX_SOCKET_ROOT : null;
  }

  get credentials(): Credentials | null {
    return this.#credentials;
  }

  /** Aborted when the connection closes: in-flight non-job calls stop waiting. */
  get signal(): AbortSignal {
    return this.#closed.signal;
  }

  /**
   * Replaces the identity (login), or resets it to the transport's default with null (logout). A
   * change of identity ends the subscriptions: they were authorised for the previous one, and a
   * logged-out (or revoked) connection must not keep receiving events.
   */
  setCredentials(credentials: Credentials | null): void {
    const next = credentials ?? this.#default();
    if (next !== this.#credentials) this.#endSubscriptions();
    this.#credentials = next;
  }

  #endSubscriptions(): void {
    for (const d of this.#subscriptions.values()) d.dispose();
    this.#subscriptions.clear();
  }

  subscribe(event: string): string {
    const credentials = this.#credentials;
    if (!credentials) throw new CallError('Not authenticated', Errno.ENOTAUTHENTICATED);
    const disposable = this.#events.subscribe(event, credentials, `session:${this.id}`, (update) => {
      // One publish reaches every matching subscription (`x` and `*`) synchronously with the same
      // object: send it once, since notifications do not say which subscription they are for.
      if (update === this.#lastUpdate) return;
      this.#lastUpdate = update;
      if (this.#protocol === 'legacy') this.send(encode(update));
      else this.notify('collection_update', update);
    });
    const id = randomUUID();
    this.#subscriptions.set(id, disposable);
    return id;
  }

  unsubscribe(id: string): boolean {
    const d = this.#subscriptions.get(id);
    if (!d) return false;
    d.dispose();
    this.#subscriptions.delete(id);
    return true;
  }

  /** Sends a JSON-RPC notification (`collection_update`, …). */
  notify(method: string, params: unknown): void {
    if (this.#closed.signal.aborted) return;
    this.#send(encode({ jsonrpc: '2.0', method, params }));
  }

  /** Sends a raw frame (replies). */
  send(text: string): void {
    if (!this.#closed.signal.aborted) this.#send(text);
  }

  /** Ends every subscription and aborts calls in flight. */
  close(): void {
    this.#endSubscriptions();
    this.#closed.abort(new CallError('Connection closed', Errno.ECONNRESET));
  }
}
