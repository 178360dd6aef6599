/**
 * midclt's program entry: runs {@link main} on `process.argv`. The compiled build runs this file
 * (`bin/midclt` → `dist/client/cli.js`); from sources, client/bin/midclt.js runs it through tsx.
 */
import { main } from './midclt.js';

await main();
