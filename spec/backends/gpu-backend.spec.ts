/**
 * The gpu.js backend held to the CPU backend, in every gpu.js mode that can run here:
 * `cpu`, `webasm`, and `headlessgl` (under `xvfb-run -a` when there is no display).
 *
 * For each mode: the whole op suite (forward values and VJPs of every op, with
 * broadcasting and non-contiguous inputs) agrees with the CPU backend within float32
 * tolerance scaled by the reduction length; float64 gradient checks still pass; kernels
 * are compiled once per shape; an MLP and a small CNN trained with `pb+sc+lwp` give the
 * CPU backend's losses at every step; and a training step leaves no device buffer alive.
 *
 * Modes that cannot start, and `headlessgl` without a display, are handled by
 * `gpu-modes.ts`: skipped with the reason, or re-run under `xvfb-run -a`.
 */
import test from 'tape';
import * as pg from '../../core/index.js';
import { cpuBackend, setBackend } from '../../core/index.js';
import { createGpuBackend, GpuUnavailableError, useBackend, type GpuBackend, type GpuMode } from '../../core/backend/index.js';
import { checkGradients, leaf as leaf64, values } from '../core/gradcheck.js';
import { agree } from './agreement.js';
import { forEachGpuMode, MODES_GIVEN, REQUIRED } from './gpu-modes.js';
import { opCases, runCase, type CaseResult, type OpCase } from './op-cases.js';
import { trainingLosses, type TrainingModel } from './training-runs.js';

/** Samples of each training-agreement run. */
const TRAINING_SAMPLES = 200;
/** Allowed relative difference of a sample's loss from the CPU backend's, `|Δ| ≤ tol·(1 + |loss|)`. */
const LOSS_TOLERANCE = 1e-5;

const cases = opCases();
/** The CPU backend's results for every case, computed once. */
let references: CaseResult[] | undefined;
function cpuReferences(): CaseResult[] {
  if (!references) {
    const previous = setBackend(cpuBackend);
    try {
      references = cases.map(runCase);
    } finally {
      setBackend(previous);
    }
  }
  return references;
}

/** Run `fn` with `backend` current, restoring the previous backend afterwards. */
function withBackend<T>(backend: pg.Backend, fn: () => T): T {
  const previous = setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}

/** Compare one case's results on `backend` with the CPU reference: output, then each input gradient. */
function checkCase(t: test.Test, name: string, c: OpCase, got: CaseResult, want: CaseResult): void {
  const parts = [{ what: 'value', a: agree(got.out, want.out, c.length) }, ...got.grads.map((g, i) => ({ what: `d/d input ${i}`, a: agree(g, want.grads[i], c.length) }))];
  const bad = parts.find((p) => !p.a.ok);
  const worst = Math.max(...parts.map((p) => p.a.worstRatio));
  t.ok(!bad, `${name}: ${c.name} — value and VJPs agree with cpu (worst error ${(100 * worst).toFixed(1)} % of the allowance)` + (bad ? ` — ${bad.what}: ${bad.a.detail}` : ''));
}

function trainingAgreement(t: test.Test, backend: GpuBackend, model: TrainingModel): void {
  const want = withBackend(cpuBackend, () => trainingLosses(model, TRAINING_SAMPLES));
  const got = withBackend(backend, () => trainingLosses(model, TRAINING_SAMPLES));
  let worst = 0;
  let at = 0;
  for (let i = 0; i < want.length; i++) {
    const e = Math.abs(got[i] - want[i]) / (1 + Math.abs(want[i]));
    if (!(e <= worst)) {
      worst = e;
      at = i;
    }
  }
  t.equal(got.length, TRAINING_SAMPLES, `${backend.name}: ${model} reports a loss for each of the ${TRAINING_SAMPLES} samples`);
  t.ok(worst <= LOSS_TOLERANCE,
    `${backend.name}: ${model}, pb+sc+lwp — every sample's loss agrees with cpu within ${LOSS_TOLERANCE}·(1 + |loss|) (largest ${worst.toExponential(2)} at sample ${at})` +
    (worst <= LOSS_TOLERANCE ? '' : ` — received ${got[at]}, expected ${want[at]}`));
  t.equal(backend.liveBuffers(), 0, `${backend.name}: training ${model} leaves no device buffer alive`);
}

