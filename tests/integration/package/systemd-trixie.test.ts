/**
 * The .deb under Debian 13's own systemd 257 as PID 1 (booted in a PID and mount namespace:
 * tests/fixtures/systemd/boot.ts), installed with `dpkg -i`: readiness only after READY=1
 * (Type=notify), the installed midclt, journal priorities, restart after SIGKILL with start-up
 * recovery, no restart after a config error (exit 2), data kept across `systemctl restart`, a clean
 * stop within TimeoutStopSec, purge. The checks: tests/helpers/systemd-lifecycle.ts.
 */
import { join } from 'node:path';
import t from 'tap';
import { sharedDeb } from '../../helpers/shared-deb.js';
import { lifecycleChecks } from '../../helpers/systemd-lifecycle.js';

// Waiting for the run's shared .deb (tests/helpers/shared-deb.ts; its build takes about 45 s beside
// the boot) and some 20 systemctl round trips; a SIGKILL restart waits the unit's RestartSec (5 s). Under load this passes tap's 180 s.
t.setTimeout(300_000);

const deb = sharedDeb().then((d) => d.path);
deb.catch(() => undefined); // awaited by the checks; a build failure fails them

t.test('Debian 13 (trixie), systemd 257', (t) => lifecycleChecks(t, 'trixie', deb, join(import.meta.dirname, '../../../etc/vsnapd.json')));
