#!/usr/bin/env node
// midclt from sources: registers tsx (TypeScript at run time, no build step) and runs client/cli.ts.
// The compiled build is run by bin/midclt instead.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