/** Register the tests of one started backend; the last one disposes it. */
function backendSuite(backend: GpuBackend): void {
  const name = backend.name;

  test(`${name}: the backend names its mode and what runs it`, (t) => {
    t.ok(name.startsWith('gpu:'), `name '${name}' starts with gpu:`);
    t.comment(`${name} runs on: ${backend.device}`);
    t.ok(backend.device.length > 0, `${name} reports what executes its kernels`);
    t.end();
  });

  test(`${name}: every op's value and VJPs agree with the CPU backend (float32 tolerance scaled by the reduction length)`, (t) => {
    const want = cpuReferences();
    const got = withBackend(backend, () => cases.map(runCase));
    cases.forEach((c, i) => checkCase(t, name, c, got[i], want[i]));
    t.equal(backend.liveBuffers(), 0, `${name}: no device buffer is alive after the op suite`);
    t.end();
  });

  test(`${name}: NaN, ±∞ and zeros give the CPU backend's results`, (t) => {
    const x = Float32Array.from([0, -0, -1, 1, 100, -100, NaN, Infinity, -Infinity, 0.5]);
    const same = (what: string, got: pg.Data, want: pg.Data): void => {
      const a = agree(got, want, 1);
      t.ok(a.ok, `${name}: ${what} on [${Array.from(x).join(', ')}] matches cpu` + (a.ok ? '' : ` — ${a.detail}`));
    };
    for (const op of ['neg', 'exp', 'log', 'sqrt', 'abs', 'sign', 'relu', 'reluGrad', 'tanh', 'sigmoid', 'copy'] as const) same(op, backend.unary(op, x), cpuBackend.unary(op, x));
    for (const p of [0.5, -1, 0, 3]) same(`pow ${p}`, backend.unary('pow', x, p), cpuBackend.unary('pow', x, p));
    const y = x.slice().reverse();
    for (const op of ['add', 'div', 'max', 'eq', 'gt'] as const) same(`${op} with the reversed values`, backend.binary(op, x, [10], y, [10], [10]), cpuBackend.binary(op, x, [10], y, [10], [10]));
    for (const op of ['sum', 'max'] as const) same(`reduce ${op} over pairs`, backend.reduce(op, x, [5, 2], [1]), cpuBackend.reduce(op, x, [5, 2], [1]));
    const g = { channels: 1, height: 2, width: 4, kernelH: 2, kernelW: 2, strideH: 2, strideW: 2, padH: 0, padW: 0, dilationH: 1, dilationW: 1, outH: 1, outW: 2 };
    const pooled = backend.maxPool2d(Float32Array.from([1, NaN, 5, 7, 3, 2, 9, 9]), 1, g);
    const reference = cpuBackend.maxPool2d(Float32Array.from([1, NaN, 5, 7, 3, 2, 9, 9]), 1, g);
    t.deepEqual([Array.from(pooled.out), Array.from(pooled.argmax)], [Array.from(reference.out), Array.from(reference.argmax)], `${name}: a NaN wins its max-pooling window and ties go to the first maximum, as on cpu`);
    t.end();
  });

  test(`${name}: kernels are compiled once per shape and reused`, (t) => {
    const c = cases.find((k) => k.name.startsWith('conv2d x[1,8,12,12]'))!;
    withBackend(backend, () => runCase(c));
    const before = backend.stats();
    withBackend(backend, () => runCase(c));
    const after = backend.stats();
    t.ok(after.launches > before.launches, `${name}: the second conv2d forward+backward launched ${after.launches - before.launches} kernels`);
    t.equal(after.compiled, before.compiled, `${name}: … and compiled none`);
    t.end();
  });

  test(`${name}: float64 gradient checks pass with the backend current (float64 calls run the CPU kernels)`, (t) => {
    const rng = new pg.Rng(11);
    withBackend(backend, () => {
      checkGradients(t, `${name} conv2d stride 2 pad 1 +bias`, (x, w, b) => pg.conv2d(x, w, b, { stride: 2, padding: 1 }), [
        leaf64(values(rng, 2 * 2 * 5 * 5), [2, 2, 5, 5]), leaf64(values(rng, 3 * 2 * 3 * 3), [3, 2, 3, 3]), leaf64(values(rng, 3), [3]),
      ]);
      checkGradients(t, `${name} matmul transposed`, pg.matmul, [leaf64(values(rng, 12), [3, 4], 'transposed'), leaf64(values(rng, 20), [4, 5])]);
    });
    t.end();
  });

  for (const model of ['mlp', 'smallcnn'] as const) {
    test(`${name}: ${model} trained with pb+sc+lwp on ${TRAINING_SAMPLES} samples gives the CPU backend's loss at every step`, (t) => {
      trainingAgreement(t, backend, model);
      t.end();
    });
  }

  test(`${name}: a training step keeps its intermediates on the device, reads back less, and leaves none behind; dispose releases everything`, async (t) => {
    const steps = (keepOnDevice: boolean) => {
      const before = backend.stats();
      const losses = withBackend(backend, () => trainingLosses('smallcnn', 1, 5, keepOnDevice));
      const after = backend.stats();
      return { losses, made: after.createdBuffers - before.createdBuffers, readbacks: after.readbacks - before.readbacks, launches: after.launches - before.launches };
    };
    const host = steps(false);
    const device = steps(true);
    t.equal(backend.liveBuffers(), 0, `${name}: none is alive after the step`);
    t.ok(device.made > host.made, `${name}: one smallcnn step kept ${device.made} kernel outputs on the device (${host.made} with every result read back)`);
    t.equal(device.launches, host.launches, `${name}: … running the same ${host.launches} kernels`);
    // What must reach the host still does: the weight gradients (for the optimizer), the loss, the logits, max pooling's argmax.
    t.ok(device.readbacks * 3 < host.readbacks, `${name}: … and copying ${device.readbacks} outputs to the host instead of ${host.readbacks}`);
    t.deepEqual(device.losses, host.losses, `${name}: … with the same loss`);
    await backend.dispose();
    t.equal(backend.stats().kernels, 0, `${name}: dispose destroys every compiled kernel`);
    t.throws(() => backend.unary('neg', new Float32Array(1)), /was disposed/, `${name}: a disposed backend says so`);
  });
}

