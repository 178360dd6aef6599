import t from 'tap';
import { LoginRateLimiter, MAX_TRACKED_ADDRESSES, type LoginAttempt } from '../../../daemon/auth/rate-limit.js';
import { WorkGate } from '../../../daemon/auth/work-gate.js';

t.test('a flood of distinct addresses stays bounded; recent offenders stay limited', async (t) => {
  let now = 0;
  const l = new LoginRateLimiter({ maxFailures: 1, windowMs: 60_000, now: () => now });
  l.fail('2001:db8::1');
  for (let i = 0; i < MAX_TRACKED_ADDRESSES + 500; i++) {
    now += 1;
    l.fail(`2001:db8:1::${i.toString(16)}`);
  }
  t.equal(l.tracked, MAX_TRACKED_ADDRESSES, 'never more than the cap');
  t.doesNotThrow(() => l.check('2001:db8::1'), 'the oldest offender was dropped first');
  t.throws(() => l.check(`2001:db8:1::${(MAX_TRACKED_ADDRESSES + 499).toString(16)}`), { errno: 16, message: 'Rate Limit Exceeded' }, 'the newest is still limited');
});

t.test('expired entries are swept before anything recent is dropped', async (t) => {
  let now = 0;
  const l = new LoginRateLimiter({ maxFailures: 1, windowMs: 10, now: () => now });
  for (let i = 0; i < MAX_TRACKED_ADDRESSES; i++) l.fail(`10.0.${i >> 8}.${i & 255}`);
  now = 100; // every failure above has left the window
  l.fail('192.0.2.1');
  t.equal(l.tracked, 1, 'only the live failure remains');
  t.throws(() => l.check('192.0.2.1'), { errno: 16, message: 'Rate Limit Exceeded' });
});

t.test('attempts under way count like failures: parallel guesses cannot all pass the check', async (t) => {
  const l = new LoginRateLimiter({ maxFailures: 5, windowMs: 60_000 });
  const begun: LoginAttempt[] = [];
  let refused = 0;
  for (let i = 0; i < 12; i++) {
    try {
      begun.push(l.begin('192.0.2.7'));
    } catch (err) {
      t.match(err, { errno: 16, message: 'Rate Limit Exceeded' });
      refused++;
    }
  }
  t.equal(begun.length, 5, 'only max_failures attempts begin');
  t.equal(refused, 7);
  t.throws(() => l.check('192.0.2.7'), { errno: 16, message: 'Rate Limit Exceeded' }, 'a synchronous check (API key, SCRAM) sees them too');
  t.doesNotThrow(() => l.begin('192.0.2.8').abandon(), 'other addresses are not affected');
  for (const a of begun) a.fail();
  t.throws(() => l.begin('192.0.2.7'), { errno: 16, message: 'Rate Limit Exceeded' }, 'the ended attempts are failures now');
  begun[0]!.succeed();
  t.throws(() => l.check('192.0.2.7'), { errno: 16, message: 'Rate Limit Exceeded' }, 'an attempt ends once: a second verdict is ignored');
});

t.test('an abandoned attempt frees its place without counting; success forgets the failures', async (t) => {
  const l = new LoginRateLimiter({ maxFailures: 2, windowMs: 60_000 });
  l.begin('192.0.2.9').fail();
  const a = l.begin('192.0.2.9');
  t.throws(() => l.begin('192.0.2.9'), { errno: 16, message: 'Rate Limit Exceeded' });
  a.abandon();
  l.begin('192.0.2.9').succeed();
  t.doesNotThrow(() => l.check('192.0.2.9'));
  const unix = Array.from({ length: 10 }, () => l.begin('unix'));
  t.equal(unix.length, 10, 'the Unix socket is never limited');
});

t.test('WorkGate: at most `concurrency` jobs run, at most `capacity` are admitted, the rest refused at once', async (t) => {
  const gate = new WorkGate({ concurrency: 2, capacity: 4 });
  const release: (() => void)[] = [];
  let running = 0;
  let most = 0;
  const job = () => () =>
    new Promise<void>((resolve) => {
      running++;
      most = Math.max(most, running);
      release.push(() => {
        running--;
        resolve();
      });
    });
  const admitted = Array.from({ length: 4 }, () => gate.run(job()));
  t.throws(() => gate.run(job()), { errno: 16, message: 'Rate Limit Exceeded' }, 'the fifth is refused before it starts');
  t.equal(gate.admitted, 4);
  while (release.length > 0 || gate.admitted > 0) {
    await new Promise((r) => setImmediate(r));
    release.shift()?.();
  }
  await Promise.all(admitted);
  t.equal(most, 2, 'never more than two at once');
  t.equal(gate.admitted, 0);
  await t.resolves(gate.run(async () => 'again'), 'room again once they are done');
  t.throws(() => new WorkGate({ concurrency: 3, capacity: 2 }), RangeError);
});
