/**
 * The plugins the daemon loads, in setup order (a plugin may use services provided by earlier ones
 * during `start`, and by any plugin at call time). Add one import and one list entry per plugin.
 */
import type { Plugin } from '../daemon/plugin.js';
import { alertPlugin } from './alert/index.js';

/** Every plugin, in setup order. */
export const plugins: readonly Plugin[] = [alertPlugin];
