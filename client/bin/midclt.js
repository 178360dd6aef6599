#!/usr/bin/env node
// midclt: registers tsx (TypeScript at run time, no build step) and runs client/midclt.ts.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../midclt.ts');
await main();
