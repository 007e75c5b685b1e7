/**
 * The core alone trains a network: an MLP written with raw ops (no nn, no optim)
 * learns two interleaved spirals to 100% training accuracy.
 */
import test from 'tape';
import { add, backward, crossEntropy, matmul, randn, Rng, tanh, Tensor, zeros } from '../../core/index.js';
import { spirals } from '../../datasets/index.js';

test('an MLP built from raw ops learns two spirals to 100% training accuracy', (t) => {
  const data = spirals({ n: 200, noise: 0, seed: 1 });
  const x = new Tensor(data.inputs, [data.length, 2]);
  const labels = data.labels!;
  const rng = new Rng(0);
  const hidden = 32;
  const params = [
    randn([2, hidden], rng, Math.sqrt(1 / 2)),
    zeros([hidden]),
    randn([hidden, hidden], rng, Math.sqrt(1 / hidden)),
    zeros([hidden]),
    randn([hidden, 2], rng, Math.sqrt(1 / hidden)),
    zeros([2]),
  ].map((p) => p.requireGrad());
  const [w1, b1, w2, b2, w3, b3] = params;
  const forward = (): Tensor => add(matmul(tanh(add(matmul(tanh(add(matmul(x, w1), b1)), w2), b2)), w3), b3);

  // Full-batch gradient descent with momentum, written out by hand.
  const velocity = params.map((p) => new Float32Array(p.size));
  let accuracy = 0;
  let loss = Infinity;
  for (let step = 0; step < 2000 && accuracy < 1; step++) {
    for (const p of params) p.grad = null;
    const logits = forward();
    const l = crossEntropy(logits, labels);
    backward(l);
    loss = l.item();
    params.forEach((p, i) => {
      const g = p.grad!.data;
      const w = p.view.data;
      for (let k = 0; k < w.length; k++) {
        velocity[i][k] = 0.9 * velocity[i][k] + g[k];
        w[k] -= 0.05 * velocity[i][k];
      }
    });
    const z = logits.data;
    let correct = 0;
    for (let n = 0; n < data.length; n++) if ((z[2 * n + 1] > z[2 * n] ? 1 : 0) === labels[n]) correct++;
    accuracy = correct / data.length;
  }
  t.equal(accuracy, 1, `every training point classified correctly (accuracy ${accuracy}, final loss ${loss.toFixed(4)})`);
  t.end();
});
