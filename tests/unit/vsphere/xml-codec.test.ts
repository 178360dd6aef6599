// Unit tests of the SOAP codec: request envelopes (element order, xsi:type, morefs, escaping) and
// the liberal response value decoding (ArrayOfX, repeated elements, morefs, unknown types).
import t from 'tap';
import { decodeResponse } from '../../../vsphere/soap/response.js';
import { decodeValue } from '../../../vsphere/soap/value-decoder.js';
import { buildEnvelope, escapeXml, ref, typed } from '../../../vsphere/soap/xml-writer.js';
import { parseXml } from '../../../vsphere/soap/xml-reader.js';
import { filterSpecParam, containerViewSpec } from '../../../vsphere/methods/property-specs.js';
import { MoRefValue } from '../../../vsphere/types/values.js';
import { envelope } from '../../helpers/vsphere-xml.js';

t.test('envelope: method in urn:vim25, params in key order, omitted undefined, xsi declared', async (t) => {
  const xml = buildEnvelope('CreateSnapshotEx_Task', {
    _this: ref({ type: 'VirtualMachine', value: 'vm-42' }),
    name: 'vsnapd <run> & "7f3c"',
    description: undefined,
    memory: false,
    quiesceSpec: typed('VirtualMachineGuestQuiesceSpec', { timeout: 5 }),
  });
  t.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?><soapenv:Envelope /);
  t.match(xml, /xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance"/);
  t.ok(
    xml.includes(
      '<CreateSnapshotEx_Task xmlns="urn:vim25"><_this type="VirtualMachine">vm-42</_this>' +
        '<name>vsnapd &lt;run&gt; &amp; &quot;7f3c&quot;</name><memory>false</memory>' +
        '<quiesceSpec xsi:type="VirtualMachineGuestQuiesceSpec"><timeout>5</timeout></quiesceSpec></CreateSnapshotEx_Task>',
    ),
    xml,
  );
  t.notMatch(xml, /description/);
});

t.test('envelope: arrays repeat the element; control characters are dropped', async (t) => {
  const xml = buildEnvelope('CreateContainerView', {
    _this: ref({ type: 'ViewManager', value: 'ViewManager' }),
    container: ref({ type: 'Folder', value: 'group-d1' }),
    type: ['VirtualMachine', 'Datastore'],
    recursive: true,
  });
  t.ok(xml.includes('<type>VirtualMachine</type><type>Datastore</type><recursive>true</recursive>'));
  t.equal(escapeXml('a\u0001b\u0008c\td'), 'ab' + 'c\td');
});

t.test('PropertyFilterSpec: WSDL order and TraversalSpec xsi:type', async (t) => {
  const spec = containerViewSpec({ type: 'ContainerView', value: 'session[1]2' }, { VirtualMachine: ['name', 'runtime.powerState'], Datastore: ['name'] });
  const xml = buildEnvelope('RetrievePropertiesEx', {
    _this: ref({ type: 'PropertyCollector', value: 'propertyCollector' }),
    specSet: [filterSpecParam(spec)],
    options: { maxObjects: 500 },
  });
  t.ok(
    xml.includes(
      '<specSet><propSet><type>VirtualMachine</type><pathSet>name</pathSet><pathSet>runtime.powerState</pathSet></propSet>' +
        '<propSet><type>Datastore</type><pathSet>name</pathSet></propSet>' +
        '<objectSet><obj type="ContainerView">session[1]2</obj><skip>true</skip>' +
        '<selectSet xsi:type="TraversalSpec"><name>traverseView</name><type>ContainerView</type><path>view</path><skip>false</skip></selectSet>' +
        '</objectSet></specSet><options><maxObjects>500</maxObjects></options>',
    ),
    xml,
  );
  const nested = filterSpecParam({
    propSet: [{ type: 'Folder', pathSet: ['name'] }],
    objectSet: [{ obj: { type: 'Folder', value: 'group-d1' }, selectSet: [{ name: 'visit', type: 'Folder', path: 'childEntity', selectSet: [{ name: 'visit' }] }] }],
  });
  const out = buildEnvelope('X', { spec: nested });
  t.ok(out.includes('<selectSet><name>visit</name></selectSet>'), 'a plain SelectionSpec has no xsi:type');
});

t.test('decodeValue: ArrayOfX, repeated fields, morefs, enums, empty typed objects, unknown types', async (t) => {
  const node = parseXml(
    '<val xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="FancyNewInfo">' +
      '<ids xsi:type="ArrayOfString"><string>a</string><string>b</string></ids>' +
      '<empty xsi:type="ArrayOfManagedObjectReference"/>' +
      '<host type="HostSystem">host-1</host><one xsi:type="ManagedObjectReference" type="Datastore">ds-1</one>' +
      '<tag>x</tag><tag>y</tag><mode xsi:type="VirtualDiskMode">persistent</mode>' +
      '<nothing xsi:type="InvalidLogin"/><blank xsi:type="xsd:string"></blank>' +
      '</val>',
  );
  const v = decodeValue(node);
  t.same(JSON.parse(JSON.stringify(v)), {
    _type: 'FancyNewInfo',
    ids: ['a', 'b'],
    empty: [],
    host: { type: 'HostSystem', value: 'host-1' },
    one: { type: 'Datastore', value: 'ds-1' },
    tag: ['x', 'y'],
    mode: 'persistent',
    nothing: { _type: 'InvalidLogin' },
    blank: '',
  });
  const o = v as Record<string, unknown>;
  t.ok(o.host instanceof MoRefValue);
});

t.test('decodeResponse: namespace prefixes other than soapenv/xsi, entities, void methods', async (t) => {
  const body =
    '<?xml version="1.0"?><S:Envelope xmlns:S="http://schemas.xmlsoap.org/soap/envelope/" xmlns:i="http://www.w3.org/2001/XMLSchema-instance">' +
    '<S:Body><CurrentTimeResponse xmlns="urn:vim25"><returnval i:type="xsd:dateTime">2024-05-01T00:00:00Z</returnval></CurrentTimeResponse></S:Body></S:Envelope>';
  t.same(decodeResponse('CurrentTime', body), ['2024-05-01T00:00:00Z']);
  t.same(decodeResponse('Logout', envelope('Logout', '')), []);
  t.same(decodeResponse('X', envelope('X', '<returnval>R&amp;D &#233;&#xE9; &apos;q&apos;</returnval>')), ["R&D éé 'q'"]);
});

t.test('decodeResponse: garbage and non-SOAP bodies are protocol errors, not crashes', async (t) => {
  for (const body of ['', 'hello', '<html><body>503</body></html>', '<soapenv:Envelope xmlns:soapenv="x"><soapenv:Body/></soapenv:Envelope>']) {
    t.throws(() => decodeResponse('RetrieveServiceContent', body), { name: 'VsphereTransportError', category: 'protocol' }, JSON.stringify(body));
  }
});
