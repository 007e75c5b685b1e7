/**
 * The process entry of the `pipegrad` command (`bin/pipegrad.js` and `npm start` run
 * it): calls {@link main} with the process's arguments and streams.
 *
 * A reader that stops early (`pipegrad schedule … | head`) closes the pipe; the rest of
 * the output has nowhere to go, so the command ends quietly instead of printing an
 * unhandled EPIPE error.
 *
 * @module
 */
import { main } from './main.js';

for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

process.exitCode = await main(process.argv.slice(2), process.stdout, process.stderr);
