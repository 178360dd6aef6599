/**
 * Response side of the SOAP codec: a response body → the decoded `returnval`s, or a thrown
 * {@link SoapFaultError}. Shapes (reference B.1, B.3; govmomi `vim25/soap/soap.go`):
 *
 * ```xml
 * <soapenv:Envelope …><soapenv:Body>
 *   <RetrieveServiceContentResponse xmlns="urn:vim25"><returnval>…</returnval></RetrieveServiceContentResponse>
 * </soapenv:Body></soapenv:Envelope>
 * <soapenv:Body><soapenv:Fault><faultcode>ServerFaultCode</faultcode><faultstring>…</faultstring>
 *   <detail><InvalidLoginFault xmlns="urn:vim25" xsi:type="InvalidLogin"/></detail></soapenv:Fault></soapenv:Body>
 * ```
 */
import { protocolError } from '../faults/errors.js';
import { SoapFaultError } from '../faults/vim-fault.js';
import { obj } from '../types/read.js';
import type { VimObject, VimValue } from '../types/values.js';
import { decodeValue, xsiTypeOf } from './value-decoder.js';
import { child, childrenNamed, parseXml, type XmlNode } from './xml-reader.js';

/** Builds the {@link SoapFaultError} of a `<Fault>` element. */
export function decodeFault(method: string, fault: XmlNode): SoapFaultError {
  const detailEl = child(fault, 'detail')?.children[0];
  let faultType: string | undefined;
  let detail: VimObject | undefined;
  if (detailEl) {
    // `<XFault xsi:type="X">`; older servers omit xsi:type, then the element name minus "Fault" is the type.
    faultType = xsiTypeOf(detailEl) ?? detailEl.name.replace(/Fault$/, '');
    detail = obj(decodeValue(detailEl)) ?? {};
    detail._type = faultType;
  }
  return new SoapFaultError({
    method,
    faultCode: child(fault, 'faultcode')?.text.trim() ?? '',
    faultString: child(fault, 'faultstring')?.text.trim() ?? '',
    ...(faultType ? { faultType } : {}),
    ...(detail ? { fault: detail } : {}),
  });
}

/**
 * Decodes the body of a 200 or 500 response to `method`.
 * @returns the decoded `returnval` elements (none for void methods; several for array results)
 * @throws SoapFaultError for a SOAP fault; VsphereTransportError (protocol) for a body that is not a SOAP envelope
 */
export function decodeResponse(method: string, body: string): VimValue[] {
  let root: XmlNode;
  try {
    root = parseXml(body);
  } catch {
    throw protocolError(method, 'the server answered with something that is not XML');
  }
  const bodyEl = root.name === 'Envelope' ? child(root, 'Body') : undefined;
  if (!bodyEl) throw protocolError(method, `expected a SOAP envelope, got <${root.name}>`);
  const first = bodyEl.children[0];
  if (!first) throw protocolError(method, 'empty SOAP body');
  if (first.name === 'Fault') throw decodeFault(method, first);
  return childrenNamed(first, 'returnval').map(decodeValue);
}
