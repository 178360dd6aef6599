/**
 * daemon/random-id.ts: ids that would reach a method as a JSON number through midclt (all digits,
 * or digits with an exponent such as 12e45678) are drawn again; others are kept.
 */
import t from 'tap';
import { randomHexId } from '../../daemon/random-id.js';

/** A byte source that returns `hexes` one after another. */
function scripted(...hexes: string[]): (n: number) => Buffer {
  return () => Buffer.from(hexes.shift() ?? 'ffffffff', 'hex');
}

t.test('all-digit and exponent ids are drawn again', async (t) => {
  t.equal(randomHexId(4, scripted('44916571', '12e45678', '0e000000', 'a4916571')), 'a4916571');
});

t.test('ids that are not JSON numbers are kept as they come', async (t) => {
  for (const id of ['0123abcd', 'e1234567', '1234567e', 'deadbeef', '0000000f']) {
    t.equal(randomHexId(4, scripted(id)), id, id);
    t.throws(() => JSON.parse(id), `${id} is not JSON`);
  }
});

t.test('length: 2 hex digits per byte', async (t) => {
  t.match(randomHexId(6), /^[0-9a-f]{12}$/);
});
