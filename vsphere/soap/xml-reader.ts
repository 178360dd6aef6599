/**
 * XML → a small element tree ({@link XmlNode}) with fast-xml-parser in order-preserving mode.
 * Namespace prefixes are dropped from element names (`soapenv:Body` → `Body`, whatever prefix the
 * server picked); attributes keep `type` (a moref's type) apart from `xsi:type` (any prefix bound to
 * the XML Schema instance namespace ends up as `xsi:type`); `xmlns` declarations are dropped.
 */
import { XMLParser } from 'fast-xml-parser';

/** One XML element. */
export interface XmlNode {
  /** Local name (prefix removed). */
  name: string;
  /** Attributes: `type`, `xsi:type`, … */
  attrs: Record<string, string>;
  /** Child elements in document order. */
  children: XmlNode[];
  /** Concatenated text content (entities decoded, not trimmed). */
  text: string;
}

const parser = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  processEntities: true,
  // decodes numeric character references (&#x41;) too; vSphere escapes control characters that way
  htmlEntities: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: 256,
});

type OrderedEntry = Record<string, unknown>;

const NO_ATTRS: Record<string, string> = Object.freeze({}) as Record<string, string>;

function localName(name: string): string {
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
}

function convertAttrs(raw: unknown): Record<string, string> {
  if (!raw || typeof raw !== 'object') return NO_ATTRS;
  let attrs: Record<string, string> | undefined;
  for (const k in raw as Record<string, unknown>) {
    if (k === 'xmlns' || k.startsWith('xmlns:')) continue;
    const i = k.indexOf(':');
    const key = i < 0 ? k : localName(k) === 'type' ? 'xsi:type' : k;
    (attrs ??= {})[key] = String((raw as Record<string, unknown>)[k]);
  }
  return attrs ?? NO_ATTRS;
}

/**
 * Converts fast-xml-parser's ordered entries into nodes appended to `out`; returns the text found
 * at this level. Written for speed (inventory answers reach tens of MB): one pass, no per-node
 * arrays for text, a shared empty attribute object.
 */
function convert(entries: OrderedEntry[], out: XmlNode[]): string {
  let text = '';
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i] as OrderedEntry;
    for (const key in entry) {
      if (key === ':@') continue;
      const value = entry[key];
      if (key === '#text') {
        text += String(value);
        continue;
      }
      const c = key.charCodeAt(0);
      if (c === 35 /* # */ || c === 63 /* ? */ || c === 33 /* ! */) continue; // comments, PIs
      const node: XmlNode = { name: localName(key), attrs: convertAttrs(entry[':@']), children: [], text: '' };
      if (Array.isArray(value) && value.length > 0) node.text = convert(value as OrderedEntry[], node.children);
      out.push(node);
    }
  }
  return text;
}

/**
 * Parses a document and returns its root element.
 * @throws Error when the text holds no element (the caller reports it as a protocol error).
 */
export function parseXml(xml: string): XmlNode {
  const roots: XmlNode[] = [];
  convert(parser.parse(xml) as OrderedEntry[], roots);
  const root = roots[0];
  if (!root) throw new Error('not an XML document');
  return root;
}

/** The first child element called `name` (local name). */
export function child(node: XmlNode | undefined, name: string): XmlNode | undefined {
  return node?.children.find((c) => c.name === name);
}

/** Every child element called `name`. */
export function childrenNamed(node: XmlNode | undefined, name: string): XmlNode[] {
  return node ? node.children.filter((c) => c.name === name) : [];
}
