/**
 * SCRAM benchmark (not a test: prints figures, asserts nothing): how long an API key's SCRAM-SHA-512
 * verifier takes to derive at TrueNAS's 500,000 PBKDF2 rounds and at the clients' floor of 50,000,
 * and how often the event loop still ran meanwhile (PBKDF2 runs on libuv's thread pool); then full
 * SCRAM logins (`auth.login_ex`, two round trips, the client's PBKDF2 included) against a real
 * daemon over TCP at the daemon's default 500,000 rounds.
 *
 * Run: `node --import tsx tests/bench/scram.ts` or `npm run bench -- scram`.
 */
import { Client } from '../../client/index.js';
import { deriveVerifier } from '../../daemon/auth/scram.js';
import { spawnDaemon } from '../helpers/daemon.js';

for (const iterations of [50_000, 500_000]) {
  let ticks = 0;
  const timer = setInterval(() => ticks++, 5);
  const start = performance.now();
  await deriveVerifier('x'.repeat(64), iterations);
  const ms = performance.now() - start;
  clearInterval(timer);
  console.log(`verifier, ${iterations} rounds: ${ms.toFixed(0)} ms; event loop ran ${ticks} 5-ms timers meanwhile (~${Math.floor(ms / 5)} possible)`);
}

const d = await spawnDaemon({ config: { auth: { scram_iterations: 500_000 } } });
try {
  const key = await d.apiKey('bench');
  const logins = 5;
  const start = performance.now();
  for (let i = 0; i < logins; i++) {
    const c = await Client.connect({ url: d.url }, { apiKey: key, username: 'root' });
    await c.close();
  }
  const ms = (performance.now() - start) / logins;
  console.log(`SCRAM login over TCP at 500000 rounds (client PBKDF2 included): ${ms.toFixed(0)} ms each (${logins} logins)`);
} finally {
  await d.dispose();
}
