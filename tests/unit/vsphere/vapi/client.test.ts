/**
 * The tagging client's vCenter 7+ flavour (`/api/…`, bare JSON; vcsim only serves `/rest/…`, which
 * the integration tests cover), ESXi's missing Automation API and a refused login, against a small
 * HTTPS fake on loopback with a certificate the client is told to trust.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { generate } from 'selfsigned';
import { VapiClient, VapiUnavailableError } from '../../../../vsphere/vapi/client.js';
import type { Teardown } from '../../../helpers/daemon.js';

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

async function fake(t: Teardown, handler: Handler): Promise<{ port: number; ca: string; seen: string[] }> {
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
  });
  const seen: string[] = [];
  const server = createServer({ cert: pems.cert, key: pems.private }, (req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push(`${req.method} ${req.url}`);
      handler(req, body, res);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as AddressInfo).port, ca: pems.cert, seen };
}

const json = (res: ServerResponse, status: number, v: unknown) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(v));
};

const opts = (port: number, ca: string) => ({ host: '127.0.0.1', port, username: 'administrator@vsphere.local', password: 'pw', tls: { ca }, callTimeoutMs: 5000 });

t.test('vCenter 7+: /api session, tags with category names, attached objects', async (t) => {
  const f = await fake(t, (req, body, res) => {
    const url = req.url ?? '';
    if (url === '/api/session' && req.method === 'POST') {
      t.equal(req.headers.authorization, `Basic ${Buffer.from('administrator@vsphere.local:pw').toString('base64')}`);
      return json(res, 201, 'sess-1');
    }
    if (url === '/api/session' && req.method === 'DELETE') return json(res, 204, null);
    if (req.headers['vmware-api-session-id'] !== 'sess-1') return json(res, 401, {});
    if (url === '/api/cis/tagging/category') return json(res, 200, ['c1']);
    if (url === '/api/cis/tagging/category/c1') return json(res, 200, { id: 'c1', name: 'backup' });
    if (url === '/api/cis/tagging/tag') return json(res, 200, ['t1', 't2']);
    if (url === '/api/cis/tagging/tag/t1') return json(res, 200, { id: 't1', name: 'gold', category_id: 'c1' });
    if (url === '/api/cis/tagging/tag/t2') return json(res, 200, { id: 't2', name: 'never', category_id: 'c1' });
    if (url === '/api/cis/tagging/tag-association?action=list-attached-objects-on-tags') {
      t.same(JSON.parse(body), { tag_ids: ['t1'] });
      return json(res, 200, [{ tag_id: 't1', object_ids: [{ type: 'VirtualMachine', id: 'vm-42' }, { type: 'Datastore', id: 'ds-1' }] }]);
    }
    return json(res, 404, {});
  });
  const c = await VapiClient.connect(opts(f.port, f.ca));
  t.equal(c.flavour, 'api');
  t.same(await c.tags(), [
    { id: 't1', name: 'gold', category: 'backup' },
    { id: 't2', name: 'never', category: 'backup' },
  ]);
  t.same([...(await c.attachedObjects(['t1'])).entries()], [['t1', [{ type: 'VirtualMachine', value: 'vm-42' }, { type: 'Datastore', value: 'ds-1' }]]]);
  await c.close();
  t.equal(f.seen.at(-1), 'DELETE /api/session', 'logged out');
});

t.test('ESXi alone: no session path answers, so the Automation API is unavailable', async (t) => {
  const f = await fake(t, (_req, _body, res) => json(res, 404, {}));
  await t.rejects(VapiClient.connect(opts(f.port, f.ca)), VapiUnavailableError);
  t.same(f.seen, ['POST /api/session', 'POST /rest/com/vmware/cis/session']);
});

t.test('a refused login is an auth error naming the server', async (t) => {
  const f = await fake(t, (_req, _body, res) => json(res, 401, {}));
  await t.rejects(VapiClient.connect(opts(f.port, f.ca)), { category: 'auth', message: /login at 127\.0\.0\.1:\d+ refused \(HTTP 401\)/ });
});
