import t from 'tap';
import { LoginRateLimiter, MAX_TRACKED_ADDRESSES } from '../../../daemon/auth/rate-limit.js';

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
