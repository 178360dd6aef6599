/**
 * The client connection a wire call arrived on (TrueNAS passes it to `@pass_app` methods). Only the
 * core and auth plugins need it: to log in and out, set per-connection options and subscribe.
 */
import type { Credentials } from './credentials.js';

/** Per-connection options set by `core.set_options` (TrueNAS names). */
export interface SessionOptions {
  /** true (default): a job method replies with the job id; false: the reply waits for the job's result. */
  legacy_jobs: boolean;
  /** Allow private methods over TCP (they are always callable over the Unix socket). */
  private_methods: boolean;
}

/** A wire connection. */
export interface CallSession {
  /** Unique per connection (UUID). */
  readonly id: string;
  /** `unix` connections are trusted as root; `tcp` ones must log in. */
  readonly transport: 'tcp' | 'unix';
  /** Peer IP address (`unix` for the local socket): the key of the login rate limit. */
  readonly remoteAddress: string;
  /**
   * RFC 5929 `tls-server-end-point` channel-binding data of a TLS (wss://) connection, for
   * SCRAM-PLUS; null on plain ws:// and the Unix socket.
   */
  readonly channelBinding: Buffer | null;
  /** The logged-in identity, null before login on TCP. */
  readonly credentials: Credentials | null;
  readonly options: SessionOptions;
  /** Replaces the identity (login), or resets it to the transport's default with null (logout). */
  setCredentials(credentials: Credentials | null): void;
  /** Subscribes the connection to an event (`core.subscribe`); returns the subscription id. Throws CallError. */
  subscribe(event: string): string;
  /** Ends a subscription; false when the id is unknown. */
  unsubscribe(id: string): boolean;
}
