#!/usr/bin/env node
// The `interdict` command. The packages are TypeScript sources run through tsx's loader, so a
// clone needs no build step for the server or CLI (the console is built by `npm install`).
import { register } from 'tsx/esm/api';

register();
await import('../src/main.ts');
