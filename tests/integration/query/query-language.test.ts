/**
 * The shared query engine through a real CRUD collection (`api_key.query` / `api_key.get_instance`)
 * over real WebSocket connections: filters, options, and the exact JSON-RPC errors for bad ones.
 */
import t from 'tap';
import { startTestDaemon } from '../../helpers/daemon.js';
import { openRaw } from '../../helpers/raw-ws.js';

t.test('query language over the wire', async (t) => {
  const d = await startTestDaemon(t);
  const root = await d.root();
  for (const name of ['alpha', 'Beta', 'gamma', 'delta']) await root.call('api_key.create', { name });
  const raw = await openRaw({ socketPath: d.socketPath });
  t.teardown(() => raw.close());
  let id = 0;
  const call = async (method: string, params: unknown[]): Promise<Record<string, unknown>> => {
    raw.sendJson({ jsonrpc: '2.0', id: ++id, method, params });
    return (await raw.next()) as Record<string, unknown>;
  };
  const names = async (filters: unknown[], options: Record<string, unknown> = {}): Promise<unknown> =>
    ((await call('api_key.query', [filters, options])).result as { name: string }[]).map((k) => k.name);

  t.test('filters', async (t) => {
    t.same(await names([]), ['alpha', 'Beta', 'gamma', 'delta']);
    t.same(await names([['name', '=', 'Beta']]), ['Beta']);
    t.same(await names([['name', 'C=', 'beta']]), ['Beta']);
    t.same(await names([['name', '~', '[a-d]']]), ['alpha', 'delta']);
    t.same(await names([['name', 'in', ['alpha', 'gamma']]]), ['alpha', 'gamma']);
    t.same(await names([['OR', [['name', '^', 'g'], [['name', '$', 'a'], ['name', '^', 'd']]]]]), ['gamma', 'delta']);
    t.same(await names([['created_at.$date', '>', '2000-01-01T00:00:00Z'], ['revoked', '=', false]]), ['alpha', 'Beta', 'gamma', 'delta']);
    t.same(await names([['created_at.$date', '<', '2000-01-01']]), []);
    t.same(await names([['no_such_field', '!=', 1]]), [], 'missing field: condition false');
  });

  t.test('options', async (t) => {
    t.same(await names([], { order_by: ['-name'], offset: 1, limit: 2 }), ['delta', 'alpha'], 'code-point order: Beta sorts first');
    t.equal((await call('api_key.query', [[], { count: true }])).result, 4);
    t.same((await call('api_key.query', [[['name', '=', 'gamma']], { get: true, select: ['name', ['created_at', 'at']] }])).result, {
      name: 'gamma',
      at: { $date: (((await call('api_key.query', [[['name', '=', 'gamma']], { get: true }])).result as { created_at: { $date: number } }).created_at.$date) },
    });
    const one = (await call('api_key.get_instance', [1])).result as { id: number; name: string };
    t.match(one, { id: 1, name: 'alpha' });
  });

  t.test('errors', async (t) => {
    t.match(await call('api_key.query', [[['name', 'xx', 1]]]), {
      error: {
        code: -32602,
        message: 'Invalid params',
        data: { error: 22, errname: 'EINVAL', extra: [['filters.0', /^Invalid operator 'xx'; valid: = != > >= < <= ~ in nin rin rnin \^ !\^ \$ !\$ C= /, 22]] },
      },
    });
    t.match(await call('api_key.query', [[['OR', []]]]), { error: { code: -32602, data: { extra: [['filters.0', /OR filter requires a non-empty list/, 22]] } } });
    t.match(await call('api_key.query', [[['name', 'C~', 'a']]]), { error: { code: -32602, data: { extra: [['filters.0', /'C~'/, 22]] } } });
    t.match(await call('api_key.query', [[], { get: true, offset: 1 }]), { error: { code: -32602, data: { extra: [['options.get', /cannot be combined/, 22]] } } });
    t.match(await call('api_key.query', [[], { limit: 'x' }]), { error: { code: -32602, data: { extra: [['options.limit', String, 22]] } } });
    t.match(await call('api_key.query', [[], { bogus: true }]), { error: { code: -32602, data: { extra: [['options.bogus', 'Extra inputs are not permitted', 22]] } } });
    t.match(await call('api_key.query', [[['name', '=', 'nobody']], { get: true }]), {
      error: { code: -32001, data: { error: 2, errname: 'ENOENT', reason: '[ENOENT] MatchNotFound()' } },
    });
    t.match(await call('api_key.get_instance', [999]), {
      error: { code: -32602, data: { extra: [[null, 'API Key 999 does not exist', 2]] } },
    });
    let deep: unknown = ['name', '=', 'x'];
    for (let i = 0; i < 4; i++) deep = ['OR', [deep]];
    t.match(await call('api_key.query', [[deep]]), { error: { code: -32602, data: { extra: [[/^filters\.0/, /max recursion depth exceeded/, 22]] } } });
    t.equal((await call('core.ping', [])).result, 'pong', 'the connection is still usable');
  });
});
