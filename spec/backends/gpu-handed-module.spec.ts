/**
 * `createGpuBackend({ gpuJs })`: a gpu.js module handed over by the caller (as a bundled
 * browser page does) is the one the backend starts, and a module without a `GPU` class
 * is refused with one line saying what to pass. Runs in gpu.js's `cpu` mode, which needs
 * nothing beyond the optional package.
 */
import test from 'tape';
import { createGpuBackend, GpuUnavailableError, type GpuJsModule } from '../../core/backend/index.js';
import { REQUIRED } from './gpu-modes.js';

/** The optional package, imported by a variable name so that the spec type-checks without it. */
const GPU_JS = 'gpu.js';
const gpuJs = (await import(GPU_JS).catch(() => null)) as GpuJsModule | null;

if (gpuJs === null) {
  test(`gpu backend with a handed-over gpu.js module: ${REQUIRED ? 'required here but gpu.js is missing' : 'SKIPPED'}`, (t) => {
    if (REQUIRED) t.fail('the optional package gpu.js is not installed');
    else t.comment('SKIPPED the optional package gpu.js is not installed');
    t.end();
  });
} else {
  const real = gpuJs;

  test('gpu backend: a handed-over gpu.js module is the one started, and its kernels run', async (t) => {
    let constructed = 0;
    class CountingGpu extends (real.GPU as new (settings: { mode: string }) => object) {
      constructor(settings: { mode: string }) {
        super(settings);
        constructed++;
      }
    }
    const backend = await createGpuBackend({ mode: 'cpu', gpuJs: { GPU: CountingGpu } });
    t.equal(constructed, 1, 'the backend constructed the GPU class it was given, once');
    t.equal(backend.kernelMode, 'cpu', 'gpu.js runs its cpu kernels, as asked');
    // [1, 2, 3] + [10, 20, 30] = [11, 22, 33], by hand.
    const sum = backend.binary('add', Float32Array.of(1, 2, 3), [3], Float32Array.of(10, 20, 30), [3], [3]);
    t.deepEqual(Array.from(sum), [11, 22, 33], 'a kernel of the handed-over gpu.js adds [1,2,3] + [10,20,30] = [11,22,33]');
    await backend.dispose();
  });

  test('gpu backend: a handed-over module without a GPU class is refused in one line', async (t) => {
    try {
      await createGpuBackend({ mode: 'cpu', gpuJs: { GPU: undefined } });
      t.fail('expected a GpuUnavailableError for a module without GPU');
    } catch (e) {
      t.ok(e instanceof GpuUnavailableError, `a GpuUnavailableError (got ${(e as Error).name})`);
      t.equal((e as GpuUnavailableError).missing, 'gpu.js', "what is missing is 'gpu.js'");
      t.ok(/no GPU class.*import \* as gpuJs from 'gpu.js'/.test((e as Error).message) && !(e as Error).message.includes('\n'), `one line saying what to pass: ${(e as Error).message}`);
    }
  });
}
