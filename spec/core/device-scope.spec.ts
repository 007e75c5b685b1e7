/**
 * Device scopes, held to their rules on a backend with simulated device memory (CPU
 * arithmetic, results wrapped as device arrays): results stay on the device inside a
 * scope and chain from kernel to kernel (pad, concat and the slice VJP included);
 * returned and kept tensors are downloaded at the close, everything else is released;
 * nested scopes hand escaping tensors outward;
 * reading a released tensor is a clear error; and the whole op suite and pipelined
 * training give the CPU backend's numbers bit for bit, leaving no device array alive.
 */
import test from 'tape';
import {
  add, backward, concat, cpuBackend, deviceScope, DeviceScope, keep, matmul, mul, neg, noGrad, pad, randn, relu, Rng, setBackend, slice, sum, Tensor,
} from '../../core/index.js';
import { BatchNorm2d, chainUnit, Conv2d, createModel, ReLU, type Module, type PipelineUnit } from '../../nn/index.js';
import { Pipeline, resolveMethod, sgdForMethod } from '../../pipeline/index.js';
import { opCases, runCase, type CaseResult } from '../backends/op-cases.js';
import { syntheticStream, trainingLosses } from '../backends/training-runs.js';
import { simulatedDevice, type SimulatedDevice } from './simulated-device.js';

/** Run `fn` with `backend` current, restoring the previous backend afterwards. */
function on<T>(backend: SimulatedDevice | typeof cpuBackend, fn: () => T): T {
  const previous = setBackend(backend);
  try {
    return fn();
  } finally {
    setBackend(previous);
  }
}

function layer(rng: Rng) {
  const x = randn([4, 6], rng);
  const w = randn([6, 5], rng).requireGrad();
  const b = randn([5], rng).requireGrad();
  return { x, w, b, f: () => relu(add(matmul(x, w), b)) };
}

test('device scope: outside a scope every result is on the host; inside, results stay on the device and chain', (t) => {
  const dev = simulatedDevice();
  const { f } = layer(new Rng(1));
  on(dev, () => {
    const y = f();
    t.notOk(y.onDevice, 'outside a scope the result is a host array');
    t.equal(dev.made(), 0, '… and no device array was made');
    let inside = 0;
    const out = deviceScope(() => {
      const z = f();
      t.ok(z.onDevice, 'inside a scope the result stays on the device');
      inside = dev.live();
      return z;
    });
    t.equal(inside, 3, 'matmul, add and relu each left one device array');
    t.equal(dev.chained(), 2, 'add and relu read their input from the device (no download between kernels)');
    t.notOk(out.onDevice, 'the returned tensor is downloaded at the close');
    t.equal(dev.downloads(), 1, '… and it is the only download');
    t.equal(dev.live(), 0, 'nothing is alive after the scope');
    t.deepEqual(Array.from(out.data), Array.from(y.data), 'same values as the host path, bit for bit');
  });
  t.end();
});

test('device scope: released tensors say so; keep() and nested scopes decide what escapes', (t) => {
  const dev = simulatedDevice();
  const { f } = layer(new Rng(2));
  on(dev, () => {
    let leaked: Tensor | null = null;
    let kept: Tensor | null = null;
    deviceScope(() => {
      leaked = f();
      kept = keep(f());
    });
    t.throws(() => leaked!.data, /released when the deviceScope that made them closed; return the tensor from the scope or keep\(\) it/, 'a tensor neither returned nor kept is released, and reading it says why');
    t.notOk(kept!.onDevice, 'a kept tensor is downloaded at the close');
    t.equal(kept!.size, 20, '… and readable');
    t.equal(dev.live(), 0, 'nothing is alive');

    let innerResult: Tensor | null = null;
    let aliveAfterInner = -1;
    const outer = deviceScope(() => {
      innerResult = deviceScope(() => f());
      t.ok(innerResult.onDevice, 'a tensor returned from an inner scope moves to the outer one, still on the device');
      aliveAfterInner = dev.live();
      return relu(innerResult);
    });
    t.equal(aliveAfterInner, 1, 'the inner scope released its intermediates and kept only its result');
    t.notOk(outer.onDevice, 'the outer result is downloaded');
    t.throws(() => innerResult!.data, /released/, 'the inner result, not returned from the outer scope, is released with it');
    t.equal(dev.live(), 0, 'nothing is alive after the outer scope');

    t.throws(() => deviceScope(() => {
      f();
      throw new Error('boom');
    }), /boom/, 'an error inside a scope propagates');
    t.equal(dev.live(), 0, '… after every device array was released');

    const nested = deviceScope(() => ({ a: [f()], b: new Map([['k', f()]]) }));
    t.ok(!nested.a[0].onDevice && !nested.b.get('k')!.onDevice, 'tensors inside returned arrays, objects and Maps escape too');
    t.throws(() => new Tensor(dev.deviceKernels!.unary('neg', new Float32Array(2)), [2]), /can only be wrapped inside a device scope/, 'a device array cannot be wrapped outside any scope');
    t.equal(dev.live(), 0, '… and that array was released');
  });
  t.end();
});

