/**
 * A stand-in for a test or demo process that gets killed: starts a daemon with {@link spawnDaemon},
 * prints one JSON line `{"pid", "socketPath", "dataDir", "tmpDir"}` on stdout, then waits forever.
 * tests/integration/core/exit-with-parent.test.ts kills it with SIGKILL and checks that the daemon stops
 * by itself. Run: `node --import tsx tests/helpers/daemon-parent.ts`.
 */
import { spawnDaemon } from './daemon.js';

const d = await spawnDaemon({ testMethods: false });
process.stdout.write(`${JSON.stringify({ pid: d.pid, socketPath: d.socketPath, dataDir: d.dataDir, tmpDir: d.tmpDir })}\n`);
setInterval(() => undefined, 60_000);
