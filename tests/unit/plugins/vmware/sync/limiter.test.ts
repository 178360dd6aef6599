import t from 'tap';
import { HostLimiter } from '../../../../../plugins/vmware/sync/limiter.js';

/** A gate the test opens by hand, so concurrency is observed without timing. */
function gate() {
  let open!: () => void;
  const p = new Promise<void>((r) => (open = r));
  return { p, open };
}

t.test('bounds are checked', async (t) => {
  t.throws(() => new HostLimiter({ global: 0, perHost: 1 }), /global: must be a whole number/);
  t.throws(() => new HostLimiter({ global: 2, perHost: 1.5 }), /perHost/);
});

t.test('never more than perHost on one host, never more than global overall', async (t) => {
  const lim = new HostLimiter({ global: 5, perHost: 2 });
  const hosts = ['a', 'a', 'a', 'a', 'b', 'b', 'b', 'c', 'c', 'c'];
  const gates = hosts.map(() => gate());
  let maxA = 0;
  let maxAll = 0;
  const started: number[] = [];
  const done = hosts.map((h, i) =>
    lim.run(h, async () => {
      started.push(i);
      maxA = Math.max(maxA, lim.runningOn('a'));
      maxAll = Math.max(maxAll, lim.running);
      await gates[i]!.p;
      return i;
    }),
  );
  await new Promise((r) => setImmediate(r));
  // a:2, b:2, then c gets the fifth global slot (a and b are full): no head-of-line blocking.
  t.same(started, [0, 1, 4, 5, 7]);
  t.equal(lim.waiting, 5);
  for (const g of gates) g.open();
  t.same(await Promise.all(done), hosts.map((_, i) => i));
  t.equal(maxA, 2);
  t.equal(maxAll, 5);
  t.equal(lim.peak, 5);
  t.equal(lim.running, 0);
});

t.test('a released slot goes to the first waiter whose host has room', async (t) => {
  const lim = new HostLimiter({ global: 2, perHost: 1 });
  const g = [gate(), gate(), gate()];
  const order: string[] = [];
  const p1 = lim.run('a', async () => { order.push('a1'); await g[0]!.p; });
  const p2 = lim.run('a', async () => { order.push('a2'); await g[1]!.p; });
  const p3 = lim.run('b', async () => { order.push('b1'); await g[2]!.p; });
  await new Promise((r) => setImmediate(r));
  t.same(order, ['a1', 'b1'], 'a2 waits for host a, b1 takes the free global slot');
  g[2]!.open();
  await p3;
  await new Promise((r) => setImmediate(r));
  t.same(order, ['a1', 'b1'], 'a global slot alone does not admit a2');
  g[0]!.open();
  await p1;
  await new Promise((r) => setImmediate(r));
  t.same(order, ['a1', 'b1', 'a2']);
  g[1]!.open();
  await p2;
});

t.test('errors release the slot; aborted waiters never run', async (t) => {
  const lim = new HostLimiter({ global: 1, perHost: 1 });
  const g = gate();
  const first = lim.run('a', async () => { await g.p; throw new Error('boom'); });
  const ac = new AbortController();
  let ran = false;
  const second = lim.run('a', async () => { ran = true; }, ac.signal);
  ac.abort(new Error('deadline'));
  await t.rejects(second, /deadline/);
  g.open();
  await t.rejects(first, /boom/);
  t.equal(ran, false);
  t.equal(await lim.run('a', async () => 7), 7);
});