test('DeviceScope: entered again later, adopts tensors, closes explicitly', (t) => {
  const dev = simulatedDevice();
  const rng = new Rng(3);
  on(dev, () => {
    const first = new DeviceScope('first');
    const second = new DeviceScope('second');
    const x = randn([3, 3], rng);
    const h = first.run(() => relu(matmul(x, x)));
    t.ok(h.onDevice, 'a result made in a scope object stays on the device after run() returns');
    t.equal(first.size, 2, 'the scope owns both arrays');
    const g = first.run(() => add(h, h));
    t.equal(first.size, 3, 'running the scope again adds to it');
    second.adopt(g);
    t.equal([first.size, second.size].join(), '2,1', 'adopt moves an array to another scope');
    first.close();
    t.throws(() => h.data, /released when the first that made them closed/, 'close releases what was not kept, naming the scope');
    t.ok(g.onDevice, 'the adopted tensor lives on');
    second.keep(g);
    second.close();
    t.equal(g.size, 9, 'a kept tensor is downloaded at the close');
    t.notOk(g.onDevice, '… and is on the host');
    t.throws(() => first.run(() => 0), /this scope is closed/, 'a closed scope cannot be run');
    t.equal(dev.live(), 0, 'nothing is alive');
  });
  t.end();
});

test('device scope: backward keeps parameter gradients, equal to the host path bit for bit', (t) => {
  const dev = simulatedDevice();
  const host = layer(new Rng(4));
  backward(sum(host.f()));
  const sim = layer(new Rng(4));
  on(dev, () => {
    const loss = deviceScope(() => {
      const l = sum(sim.f());
      backward(l);
      return l;
    });
    t.equal(loss.item(), sum(host.f()).item(), 'the loss is the same');
  });
  t.notOk(sim.w.grad!.onDevice, 'the weight gradient was kept and downloaded');
  t.deepEqual(Array.from(sim.w.grad!.data), Array.from(host.w.grad!.data), 'dW equals the host path');
  t.deepEqual(Array.from(sim.b.grad!.data), Array.from(host.b.grad!.data), 'db equals the host path');
  t.equal(dev.live(), 0, 'nothing is alive');
  t.end();
});

test('device scope: pad, concat and the slice VJP run on the device with no download, and equal the host path bit for bit', (t) => {
  /** x with a +0 and a −0 among its values, so a lost sign of zero would show. */
  const input = (): Tensor => {
    const x = randn([2, 3, 2, 2], new Rng(8));
    x.data[0] = 0;
    x.data[1] = -0;
    return x.requireGrad();
  };
  /** pad the channels (the zero-pad shortcut), concatenate along them, slice, and differentiate. */
  const step = (x: Tensor, probe: (what: string) => void = () => {}) => {
    const h = neg(x);
    const padded = pad(h, [[0, 0], [1, 2]]);
    const joined = concat([h, padded], 1);
    probe('forward');
    const cut = slice(joined, [null, [2, 7], null, [1, 2]]);
    const loss = sum(mul(cut, cut));
    backward(loss);
    probe('backward');
    return { padded: keep(padded), joined: keep(joined), loss };
  };
  const hostX = input();
  const want = step(hostX);
  const dev = simulatedDevice();
  const simX = input();
  const seen: string[] = [];
  const got = on(dev, () => deviceScope(() => step(simX, (what) => {
    if (what === 'forward') t.equal(dev.chained(), 4, 'pad (one kernel) and concat of two (two pads and an add) read their inputs from the device');
    seen.push(`${what}: ${dev.downloads()} downloads`);
  })));
  t.deepEqual(seen, ['forward: 0 downloads', 'backward: 0 downloads'], 'nothing was downloaded inside the scope, forward or backward (the slice VJP pads on the device)');
  const bits = (x: Tensor): string[] => Array.from(x.data, (v) => (Object.is(v, -0) ? '-0' : String(v)));
  t.deepEqual(bits(got.padded), bits(want.padded), 'pad equals the host path bit for bit');
  t.deepEqual(bits(got.joined), bits(want.joined), 'concat equals the host path bit for bit');
  t.deepEqual(bits(slice(got.joined, [null, [0, 3]])), noGrad(() => bits(neg(simX))), 'concat holds its first input exactly, its +0 and −0 included');
  t.equal(got.loss.item(), want.loss.item(), 'the loss is the same');
  t.deepEqual(bits(simX.grad!), bits(hostX.grad!), 'the gradient through the slice VJP, concat and pad equals the host path');
  t.equal(dev.live(), 0, 'nothing is alive after the scope');
  t.end();
});

