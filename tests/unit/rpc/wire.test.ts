import t from 'tap';
import { CallError, Errno, InstanceNotFound, ValidationErrors } from '../../../daemon/errors.js';
import { RpcError } from '../../../daemon/rpc/codes.js';
import { toRpcError } from '../../../daemon/rpc/error-data.js';
import { encode, nestingDepth } from '../../../daemon/rpc/wire.js';

t.test('encode: Date anywhere → {"$date": ms}', async (t) => {
  t.equal(encode({ a: [new Date(5), { b: new Date(0) }], c: 'x' }), '{"a":[{"$date":5},{"b":{"$date":0}}],"c":"x"}');
  t.throws(() => encode({ n: 1n }), TypeError);
});

t.test('encode writes what JSON.stringify writes when no Date is inside (the fast path)', async (t) => {
  const plain = { s: 'x', n: 1.5, b: false, z: null, u: undefined, a: [1, 'two', null, undefined, { deep: [[[]]] }], e: {}, nan: NaN };
  t.equal(encode(plain), JSON.stringify(plain));
  const inherited = Object.assign(Object.create({ hidden: new Date(1) }) as object, { own: 1 });
  t.equal(encode(inherited), '{"own":1}', 'inherited keys are not written, and their Dates are not looked at');
  t.equal(encode({ b: Buffer.from('hi') }), JSON.stringify({ b: Buffer.from('hi') }), 'other toJSON objects are written by their toJSON');
  let deep: unknown = new Date(7);
  for (let i = 0; i < 100; i++) deep = [deep];
  t.equal(encode(deep), `${'['.repeat(100)}{"$date":7}${']'.repeat(100)}`, 'a Date deeper than the walk looks is still converted');
  const cycle: Record<string, unknown> = {};
  cycle.self = cycle;
  t.throws(() => encode(cycle), TypeError, 'cycles still throw');
});

t.test('nestingDepth counts brackets outside strings', async (t) => {
  t.equal(nestingDepth('{"a":[1,[2]]}', 64), 3);
  t.equal(nestingDepth('["[[[[", "\\"[["]', 64), 1);
  t.equal(nestingDepth('['.repeat(1_000_000), 64), 65, 'stops early');
  t.equal(nestingDepth('1', 64), 0);
});

t.test('error data follows TrueNAS', async (t) => {
  const v = toRpcError(new ValidationErrors().add('x.y', 'bad').add('x.z', 'worse', Errno.ENOENT), false);
  t.same(v, {
    code: -32602,
    message: 'Invalid params',
    data: { error: 22, errname: 'EINVAL', reason: '[EINVAL] x.y: bad\n[ENOENT] x.z: worse\n', trace: null, extra: [['x.y', 'bad', 22], ['x.z', 'worse', 2]] },
  });
  t.same(toRpcError(new InstanceNotFound('VMWare', 5), false).data.extra, [[null, 'VMWare 5 does not exist', 2]]);
  const c = toRpcError(new CallError('Task is not enabled', Errno.EINVAL, { id: 1 }), true);
  t.match(c, { code: -32001, message: 'Method call error', data: { error: 22, errname: 'EINVAL', reason: '[EINVAL] Task is not enabled', extra: { id: 1 }, trace: { class: 'CallError' } } });
  t.match(toRpcError(new RpcError(-32600, '"jsonrpc" must be exactly "2.0"'), false), { code: -32600, message: '"jsonrpc" must be exactly "2.0"' });
  t.match(toRpcError(new RpcError(-32601, 'Method "x" does not exist', Errno.ENOMETHOD), false), { code: -32601, message: 'Method does not exist', data: { error: 201, errname: 'ENOMETHOD' } });
  t.match(toRpcError(new TypeError('oops'), false), { code: -32001, data: { error: 14, errname: 'EFAULT', reason: '[EFAULT] oops', trace: null } });
});
