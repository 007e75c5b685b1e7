/**
 * A reader that stops early (`pipegrad schedule … | head -1`) closes the pipe: the
 * command then ends quietly, with no EPIPE stack trace on stderr.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import test from 'tape';

const RUN = fileURLToPath(new URL('../../cli/run.ts', import.meta.url));

test('pipegrad: a closed output pipe ends the command quietly', (t) => {
  const child = spawn(process.execPath, ['--import', 'tsx', RUN, 'schedule', '--stages', '30', '--samples', '3000'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  // Read one chunk, then close our end, as `head -1` does.
  child.stdout.once('data', () => child.stdout.destroy());
  child.on('close', (code) => {
    t.equal(stderr, '', 'nothing on stderr');
    t.equal(code, 0, 'exit code 0');
    t.end();
  });
});
