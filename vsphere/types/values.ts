/**
 * The neutral value model every layer of the vSphere client shares: what a vim25 SOAP response
 * decodes to before typed decoders pick the fields they need.
 *
 * - leaves stay strings (the wire form; `xsd:int`, `xsd:boolean`, enums…); typed decoders convert,
 * - a `ManagedObjectReference` becomes a {@link MoRef} `{type, value}`,
 * - a data object becomes a {@link VimObject} whose `_type` is its `xsi:type` when the server sent one,
 * - `ArrayOfX` wrappers and repeated elements become arrays.
 *
 * Unknown `xsi:type`s (newer servers, new faults) therefore degrade to generic objects, never errors.
 */

/**
 * A vim25 `ManagedObjectReference`: `type` is the managed object type (`VirtualMachine`,
 * `Datastore`, `Task`…), `value` the moId (`vm-42`, `ha-host`, `session[…]…`). moIds differ between
 * ESXi and vCenter and between sessions for session-scoped objects; never hard-code them.
 */
export interface MoRef {
  readonly type: string;
  readonly value: string;
}

/** A decoded vim25 data object. `_type` is the `xsi:type` (e.g. `NasDatastoreInfo`) when the server sent one. */
export interface VimObject {
  _type?: string;
  [field: string]: VimValue | undefined;
}

/** Any decoded vim25 value (see the module comment for the mapping). */
export type VimValue = string | MoRefValue | VimObject | VimValue[];

/**
 * A decoded moref inside the generic value tree. A class (not a plain object) so it can never be
 * confused with a data object that happens to have `type`/`value` fields; it still serialises to
 * `{"type": …, "value": …}`.
 */
export class MoRefValue implements MoRef {
  constructor(
    readonly type: string,
    readonly value: string,
  ) {}

  /** `Type:value`, the form govmomi prints (`VirtualMachine:vm-42`). */
  toString(): string {
    return `${this.type}:${this.value}`;
  }
}

/** Returns a plain `{type, value}` moref (what typed results expose). */
export function moRef(type: string, value: string): MoRef {
  return { type, value };
}

/** True when two morefs name the same managed object. */
export function sameMoRef(a: MoRef | undefined, b: MoRef | undefined): boolean {
  return !!a && !!b && a.type === b.type && a.value === b.value;
}

/** `Type:value`, e.g. for map keys and messages. */
export function moRefKey(ref: MoRef): string {
  return `${ref.type}:${ref.value}`;
}
