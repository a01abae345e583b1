#!/usr/bin/env node
// Entry point of the `kennebec` command. The sources are TypeScript, run through tsx's
// loader, so there is no build step between `npm install` and `npm start`.
import { register } from 'tsx/esm/api';

register();
await import('../apps/cli/src/main.ts');
