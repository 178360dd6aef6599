/**
 * {@link XmlNode} → {@link VimValue}, the liberal decoding of vim25 response content
 * (reference B.1 "xsi:type in responses"):
 *
 * - `xsi:type="ArrayOfX"` → array of the decoded children (empty wrapper → `[]`),
 * - an element with child elements → data object (`_type` = its `xsi:type`); repeated child names → arrays,
 * - an element with a `type` attribute and text → moref `{type, value}`,
 * - an empty element with a non-primitive `xsi:type` → empty data object (e.g. `InvalidLoginFault`),
 * - anything else → its text (enums, `xsd:*` primitives).
 *
 * No schema is consulted, so unknown types (newer servers, new faults) decode like known ones.
 */
import { MoRefValue, type VimObject, type VimValue } from '../types/values.js';
import type { XmlNode } from './xml-reader.js';

const PRIMITIVES = new Set([
  'string', 'boolean', 'int', 'long', 'short', 'byte', 'float', 'double', 'decimal',
  'dateTime', 'base64Binary', 'anyURI', 'anyType', 'integer', 'unsignedInt', 'unsignedLong',
]);

/** The `xsi:type` of an element without its namespace prefix (`xsd:string` → `string`). */
export function xsiTypeOf(node: XmlNode): string | undefined {
  const t = node.attrs['xsi:type'];
  if (t === undefined) return undefined;
  const i = t.indexOf(':');
  return i < 0 ? t : t.slice(i + 1);
}

/** Decodes the children of `node` as the fields of a data object (no `_type`). */
export function decodeFields(node: XmlNode, into: VimObject = {}): VimObject {
  for (const c of node.children) {
    const v = decodeValue(c);
    const prev = into[c.name];
    if (prev === undefined) into[c.name] = v;
    else if (Array.isArray(prev) && prevIsRepeat.has(prev)) prev.push(v);
    else {
      const arr: VimValue[] = [prev, v];
      prevIsRepeat.add(arr);
      into[c.name] = arr;
    }
  }
  return into;
}

// Arrays built from repeated elements (as opposed to a decoded ArrayOfX value that is one field).
const prevIsRepeat = new WeakSet<VimValue[]>();

/** Decodes one element (see the module comment). */
export function decodeValue(node: XmlNode): VimValue {
  const xsiType = xsiTypeOf(node);
  if (xsiType?.startsWith('ArrayOf')) return node.children.map(decodeValue);
  if (node.children.length > 0) {
    const o: VimObject = xsiType ? { _type: xsiType } : {};
    return decodeFields(node, o);
  }
  const moType = node.attrs.type;
  if (moType !== undefined && (xsiType === undefined || xsiType === 'ManagedObjectReference')) {
    return new MoRefValue(moType, node.text.trim());
  }
  if (xsiType !== undefined && !PRIMITIVES.has(xsiType) && node.text.trim() === '') return { _type: xsiType };
  return node.text;
}
