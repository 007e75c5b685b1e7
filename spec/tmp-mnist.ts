import { Tensor } from '../core/index.js';
import { createModel } from '../nn/index.js';
import { loadMnist, DataLoader, channelStats } from '../datasets/index.js';
import { Pipeline, resolveMethod, sgdForMethod } from '../pipeline/index.js';
const method = process.argv[2] ?? 'pb+sc+lwp';
const lr = Number(process.argv[3] ?? 0.01), m = Number(process.argv[4] ?? 0.9);
const limit = Number(process.argv[5] ?? 60000);
const train = loadMnist('train'), test = loadMnist('test');
const stats = channelStats(train);
const loader = new DataLoader(train, { batchSize: 1, seed: 0, normalize: stats, limit });
const model = createModel('smallcnn', { seed: 0 });
const spec = resolveMethod(method);
const pipe = new Pipeline({ units: model.pipelineUnits(), method: spec, optimizer: sgdForMethod(spec, { lr, momentum: m }) });
const order = [...loader.batches(0)];
let t0 = Date.now(); let run = 0; let correct = 0;
pipe.run(order.length, (j) => { const b = order[j]; return { input: new Tensor(b.inputs, b.shape), target: b.labels! }; }, (r) => {
  run += r.loss; const o = r.outputs[0].data; let best = 0; for (let i = 1; i < o.length; i++) if (o[i] > o[best]) best = i; if (best === (r.target as Int32Array)[0]) correct++;
  if ((r.sample + 1) % 10000 === 0) { console.log(r.sample + 1, 'loss', (run / 10000).toFixed(4), 'acc', (correct / 10000).toFixed(4), ((Date.now() - t0) / 1000).toFixed(1) + 's'); run = 0; correct = 0; }
});
const trainTime = (Date.now() - t0) / 1000;
const tl = new DataLoader(test, { batchSize: 100, shuffle: false, normalize: stats });
let ok = 0;
for (const b of tl.batches(0)) { const y = pipe.predict(new Tensor(b.inputs, b.shape)).data; for (let n = 0; n < b.labels!.length; n++) { let best = 0; for (let i = 1; i < 10; i++) if (y[n * 10 + i] > y[n * 10 + best]) best = i; if (best === b.labels![n]) ok++; } }
console.log(method, 'lr', lr, 'm', m, 'train', trainTime.toFixed(1), 's', 'test acc', ok / 10000, 'total', ((Date.now() - t0) / 1000).toFixed(1));
