/**
 * One SOAP round trip: envelope → `POST /sdk` → decoded `returnval`s or a typed fault.
 * HTTP 200 = success, 500 = SOAP fault (body still an envelope), anything else = transport error
 * (reference B.1). Counts round trips so tests and benchmarks can assert O(1) behaviour.
 *
 * NOTE: request bodies (which hold the Login password) are never logged or attached to errors.
 */
import { VsphereTransportError } from '../faults/errors.js';
import type { HttpTransport } from '../transport/http-transport.js';
import type { VimValue } from '../types/values.js';
import { decodeResponse } from './response.js';
import { buildEnvelope, type SoapObject } from './xml-writer.js';

/** Per-call options. */
export interface CallOptions {
  /** Deadline of this call in ms (default: the client's callTimeoutMs). */
  timeoutMs?: number;
  signal?: AbortSignal;
}

/**
 * Anything that can invoke a vim25 method: {@link SoapClient} itself, or the session, which adds
 * re-login. The typed methods layer depends only on this interface.
 */
export interface RoundTripper {
  /**
   * Invokes `method` with `params` (element order = key order, `_this` first).
   * @returns the decoded `returnval` elements
   * @throws SoapFaultError, VsphereTransportError, TlsVerificationError, VsphereTimeoutError
   */
  call(method: string, params: SoapObject, opts?: CallOptions): Promise<VimValue[]>;
}

/** Minimal logger (pino-compatible). */
export interface VsphereLogger {
  debug(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

/** SOAP client over one {@link HttpTransport}. */
export class SoapClient implements RoundTripper {
  /** vim25 API version sent in SOAPAction (`urn:vim25/<version>`); set after negotiation. */
  version: string;
  /** SOAP requests sent so far (each HTTP POST to /sdk, including logins and failed calls). */
  roundTrips = 0;
  /** The same, per vim25 method (e.g. tests assert one `CreatePropertyCollector` for many tasks). */
  readonly callsByMethod = new Map<string, number>();
  readonly #transport: HttpTransport;
  readonly #callTimeoutMs: number;
  readonly #path: string;
  readonly #log: VsphereLogger | undefined;

  constructor(
    transport: HttpTransport,
    opts: { version: string; callTimeoutMs: number; path?: string; log?: VsphereLogger },
  ) {
    this.#transport = transport;
    this.version = opts.version;
    this.#callTimeoutMs = opts.callTimeoutMs;
    this.#path = opts.path ?? '/sdk';
    this.#log = opts.log;
  }

  /** {@inheritDoc RoundTripper.call} */
  async call(method: string, params: SoapObject, opts: CallOptions = {}): Promise<VimValue[]> {
    this.roundTrips++;
    this.callsByMethod.set(method, (this.callsByMethod.get(method) ?? 0) + 1);
    const started = Date.now();
    const res = await this.#transport.request(
      'POST',
      this.#path,
      { timeoutMs: opts.timeoutMs ?? this.#callTimeoutMs, label: method, ...(opts.signal ? { signal: opts.signal } : {}) },
      buildEnvelope(method, params),
      { 'content-type': 'text/xml; charset="utf-8"', soapaction: `urn:vim25/${this.version}` },
    );
    this.#log?.debug({ method, status: res.status, ms: Date.now() - started }, 'vim25 call');
    if (res.status !== 200 && res.status !== 500) {
      throw new VsphereTransportError(
        `${method}: unexpected HTTP status ${res.status} from ${this.#transport.origin}${this.#path}`,
        { kind: 'failed', category: 'protocol', status: res.status },
      );
    }
    return decodeResponse(method, res.body);
  }
}
