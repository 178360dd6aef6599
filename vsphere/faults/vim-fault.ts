/**
 * Typed vim25 faults. A failed *call* (HTTP 500 with a SOAP Fault) is a {@link SoapFaultError}; a
 * failed *task* (TaskInfo.state = error, TaskInfo.error = LocalizedMethodFault) is a
 * {@link TaskFaultError}. Both carry the fault type name (`xsi:type` of the fault detail, e.g.
 * `InvalidLogin`), the decoded fault object, and a message made of the localized message plus every
 * `faultMessage[].message` (which often holds the real guest-side reason of a quiesce failure).
 * Shapes: govmomi `vim25/soap/error.go`, `task/error.go`; reference B.3 and B.7.
 */
import { objs, obj, str } from '../types/read.js';
import type { MoRef, VimObject } from '../types/values.js';
import { VsphereError, type VsphereErrorCategory, type VsphereErrorKind } from './errors.js';
import { faultIsA } from './hierarchy.js';

/** The kind and category of a fault type (by the vim25 fault hierarchy). */
export function classifyFault(type: string): { kind: VsphereErrorKind; category: VsphereErrorCategory } {
  if (faultIsA(type, 'InvalidLogin') || faultIsA(type, 'NotAuthenticated')) return { kind: 'denied', category: 'auth' };
  if (faultIsA(type, 'RestrictedVersion') || faultIsA(type, 'NotEnoughLicenses') || faultIsA(type, 'InvalidLicense')) {
    return { kind: 'denied', category: 'licence' };
  }
  if (faultIsA(type, 'NoPermission') || faultIsA(type, 'SecurityError')) return { kind: 'denied', category: 'permission' };
  if (faultIsA(type, 'ManagedObjectNotFound') || faultIsA(type, 'NotFound')) return { kind: 'not-found', category: 'fault' };
  if (faultIsA(type, 'TaskInProgress') || faultIsA(type, 'ConcurrentAccess')) return { kind: 'busy', category: 'fault' };
  if (faultIsA(type, 'MethodNotFound') || faultIsA(type, 'NotSupported') || faultIsA(type, 'NotImplemented')) {
    return { kind: 'unsupported', category: 'fault' };
  }
  if (faultIsA(type, 'RequestCanceled')) return { kind: 'canceled', category: 'fault' };
  if (faultIsA(type, 'Timedout')) return { kind: 'timed-out', category: 'timeout' };
  return { kind: 'failed', category: 'fault' };
}

/** The `faultMessage[].message` texts of a fault object (MethodFault.faultMessage, LocalizableMessage[]). */
export function faultMessages(fault: VimObject | undefined): string[] {
  return objs(fault?.faultMessage)
    .map((m) => str(m.message)?.trim())
    .filter((m): m is string => !!m);
}

/** Joins a primary text and detail messages, dropping blanks and repeats: `"primary; detail1; detail2"`. */
export function joinMessages(primary: string | undefined, details: readonly string[]): string {
  const seen = new Set<string>();
  const parts: string[] = [];
  for (const p of [primary?.trim(), ...details]) {
    if (!p || seen.has(p)) continue;
    seen.add(p);
    parts.push(p);
  }
  return parts.join('; ');
}

/** A SOAP call answered with a fault (HTTP 500). */
export class SoapFaultError extends VsphereError {
  override name = 'SoapFaultError';
  /** vim25 fault type: `xsi:type` of the detail (`InvalidLogin`, `NotAuthenticated`…); `SystemError` when absent. */
  readonly faultType: string;
  /** SOAP `faultcode` (`ServerFaultCode`, `soapenv:Client`…). */
  readonly faultCode: string;
  /** SOAP `faultstring`, the server's human text. */
  readonly faultString: string;
  /** The vim25 method that failed. */
  readonly method: string;
  /** The decoded fault detail (fields such as `object`, `privilegeId`, `obj`, `faultMessage`). */
  readonly fault: VimObject;
  /** `faultMessage[].message` texts. */
  readonly messages: string[];

  constructor(init: { method: string; faultCode: string; faultString: string; faultType?: string; fault?: VimObject }) {
    const faultType = init.faultType || 'SystemError';
    const fault = init.fault ?? { _type: faultType };
    const messages = faultMessages(fault);
    const { kind, category } = classifyFault(faultType);
    super(joinMessages(init.faultString, messages) || faultType, kind, category);
    this.faultType = faultType;
    this.faultCode = init.faultCode;
    this.faultString = init.faultString;
    this.method = init.method;
    this.fault = fault;
    this.messages = messages;
  }
}

/** A vSphere task that ended in `error`; built from TaskInfo.error (LocalizedMethodFault). */
export class TaskFaultError extends VsphereError {
  override name = 'TaskFaultError';
  /** vim25 fault type of `TaskInfo.error.fault` (`FilesystemQuiesceFault`…); `SystemError` when absent. */
  readonly faultType: string;
  /** `TaskInfo.error.localizedMessage`. */
  readonly localizedMessage: string;
  /** `fault.faultMessage[].message` texts. */
  readonly messages: string[];
  /** The decoded fault object. */
  readonly fault: VimObject;
  /** The task that failed. */
  readonly task: MoRef;
  /** TaskInfo.entity (usually the VM; vcsim reports the snapshot for RemoveSnapshot_Task). */
  readonly entity: MoRef | undefined;
  /** TaskInfo.entityName. */
  readonly entityName: string | undefined;

  constructor(init: { task: MoRef; error: VimObject | undefined; entity?: MoRef; entityName?: string }) {
    const fault = obj(init.error?.fault) ?? { _type: 'SystemError' };
    const faultType = fault._type || 'SystemError';
    const localizedMessage = str(init.error?.localizedMessage) ?? '';
    const messages = faultMessages(fault);
    const { kind, category } = classifyFault(faultType);
    super(joinMessages(localizedMessage, messages) || faultType, kind, category === 'fault' ? 'task' : category);
    this.faultType = faultType;
    this.localizedMessage = localizedMessage;
    this.messages = messages;
    this.fault = fault;
    this.task = init.task;
    this.entity = init.entity;
    this.entityName = init.entityName;
  }
}

/** Either kind of vim fault error. */
export type VimFaultError = SoapFaultError | TaskFaultError;

function* causes(err: unknown): Generator<unknown> {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    yield e;
    e = e instanceof Error ? e.cause : undefined;
  }
}

/** Fault types inside a fault object's `faultCause` chain (LocalizedMethodFault.fault), outermost first. */
function faultChain(fault: VimObject): string[] {
  const out: string[] = [];
  for (let f: VimObject | undefined = fault, depth = 0; f && depth < 8; depth++) {
    if (f._type) out.push(f._type);
    f = obj(obj(f.faultCause)?.fault);
  }
  return out;
}

/**
 * Returns the first {@link SoapFaultError}/{@link TaskFaultError} in `err`'s `cause` chain whose
 * fault (or a fault in its `faultCause` chain) is `name` or a subtype of it; any vim fault when
 * `name` is omitted.
 */
export function asVimFault(err: unknown, name?: string): VimFaultError | undefined {
  for (const e of causes(err)) {
    if (!(e instanceof SoapFaultError || e instanceof TaskFaultError)) continue;
    if (name === undefined) return e;
    if ([e.faultType, ...faultChain(e.fault)].some((t) => faultIsA(t, name))) return e;
  }
  return undefined;
}

/** True when `err` is (or wraps) a vim fault of type `name` or a subtype, e.g. `isVimFault(err, 'NoPermission')`. */
export function isVimFault(err: unknown, name: string): boolean {
  return asVimFault(err, name) !== undefined;
}
