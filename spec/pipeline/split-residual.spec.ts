/**
 * A residual block split across two stages: the skip tensor travels in the bundle,
 * and the gradients that the two stages pass to each other (the sequential schedule: delay 0)
 * agree with a float64 central difference of the whole block.
 */
import test from 'tape';
import { cast, mul, noGrad, Rng, sum, Tensor } from '../../core/index.js';
import { BasicBlock, normFactory } from '../../nn/index.js';
import { sgd } from '../../optim/index.js';
import { Pipeline, type InFlight } from '../../pipeline/index.js';
import { forEachIndex, values } from '../core/gradcheck.js';

test('a 2-stage split BasicBlock passes a central-difference check', (t) => {
  const rng = new Rng(5);
  const block = new BasicBlock(2, 4, 2, { rng, norm: normFactory('group', { groups: 2 }), inputSize: [5, 5] });
  for (const [name, w] of block.namedParameters()) block.setParameter(name, cast(w, 'float64').requireGrad());
  const units = block.pipelineUnits();
  t.equal(units.length, 2, 'the block is two units');
  t.deepEqual([units[0].bundleSize, units[1].bundleSize], [1, 2], 'unit 2 takes [h, skip]');
  const pipe = new Pipeline({ units, method: 'sgd', optimizer: sgd({ lr: 0 }) });
  const [s1, s2] = pipe.stages;
  t.deepEqual([s1.delay, s2.delay], [0, 0], 'two stages, both with delay 0 under the sequential schedule');

  const x = new Tensor(values(rng, 2 * 5 * 5), [1, 2, 5, 5]).requireGrad();
  const r = new Tensor(values(rng, 4 * 3 * 3), [1, 4, 3, 3]);
  const objective = (out: Tensor): Tensor => sum(mul(out, r));

  // Staged forward: stage 1's output bundle is detached and handed to stage 2.
  const bundle1 = s1.forward([x], s1.params);
  const sent = bundle1.map((b) => b.detach().requireGrad());
  t.equal(sent.length, 2, 'stage 1 sends [h, skip]');
  const out = s2.forward(sent, s2.params);
  const loss = objective(out[0]);
  const rec2: InFlight = { sample: 0, inputs: sent, outputs: [loss], weights: s2.params, version: 0 };
  const rec1: InFlight = { sample: 0, inputs: [x], outputs: bundle1, weights: s1.params, version: 0 };
  const b2 = s2.backward(rec2, [new Tensor(new Float64Array([1]), [])], s2.params);
  const b1 = s1.backward(rec1, b2.inputGrads, s1.params);

  const whole = (): number => noGrad(() => objective(block.forward(x)).item());
  const h = 1e-6;
  const compare = (label: string, leaf: Tensor, analytic: Float64Array | Float32Array): void => {
    let worst = 0;
    let k = 0;
    forEachIndex(leaf.shape, (idx) => {
      const v = leaf.view.get(...idx);
      leaf.view.set(...idx, v + h);
      const plus = whole();
      leaf.view.set(...idx, v - h);
      const minus = whole();
      leaf.view.set(...idx, v);
      worst = Math.max(worst, Math.abs((plus - minus) / (2 * h) - analytic[k++]));
    });
    t.ok(worst < 1e-6, `${label}: staged gradient matches the central difference (worst error ${worst.toExponential(2)})`);
  };
  compare('input x (through both the branch and the skip)', x, b1.inputGrads[0]!.data);
  s1.bind(s1.params);
  s2.bind(s2.params);
  for (const [name, g] of [...b1.paramGrads, ...b2.paramGrads]) {
    const w = (s1.params.get(name) ?? s2.params.get(name))!;
    compare(name, w, g.data);
  }
  t.end();
});
