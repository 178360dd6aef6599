/**
 * Unit-test helpers for the vSphere client: load the hand-written vim25 XML fixtures of
 * tests/fixtures/vsphere-xml/, and a fake RoundTripper that answers methods with them (through the
 * real response decoder) while recording the request envelopes it was asked to send.
 * Integration tests never use this: they talk to vcsim.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decodeResponse } from '../../vsphere/soap/response.js';
import type { CallOptions, RoundTripper } from '../../vsphere/soap/soap-client.js';
import { buildEnvelope, type SoapObject } from '../../vsphere/soap/xml-writer.js';
import type { VimValue } from '../../vsphere/types/values.js';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'vsphere-xml');

/** The text of `tests/fixtures/vsphere-xml/<name>`. */
export function loadXml(name: string): string {
  return readFileSync(join(dir, name), 'utf8');
}

/** A request the fake received. */
export interface RecordedCall {
  method: string;
  envelope: string;
  opts: CallOptions | undefined;
}

/** Answers each method with a fixture file name or a raw body; records every call. */
export class FixtureRoundTripper implements RoundTripper {
  readonly calls: RecordedCall[] = [];
  constructor(private readonly answers: Record<string, string>) {}

  async call(method: string, params: SoapObject, opts?: CallOptions): Promise<VimValue[]> {
    this.calls.push({ method, envelope: buildEnvelope(method, params), opts });
    const answer = this.answers[method];
    if (answer === undefined) throw new Error(`fake: no answer for ${method}`);
    const body = answer.trimStart().startsWith('<') ? answer : loadXml(answer);
    return decodeResponse(method, body);
  }
}

/** A minimal response envelope for `method` with a raw inner XML. */
export function envelope(method: string, inner: string): string {
  return (
    '<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" ' +
    'xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>' +
    `<${method}Response xmlns="urn:vim25">${inner}</${method}Response></soapenv:Body></soapenv:Envelope>`
  );
}
