/** Follow-up sweeps: growing delays from the config, stop once the run is closed or the delays are used up, stop() cancels. */
import t from 'tap';
import { FollowUps, type FollowUpTimers } from '../../../../../plugins/vmware/sync/follow-up.js';

/** Timers the test fires by hand: `fire()` runs the earliest pending one. */
function manualTimers() {
  const pending: { fn: () => void; ms: number; id: number }[] = [];
  let next = 1;
  const timers: FollowUpTimers = {
    set(fn, ms) {
      pending.push({ fn, ms, id: next });
      return next++;
    },
    clear(h) {
      const i = pending.findIndex((p) => p.id === h);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return { timers, pending, fire: () => pending.shift()?.fn() };
}

const settle = () => new Promise((r) => setImmediate(r));

t.test('sweeps after each growing delay until the run is closed', async (t) => {
  const m = manualTimers();
  const swept: string[] = [];
  let openAfter = 2; // the run's record stays open for two sweeps
  const f = new FollowUps({ delaysMs: [1000, 2000, 4000, 8000], timers: m.timers, onError: () => t.fail('no error'), sweep: async (id) => (swept.push(id), --openAfter > 0) });
  f.start('run1');
  f.start('run1');
  t.same(m.pending.map((p) => p.ms), [1000], 'one chain per run');
  m.fire();
  await settle();
  t.same(m.pending.map((p) => p.ms), [2000], 'still open: the next, longer delay');
  m.fire();
  await settle();
  t.same(swept, ['run1', 'run1']);
  t.same(m.pending, [], 'closed: no more sweeps');
  t.same(f.scheduled(), []);
});

t.test('gives up after the last delay; a failing sweep does not end the chain; stop cancels', async (t) => {
  const m = manualTimers();
  const errors: unknown[] = [];
  const f = new FollowUps({ delaysMs: [10, 20], timers: m.timers, onError: (_id, e) => errors.push(e), sweep: async () => { throw new Error('vCenter down'); } });
  f.start('run2');
  m.fire();
  await settle();
  t.same(m.pending.map((p) => p.ms), [20]);
  m.fire();
  await settle();
  t.equal(errors.length, 2);
  t.same(m.pending, [], 'the delays are used up (the scheduled sweep takes over)');

  const g = new FollowUps({ delaysMs: [10], timers: m.timers, onError: () => undefined, sweep: async () => true });
  g.start('run3');
  t.equal(m.pending.length, 1);
  g.stop();
  t.same(m.pending, [], 'stop clears the timer');
  g.start('run4');
  t.same(m.pending, [], 'nothing starts after stop');
});
