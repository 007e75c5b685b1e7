import test from 'tape';
import { addWeightDecay, chain, momentum, scaleByLearningRate } from '../../optim/index.js';
import { at, named, near, updateSequence, valuesOf } from './helpers.js';

// Weights held at w = 2, gradient 1 at each step, λ = 0.5, m = 0.5.
const params = named({ w: [2] });
const grads = [named({ w: [1] }), named({ w: [1] })];

test('chain: decay then momentum puts λw into the velocity', (t) => {
  // g' = 1 + 0.5·2 = 2;  v₁ = 2;  v₂ = 0.5·2 + 2 = 3
  const seq = updateSequence(chain(addWeightDecay(0.5), momentum(0.5)), params, grads, 'w');
  near(t, seq.flat(), [2, 3], 'updates 2, 3');
  t.end();
});

test('chain: momentum then decay keeps λw out of the velocity', (t) => {
  // v₁ = 1, u = 1 + 1 = 2;  v₂ = 0.5 + 1 = 1.5, u = 1.5 + 1 = 2.5
  const seq = updateSequence(chain(momentum(0.5), addWeightDecay(0.5)), params, grads, 'w');
  near(t, seq.flat(), [2, 2.5], 'updates 2, 2.5');
  t.end();
});

test('chain: decay then scale is −η(g + λw); scale then decay is −ηg + λw', (t) => {
  const one = [grads[0]];
  near(t, updateSequence(chain(addWeightDecay(0.5), scaleByLearningRate(0.1)), params, one, 'w').flat(), [-0.2], '−0.1·(1 + 0.5·2)');
  near(t, updateSequence(chain(scaleByLearningRate(0.1), addWeightDecay(0.5)), params, one, 'w').flat(), [0.9], '−0.1·1 + 0.5·2');
  t.end();
});

test('chain: the state is the tuple of member states; velocity and learning rate come from the members that have them', (t) => {
  const c = chain(addWeightDecay(0.1), momentum(0.5), scaleByLearningRate((s) => 1 / (1 + s)));
  const s0 = c.init(params);
  t.equal(s0.length, 3, 'one state per member');
  t.equal(s0[0], undefined, 'weight decay keeps no state');
  const { state } = c.update(grads[0], s0, params, at(0));
  near(t, valuesOf(c.velocity!(state)!, 'w'), [1.2], 'velocity from momentum: g + λw = 1.2');
  t.equal(c.learningRate!(at(3)), 0.25, 'learning rate from the schedule at 3 samples: 1/(1 + 3)');
  t.equal(chain(addWeightDecay(0.1)).learningRate!(at(0)), undefined, 'no member with a learning rate gives undefined');
  t.end();
});
