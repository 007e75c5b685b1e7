/**
 * Loads spec files into one tape harness and runs them; tape prints TAP to stdout.
 * `spec/run.ts` starts this in a child process and reads its summary.
 */
import { pathToFileURL } from 'node:url';
import tape from 'tape';

// Hold tape until every spec file has registered its tests (ESM imports are async).
tape.wait();
for (const file of process.argv.slice(2)) await import(pathToFileURL(file).href);
tape.run();
