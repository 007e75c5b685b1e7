/**
 * The examples run: the README's library example learns, and the device-scope example
 * gives the same losses with fewer copies to the host (on the gpu.js backend in `cpu`
 * mode; reported as skipped where gpu.js is not installed, unless PIPEGRAD_GPU_REQUIRED=1).
 */
import test from 'tape';
import { GpuUnavailableError } from '../core/index.js';
import { compareScopes } from '../examples/device-scope.js';
import { trainSpirals } from '../examples/library.js';

test('examples/library.ts: PB + SC + LWP on spirals lowers the loss', (t) => {
  const losses = trainSpirals(10, () => undefined);
  t.ok(losses[9] < 0.7 * losses[0], `mean loss falls from ${losses[0].toFixed(4)} to ${losses[9].toFixed(4)}`);
  t.end();
});

test('examples/device-scope.ts: a device scope per step gives the same losses, copies less to the host, leaves nothing alive', async (t) => {
  let result;
  try {
    result = await compareScopes('cpu', 5, () => undefined);
  } catch (e) {
    if (!(e instanceof GpuUnavailableError) || process.env.PIPEGRAD_GPU_REQUIRED === '1') throw e;
    t.pass(`SKIPPED ${e.message}`);
    return;
  }
  const { readBack, scoped } = result;
  t.deepEqual(scoped.losses, readBack.losses, 'the same 5 losses either way');
  t.equal(scoped.readbacks, 5 * 7, 'each scoped step copies 7 arrays to the host: the log-probabilities and the 6 weight gradients');
  t.ok(readBack.readbacks > 3 * scoped.readbacks, `against ${readBack.readbacks} with every result read back`);
  t.equal(scoped.alive, 0, 'no device array is alive afterwards');
});
