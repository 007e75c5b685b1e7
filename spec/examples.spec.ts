/**
 * The examples run: the README's library example learns, the training example trains,
 * resumes and evaluates through the training library, and the device-scope example
 * gives the same losses with fewer copies to the host (on the gpu.js backend in `cpu`
 * mode; reported as skipped where gpu.js is not installed, unless PIPEGRAD_GPU_REQUIRED=1).
 */
import test from 'tape';
import { GpuUnavailableError } from '../core/index.js';
import { compareScopes } from '../examples/device-scope.js';
import { trainSpirals } from '../examples/library.js';
import { trainAndResume } from '../examples/training.js';

test('examples/library.ts: PB + SC + LWP on spirals lowers the loss', (t) => {
  const losses = trainSpirals(10, () => undefined);
  t.ok(losses[9] < 0.7 * losses[0], `mean loss falls from ${losses[0].toFixed(4)} to ${losses[9].toFixed(4)}`);
  t.end();
});

test('examples/training.ts: one epoch, resumed from its checkpoint to three, and the checkpoint evaluated on its own', async (t) => {
  const { first, resumed, checkpointAccuracy } = await trainAndResume(() => undefined);
  t.deepEqual(resumed.epochs.map((e) => e.epoch), [1, 2, 3], 'the resumed run carries the first epoch and adds two');
  t.equal(resumed.epochs[0].testLoss, first.finalTestLoss, 'its first epoch is the first run\'s');
  t.ok(resumed.finalTestLoss < first.finalTestLoss, `the test loss keeps falling after the resume (${first.finalTestLoss.toFixed(4)} → ${resumed.finalTestLoss.toFixed(4)})`);
  t.equal(checkpointAccuracy, resumed.finalTestAccuracy, 'the last checkpoint alone gives the final test accuracy');
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
