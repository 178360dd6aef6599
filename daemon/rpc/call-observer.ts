/**
 * What the call pipeline tells observers (metrics, audit) after each wire call, successful or not.
 * Observers run after the call settled and before its reply is sent; they must not throw or reject
 * (an observer that can fail catches and logs its own errors).
 */
import type { AnyMethodDef, CallSession, Credentials } from '../registry/method.js';

/** One finished wire call. */
export interface ObservedCall {
  /** The connection (transport, peer address, credentials after the call). */
  readonly session: CallSession;
  /** The method name as sent (may name no method). */
  readonly method: string;
  /** The registered method, or undefined when the name is unknown (or hidden over TCP). */
  readonly def: AnyMethodDef | undefined;
  /** The params as sent (before validation; an object when sent by name; may hold secrets: redact before storing). */
  readonly params: readonly unknown[] | Readonly<Record<string, unknown>>;
  /** Who called: the session's credentials when the call started (null = not logged in). */
  readonly credentials: Credentials | null;
  /** What the call returned (undefined when it failed). */
  readonly result: unknown;
  /** The error the call failed with, or undefined on success. */
  readonly error: unknown;
  /** Wall time of the call in ms (for job methods: until the job id or result was returned). */
  readonly ms: number;
}

/** Called once per finished wire call; a returned promise is awaited before the reply is sent. */
export type CallObserver = (call: ObservedCall) => void | Promise<void>;
