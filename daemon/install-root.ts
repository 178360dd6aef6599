/**
 * Where the files that ship beside the code live: `etc/vsnapd.json` (the default config) and
 * `client/console/dist` (the web console). From sources that is the repository (this file is
 * `daemon/install-root.ts`); in the production bundle (`npm run build`, packaging/bundle.mjs) every
 * output file sits one folder below `dist/`, so it is `dist/` (the .deb's /usr/lib/vsnapd/dist).
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Absolute path of the folder holding `etc/` and `client/console/dist`. */
export const INSTALL_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
