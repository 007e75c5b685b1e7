#!/usr/bin/env node
// The `pipegrad` command: runs the JavaScript build in dist/ (made by `npm run build`,
// which `npm install` in a clone and `npm pack` run through the `prepare` script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/run.js', import.meta.url);
if (existsSync(entry)) {
  await import(entry.href);
} else {
  console.error('pipegrad: the JavaScript build is missing (dist/cli/run.js); run `npm run build` first, or `npx tsx cli/run.ts` to run the TypeScript sources');
  process.exitCode = 1;
}