test('device scope: the whole op suite inside a scope equals the CPU backend bit for bit', (t) => {
  const cases = opCases();
  const want = on(cpuBackend, () => cases.map(runCase));
  const dev = simulatedDevice();
  const got: CaseResult[] = on(dev, () => cases.map((c) => deviceScope(() => runCase(c))));
  let mismatches = 0;
  cases.forEach((c, i) => {
    const same = (a: Float32Array, b: Float32Array) => a.length === b.length && a.every((v, k) => Object.is(v, b[k]));
    if (!same(got[i].out, want[i].out) || got[i].grads.some((g, k) => !same(g, want[i].grads[k]))) {
      mismatches++;
      t.fail(`${c.name}: differs from the CPU backend`);
    }
  });
  t.equal(mismatches, 0, `all ${cases.length} cases (forward and every VJP) are identical`);
  t.ok(dev.chained() > cases.length, `kernels read ${dev.chained()} device arrays straight from earlier kernels`);
  t.equal(dev.live(), 0, 'nothing is alive after the suite');
  t.end();
});

test('device scope: pipelined training (pb+sc+lwp) keeps activations on the device per stage and matches the CPU backend', (t) => {
  for (const model of ['mlp', 'smallcnn'] as const) {
    const want = on(cpuBackend, () => trainingLosses(model, 40));
    const dev = simulatedDevice();
    const got = on(dev, () => trainingLosses(model, 40));
    t.deepEqual(got, want, `${model}: 40 losses identical to the CPU backend`);
    t.ok(dev.made() > 0 && dev.chained() > 0, `${model}: ${dev.made()} device arrays made, ${dev.chained()} kernel calls chained on the device`);
    t.equal(dev.live(), 0, `${model}: none alive after the run`);
  }
  t.end();
});

test('device scope: the engine releases each stage\'s arrays after its backward; batch-norm buffers survive', (t) => {
  const build = (): Module[] => [new Conv2d(1, 4, 3, { padding: 1, rng: new Rng(6) }), new BatchNorm2d(4), new ReLU()];
  const stream = syntheticStream(12, [1, 6, 6], 9);
  const head = (): { units: PipelineUnit[]; bn: BatchNorm2d } => {
    const mods = build();
    const flat = createModel('mlp', { inputShape: [4, 6, 6], numClasses: 4, depth: 1, hidden: 8, seed: 2 });
    return {
      units: [...mods.map((m, i) => chainUnit([[`l${i}`, m]])), ...flat.pipelineUnits()],
      bn: mods[1] as BatchNorm2d,
    };
  };
  const runOn = (backend: SimulatedDevice | typeof cpuBackend) => {
    const { units, bn } = head();
    const method = resolveMethod('pb+sc');
    const pipe = new Pipeline({ units, method, optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }) });
    const peaks: number[] = [];
    const losses: number[] = [];
    on(backend, () => pipe.run(12, (j) => stream[j], (r) => {
      losses.push(r.loss);
      if ('live' in backend) peaks.push(backend.live());
    }));
    return { losses, mean: Array.from(bn.runningMean.data), peaks, pipe };
  };
  const cpu = runOn(cpuBackend);
  const dev = simulatedDevice();
  const sim = runOn(dev);
  t.deepEqual(sim.losses, cpu.losses, 'losses identical to the CPU backend');
  t.deepEqual(sim.mean, cpu.mean, 'the batch-norm running mean (a buffer rebound inside stage scopes) is kept and identical');
  const stages = sim.pipe.stages.length;
  t.ok(Math.max(...sim.peaks) > 0, `activations of samples in flight stay on the device between ticks (peak ${Math.max(...sim.peaks)} arrays)`);
  t.ok(sim.peaks.slice(stages * 2).every((p) => p <= sim.peaks[stages * 2]), 'in the steady state the live count stops growing: each stage releases a sample after its backward');
  t.equal(dev.live(), 0, 'none alive after the run drains');
  const y = on(dev, () => sim.pipe.predict(stream[0].input));
  t.notOk(y.onDevice, 'predict returns its output on the host');
  t.equal(dev.live(), 0, '… and leaves nothing alive');
  t.end();
});

