/**
 * The plugins the daemon loads, in setup order (a plugin may use services provided by earlier ones
 * during `start`, and by any plugin at call time). Add one import and one list entry per plugin.
 */
import type { Plugin } from '../daemon/plugin.js';
import { alertPlugin } from './alert/index.js';
import { alertServicePlugin } from './alertservice/index.js';
import { auditPlugin } from './audit/index.js';
import { authPlugin } from './auth/index.js';
import { corePlugin } from './core/index.js';
import { poolPlugin } from './pool/index.js';
import { sharingNfsPlugin } from './sharing/nfs/index.js';
import { testPlugin } from './test/index.js';
import { vmwarePlugin } from './vmware/index.js';

/** Every plugin, in setup order. */
export const plugins: readonly Plugin[] = [
  corePlugin,
  authPlugin,
  auditPlugin,
  alertPlugin,
  // Sends new alerts to mail, Slack and webhook services.
  alertServicePlugin,
  // Registers test.* methods only when VSNAPD_TEST_METHODS=1 (set by tests/helpers/daemon.ts).
  testPlugin,
  // Provides the zfs and snapshotHooks services vmware and sharing use.
  poolPlugin,
  vmwarePlugin,
  sharingNfsPlugin,
];
