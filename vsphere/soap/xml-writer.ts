/**
 * Request side of the SOAP codec: vim25 parameters → XML elements.
 *
 * Parameters are plain objects whose key order is the element order, which the WSDL sequence
 * requires (`_this` first, then the parameters as declared; reference B.1). Arrays repeat the element;
 * `undefined`/`null` omit it; {@link MoRefValue} writes `<name type="T">value</name>`; an object with
 * an {@link XSI_TYPE} key writes `xsi:type="T"`, needed where the declared type is abstract or a
 * subtype is sent (`TraversalSpec` in `selectSet`, `VirtualMachineGuestQuiesceSpec`).
 */
import { MoRefValue, type MoRef, type VimValue } from '../types/values.js';

/** Key under which an object carries its `xsi:type`. */
export const XSI_TYPE: unique symbol = Symbol('xsi:type');

/** A parameter value. */
export type SoapParam = string | number | boolean | MoRefValue | SoapObject | readonly SoapParam[] | undefined | null;

/** A data object or a method's parameter list, in element order. */
export interface SoapObject {
  [XSI_TYPE]?: string;
  [field: string]: SoapParam;
}

/** Wraps a moref for writing (`<_this type="VirtualMachine">vm-42</_this>`). */
export function ref(r: MoRef): MoRefValue {
  return r instanceof MoRefValue ? r : new MoRefValue(r.type, r.value);
}

/** Tags a data object with its `xsi:type`. */
export function typed(xsiType: string, fields: Record<string, SoapParam>): SoapObject {
  return { [XSI_TYPE]: xsiType, ...fields };
}

/**
 * A decoded value written back as it came (read-modify-write of data objects, e.g. a device for
 * `ReconfigVM_Task` edit): `_type` becomes the `xsi:type`, field order and morefs are kept.
 */
export function echo(v: VimValue): SoapParam {
  if (typeof v === 'string' || v instanceof MoRefValue) return v;
  if (Array.isArray(v)) return v.map(echo);
  const out: SoapObject = v._type ? { [XSI_TYPE]: v._type } : {};
  for (const [k, f] of Object.entries(v)) if (k !== '_type' && f !== undefined) out[k] = echo(f);
  return out;
}

/** Escapes text and attribute values; drops control characters that XML 1.0 cannot carry at all. */
export function escapeXml(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\x00-\x08\x0B\x0C\x0E-\x1F]/g, '').replace(/[&<>"']/g, (c) =>
    c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : c === '"' ? '&quot;' : '&apos;',
  );
}

/** Writes one parameter as element(s) named `name`. */
export function writeElement(name: string, value: SoapParam, out: string[]): void {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    for (const v of value as readonly SoapParam[]) writeElement(name, v, out);
    return;
  }
  if (value instanceof MoRefValue) {
    out.push(`<${name} type="${escapeXml(value.type)}">${escapeXml(value.value)}</${name}>`);
    return;
  }
  if (typeof value === 'object') {
    const obj = value as SoapObject;
    const xsiType = obj[XSI_TYPE];
    out.push(xsiType ? `<${name} xsi:type="${escapeXml(xsiType)}">` : `<${name}>`);
    writeFields(obj, out);
    out.push(`</${name}>`);
    return;
  }
  out.push(`<${name}>${escapeXml(String(value))}</${name}>`);
}

/** Writes every field of an object, in key order. */
export function writeFields(obj: SoapObject, out: string[]): void {
  for (const key of Object.keys(obj)) writeElement(key, obj[key], out);
}

/**
 * A complete request envelope for `method` with `params` (reference B.1 shape): the method element
 * carries the default namespace `urn:vim25`; `xsi`/`xsd` are declared on the envelope.
 */
export function buildEnvelope(method: string, params: SoapObject): string {
  const out: string[] = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"',
    ' xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">',
    `<soapenv:Body><${method} xmlns="urn:vim25">`,
  ];
  writeFields(params, out);
  out.push(`</${method}></soapenv:Body></soapenv:Envelope>`);
  return out.join('');
}
