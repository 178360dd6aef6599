/**
 * Opening vSphere sessions for entries and drafts: one place that turns the stored fields (hostname,
 * port, username, password, tls) and the plugin's timeouts into {@link VsphereClient.connect}
 * options. TLS is verified by default (TrueNAS never verifies: reference §7 item 14).
 */
import type { Logger } from 'pino';
import { VapiClient } from '../../vsphere/vapi/client.js';
import { VsphereClient, type VsphereConnectOptions } from '../../vsphere/index.js';
import type { VmwareConfig } from './config.js';
import type { VmwareTls } from './schemas.js';

/** What a connection needs: an entry record or a draft. */
export interface ConnectTarget {
  hostname: string;
  port: number;
  username: string;
  password: string;
  tls: VmwareTls;
}

/** Per-call overrides of the configured timeouts (ms). */
export interface ConnectOverrides {
  connectTimeoutMs?: number;
  callTimeoutMs?: number;
  /** Idle keepalive in ms (default 0: the plugin's sessions are short-lived). */
  keepaliveMs?: number;
  /** HTTPS connections to keep (default 6): a run needs its concurrency plus the task waiter's long poll and a spare. */
  connections?: number;
  /** Aborts a pending connect/login (VsphereError ECANCELED), e.g. the plugin's stop signal. */
  signal?: AbortSignal;
}

/** Builds the client options (the password stays in this object only; never log it). */
export function connectOptions(target: ConnectTarget, config: VmwareConfig, log: Logger | undefined, o: ConnectOverrides = {}): VsphereConnectOptions {
  const tls = {
    verify: target.tls.verify,
    ...(target.tls.ca ? { ca: target.tls.ca } : {}),
    ...(target.tls.thumbprint ? { thumbprint: target.tls.thumbprint } : {}),
  };
  return {
    host: target.hostname,
    port: target.port,
    username: target.username,
    password: target.password,
    tls,
    connectTimeoutMs: o.connectTimeoutMs ?? config.connect_timeout_seconds * 1000,
    callTimeoutMs: o.callTimeoutMs ?? config.call_timeout_seconds * 1000,
    keepaliveMs: o.keepaliveMs ?? 0,
    ...(o.connections !== undefined ? { connections: o.connections } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    ...(log ? { log } : {}),
  };
}

/**
 * Connects and logs in.
 * @throws the vSphere client's typed errors (TlsVerificationError, SoapFaultError InvalidLogin,
 *   VsphereTransportError, VsphereTimeoutError); classify them with errors.ts `describeError`.
 */
export function connectTo(target: ConnectTarget, config: VmwareConfig, log?: Logger, o?: ConnectOverrides): Promise<VsphereClient> {
  return VsphereClient.connect(connectOptions(target, config, log, o));
}

/**
 * Logs in to the target's vSphere Automation API (tagging service), same TLS policy and credentials.
 * @throws VapiUnavailableError (ESXi alone), VsphereError `auth`, TLS/transport/timeout errors
 */
export function connectTagsTo(target: ConnectTarget, config: VmwareConfig, o?: ConnectOverrides): Promise<VapiClient> {
  return VapiClient.connect(connectOptions(target, config, undefined, o));
}