if (!MODES_GIVEN) test('gpu backend selection: unknown modes and names fail with one clear line', async (t) => {
  const before = pg.getBackend();
  await createGpuBackend({ mode: 'bogus' as GpuMode }).then(
    () => t.fail('mode bogus started'),
    (e: Error) => t.ok(e instanceof GpuUnavailableError && /^gpu backend \(bogus\): unknown mode; choose one of cpu, webasm, headlessgl, gpu$/.test(e.message), `unknown mode: ${e.message}`),
  );
  await useBackend('gpu:fast').then(
    () => t.fail('gpu:fast started'),
    (e: Error) => t.ok(/useBackend: unknown gpu mode 'fast'/.test(e.message), `unknown mode in a name: ${e.message}`),
  );
  t.throws(() => setBackend('gpu'), /the gpu backend starts asynchronously: await setBackend\('gpu', \{ mode \}\)/, "setBackend('gpu') without options explains how to start it");
  t.equal(pg.getBackend(), before, `the backend current before (${before.name}) is still current`);
});

await forEachGpuMode(import.meta.url, backendSuite);

if (!MODES_GIVEN) test('gpu mode: gpu.js picks a backend by itself and it agrees with the CPU backend', async (t) => {
  let backend: GpuBackend;
  try {
    backend = await createGpuBackend({ mode: 'gpu' });
  } catch (e) {
    if (REQUIRED) t.fail((e as Error).message);
    else t.pass(`SKIPPED ${(e as Error).message}`);
    return;
  }
  t.ok(/^gpu:gpu\((webasm|headlessgl|cpu)\)$/.test(backend.name), `mode gpu is named after gpu.js's pick: ${backend.name}`);
  const c = cases.find((k) => k.name === 'logSoftmax(tanh(x·W1 + b1)·W2)')!;
  checkCase(t, backend.name, c, withBackend(backend, () => runCase(c)), cpuReferences()[cases.indexOf(c)]);
  await backend.dispose();
});
