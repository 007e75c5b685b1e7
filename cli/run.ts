/**
 * The process entry of the `pipegrad` command (`bin/pipegrad.js` and `npm start` run
 * it): calls {@link main} with the process's arguments and streams.
 *
 * @module
 */
import { main } from './main.js';

process.exitCode = await main(process.argv.slice(2), process.stdout, process.stderr);