test('Pipeline keepOnDevice: false runs every kernel with a read-back and gives the same losses', (t) => {
  const stream = syntheticStream(10, [1, 8, 8], 3);
  const run = (backend: SimulatedDevice, keepOnDevice: boolean): number[] => {
    const method = resolveMethod('pb+sc+lwp');
    const model = createModel('mlp', { inputShape: [1, 8, 8], numClasses: 4, depth: 2, hidden: 16, seed: 1 });
    const pipe = new Pipeline({ units: model.pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }), keepOnDevice });
    const losses: number[] = [];
    on(backend, () => pipe.run(10, (j) => stream[j], (r) => losses.push(r.loss)));
    return losses;
  };
  const off = simulatedDevice();
  const onDev = simulatedDevice();
  const a = run(off, false);
  const b = run(onDev, true);
  t.equal(off.made(), 0, 'keepOnDevice: false makes no device array');
  t.ok(onDev.made() > 0, `keepOnDevice: true (the default) made ${onDev.made()}`);
  t.deepEqual(a, b, 'the losses are identical');
  t.end();
});

test('device scope: every schedule and weight policy drains with no device array alive and the CPU backend\'s losses', (t) => {
  const stream = syntheticStream(16, [1, 8, 8], 4);
  for (const name of ['sgd', 'pb+stash', 'pb+spectrain', 'pb+pipemare', 'gpipe', '1f1b'] as const) {
    const run = (backend: SimulatedDevice | typeof cpuBackend): number[] => {
      const method = resolveMethod(name);
      const model = createModel('mlp', { inputShape: [1, 8, 8], numClasses: 4, depth: 2, hidden: 16, seed: 3 });
      const flush = method.schedule.flushes;
      const pipe = new Pipeline({ units: model.pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }), ...(flush ? { microBatches: 4 } : {}) });
      const losses: number[] = [];
      on(backend, () => pipe.run(16, (j) => stream[j], (r) => losses.push(r.loss)));
      return losses;
    };
    const dev = simulatedDevice();
    t.deepEqual(run(dev), run(cpuBackend), `${name}: losses identical to the CPU backend`);
    t.ok(dev.made() > 0 && dev.live() === 0, `${name}: ${dev.made()} device arrays made, none alive after the run`);
  }
  t.end();
});

test('device scope: a resnet20 step downloads only what the host needs (the weight gradients, the loss, the logits)', (t) => {
  const dev = simulatedDevice();
  const model = createModel('resnet20', { seed: 0 });
  const method = resolveMethod('pb+sc+lwp');
  const pipe = new Pipeline({ units: model.pipelineUnits(), method, optimizer: sgdForMethod(method, { lr: 0.01, momentum: 0.9 }) });
  const x = randn([1, 3, 32, 32], new Rng(1));
  const losses: number[] = [];
  on(dev, () => pipe.run(1, () => ({ input: x, target: Int32Array.from([3]) }), (r) => losses.push(r.loss)));
  const weights = model.parameters().length;
  t.ok(dev.downloads() <= weights + 2, `${dev.downloads()} downloads for ${weights} weight tensors (+ loss and logits), out of ${dev.made()} device arrays made`);
  t.ok(Number.isFinite(losses[0]), `the loss is ${losses[0]}`);
  t.equal(dev.live(), 0, 'none alive after the step');
  t.end();
});
