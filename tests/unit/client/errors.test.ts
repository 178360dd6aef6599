/** client/errors.ts: typed errors rebuilt from the daemon's JSON-RPC `error` objects (TrueNAS `data` shape). */
import t from 'tap';
import { ClientCallError, ClientTimeoutError, ClientValidationError, fromRpcError } from '../../../client/errors.js';

t.test('a call error carries errno, errname, reason, extra and trace as its own fields', async (t) => {
  const e = fromRpcError({
    code: -32001,
    message: 'Method call error',
    data: { error: 2, errname: 'ENOENT', reason: '[ENOENT] VMWare 5 does not exist\n', extra: { id: 5 }, trace: null },
  });
  t.ok(e instanceof ClientCallError);
  t.notOk(e instanceof ClientValidationError);
  t.equal(e.name, 'ClientCallError');
  t.equal(e.message, '[ENOENT] VMWare 5 does not exist', 'message is the reason without trailing whitespace');
  t.same(
    { code: e.code, errno: e.errno, errname: e.errname, reason: e.reason, extra: e.extra, trace: e.trace },
    { code: -32001, errno: 2, errname: 'ENOENT', reason: '[ENOENT] VMWare 5 does not exist\n', extra: { id: 5 }, trace: null },
  );
  t.same(Object.keys(e).sort(), ['code', 'errname', 'errno', 'extra', 'name', 'reason', 'trace'], 'enumerable own fields');
});

t.test('without data: nulls, and the JSON-RPC message as the reason', async (t) => {
  const e = fromRpcError({ code: -32601, message: 'Method not found' });
  t.same({ errno: e.errno, errname: e.errname, reason: e.reason, extra: e.extra, trace: e.trace }, { errno: null, errname: null, reason: 'Method not found', extra: null, trace: null });
});

t.test('invalid params (-32602) become a ClientValidationError with one entry per attribute', async (t) => {
  const e = fromRpcError({
    code: -32602,
    message: 'Invalid params',
    data: { error: 22, errname: 'EINVAL', reason: '[EINVAL] vmware_create.hostname: Field required\n', extra: [['vmware_create.hostname', 'Field required', 22], 'odd'] },
  });
  t.ok(e instanceof ClientValidationError && e instanceof ClientCallError);
  t.equal(e.name, 'ClientValidationError');
  t.same((e as ClientValidationError).errors, [
    { attribute: 'vmware_create.hostname', message: 'Field required', errno: 22 },
    { attribute: null, message: 'odd', errno: 22 },
  ]);
});

t.test('a timeout is ETIMEDOUT naming the method and the time', async (t) => {
  const e = new ClientTimeoutError('vmware.query', 1500);
  t.ok(e instanceof ClientCallError);
  t.same({ name: e.name, errno: e.errno, errname: e.errname, message: e.message }, { name: 'ClientTimeoutError', errno: 110, errname: 'ETIMEDOUT', message: '[ETIMEDOUT] vmware.query: no reply within 1500 ms' });
});
