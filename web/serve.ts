/**
 * `npm run web`: build the page and serve it on localhost, then print the URL.
 *
 * @example
 * npm run web                 # http://localhost:8080/
 * PORT=9000 npm run web
 *
 * @module
 */
import { buildWeb } from './build.js';
import { startServer } from './server.js';

const port = process.env.PORT === undefined ? 8080 : Number(process.env.PORT);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`PORT must be an integer port number (0-65535), got '${process.env.PORT}'`);
  process.exit(1);
}
const root = await buildWeb();
const { url } = await startServer({ root, port }).catch((e: Error) => {
  console.error(`could not listen on port ${port}: ${e.message.split('\n')[0]} (set PORT to another port)`);
  process.exit(1);
});
console.log(`pipegrad's Pipelined Backpropagation page: ${url}  (built in ${root}; Ctrl-C stops)`);
