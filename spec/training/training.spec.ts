/**
 * The training loop as a library, with no command line: a run trains, reports events,
 * writes its files to a store, evaluates with the training loss, stops on NaN, and a
 * resumed run ends bit-identical to an uninterrupted one.
 */
import test from 'tape';
import { Tensor } from '../../core/index.js';
import { loadFrom, syntheticDatasets, type LoadOptions } from '../../datasets/index.js';
import { decodeSafetensors } from '../../nn/index.js';
import {
  ConfigError,
  DivergedError,
  evaluate,
  evaluateCheckpoint,
  memoryStore,
  prepareData,
  runTraining,
  trainConfig,
  type EpochMetrics,
  type Progress,
} from '../../training/index.js';

const load = (name: string, opts: LoadOptions) => loadFrom(syntheticDatasets, name, opts);
const base = trainConfig({ model: 'mlp', dataset: 'blobs', limitTrain: 200, limitTest: 100, lr: 0.01, method: 'pb', mitigation: 'sc+lwp' });

test('runTraining: trains, reports progress and epochs, and writes the run files to its store', async (t) => {
  const store = memoryStore();
  const progress: Progress[] = [];
  const epochs: EpochMetrics[] = [];
  const r = await runTraining({ ...base, epochs: 2 }, { load, store, events: { progress: (p) => progress.push(p), epoch: (e) => epochs.push(e) } });
  t.ok(r.finalTestAccuracy! > 0.9, `blobs are learned (test accuracy ${r.finalTestAccuracy})`);
  t.deepEqual(epochs.map((e) => e.epoch), [1, 2], 'one epoch event per epoch, in order');
  t.deepEqual(epochs.map((e) => e.samplesSeen), [200, 400], 'samples seen count the whole run');
  t.equal(progress.filter((p) => p.epoch === 1).length, 50, '200 batches, a report every 4: fifty progress events in epoch 1');
  t.equal(progress[progress.length - 1].samples, 200, 'the last report of an epoch is at its last sample');
  t.deepEqual([...store.files.keys()].sort(), ['checkpoint-epoch-0001.safetensors', 'checkpoint-epoch-0002.safetensors', 'config.json', 'curves.svg', 'metrics.jsonl'], 'the run files');
  const lines = new TextDecoder().decode(store.files.get('metrics.jsonl')).trim().split('\n').map((l) => JSON.parse(l) as { event: string });
  t.deepEqual([lines.filter((l) => l.event === 'progress').length, lines.filter((l) => l.event === 'epoch').length], [100, 2], 'metrics.jsonl: every progress and epoch event');
  t.equal(JSON.parse(new TextDecoder().decode(store.files.get('config.json'))).resolved.method, 'pb+sc+lwp', 'config.json holds the resolved method');
  t.end();
});

test('evaluate: the mean cross-entropy and accuracy of the predictions, as computed by hand in float64', async (t) => {
  const r = await runTraining({ ...base, epochs: 1, checkpointEvery: 0 }, { load });
  const data = prepareData(base, load);
  let loss = 0;
  let correct = 0;
  for (const b of data.testLoader.batches(0)) {
    const y = r.pipeline.predict(new Tensor(b.inputs, [b.indices.length, ...data.inputShape])).data;
    const k = data.outputs;
    for (let n = 0; n < b.indices.length; n++) {
      const row = Array.from(y.subarray(n * k, (n + 1) * k), Number);
      const max = Math.max(...row);
      loss += Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)) + max - row[b.labels![n]];
      if (row.indexOf(max) === b.labels![n]) correct++;
    }
  }
  const e = evaluate(r.pipeline, data.testLoader, data);
  t.equal(e.samples, 100, 'every test sample');
  t.ok(Math.abs(e.loss - loss / 100) < 1e-5 * Math.max(1, loss / 100), `loss ${e.loss} against ${loss / 100} by hand`);
  t.equal(e.accuracy, correct / 100, 'accuracy: the share of argmax = label');
  t.equal(e.accuracy, r.finalTestAccuracy, 'and the run reported the same test accuracy');
  t.end();
});

test('resuming from a store continues to exactly the result of an uninterrupted run; the checkpoint evaluates alone', async (t) => {
  const whole = memoryStore();
  const parts = memoryStore();
  const uninterrupted = await runTraining({ ...base, epochs: 3 }, { load, store: whole });
  await runTraining({ ...base, epochs: 1 }, { load, store: parts });
  const resumed = await runTraining({ ...base, epochs: 3 }, { load, store: parts, resumeFrom: parts });
  t.deepEqual(resumed.epochs.map((e) => e.epoch), [1, 2, 3], 'the resumed run reports the epochs before the resume too');
  const a = decodeSafetensors(whole.files.get('checkpoint-epoch-0003.safetensors')!).tensors;
  const b = decodeSafetensors(parts.files.get('checkpoint-epoch-0003.safetensors')!).tensors;
  t.deepEqual([...a.keys()], [...b.keys()], 'the same weights and optimizer entries');
  let differences = 0;
  for (const [name, x] of a) x.data.forEach((v, i) => void (Object.is(v, b.get(name)!.data[i]) || differences++));
  t.equal(differences, 0, 'every weight and optimizer value is bit-identical after epoch 3');
  t.equal(resumed.finalTestLoss, uninterrupted.finalTestLoss, 'and so is the final test loss');
  const { evaluation } = evaluateCheckpoint(parts.files.get('checkpoint-epoch-0003.safetensors')!, 'epoch 3', load);
  t.deepEqual([evaluation.accuracy, evaluation.loss], [resumed.finalTestAccuracy, resumed.finalTestLoss], 'the checkpoint alone evaluates to the final test accuracy and loss');
  t.end();
});

test('a diverging run stops with a DivergedError naming the step and the last good checkpoint', async (t) => {
  const store = memoryStore();
  await runTraining({ ...base, epochs: 1 }, { load, store });
  try {
    await runTraining({ ...base, epochs: 2, lr: 1e30 }, { load, store, resumeFrom: store, allowChanges: true });
    t.fail('expected a DivergedError');
  } catch (e) {
    t.ok(e instanceof DivergedError, 'a DivergedError');
    t.match((e as Error).message, /^training diverged at step \d+ \(epoch 2, sample \d+\): the loss is (NaN|Infinity|-Infinity); the last good checkpoint is memory:checkpoint-epoch-0001\.safetensors/, (e as Error).message);
  }
  t.notOk(store.files.has('checkpoint-epoch-0002.safetensors'), 'no checkpoint of the diverged epoch');
  t.end();
});

test('settings that cannot make a run are ConfigErrors that say what is wrong', async (t) => {
  const cases: [() => unknown, RegExp][] = [
    [() => trainConfig({ batchSize: 0 }), /^trainConfig: batchSize must be at least 1, got 0$/],
    [() => trainConfig({ model: 'resnet7' }), /^trainConfig: model 'resnet7' is not valid; choose one of: mlp, /],
    [() => trainConfig({ epochs: 1.5 }), /^trainConfig: epochs needs an integer, got '1.5'$/],
    [() => trainConfig({ lerning: 1 } as never), /^trainConfig: unknown setting 'lerning'; valid settings: model, dataset, /],
  ];
  for (const [f, pattern] of cases) t.throws(f, (e: unknown) => e instanceof ConfigError && pattern.test((e as Error).message), String(pattern));
  try {
    await runTraining(base, { load, resumeFrom: memoryStore() });
    t.fail('expected a ConfigError');
  } catch (e) {
    t.ok(e instanceof ConfigError && /^memory holds no checkpoint-epoch-\*\.safetensors to resume from$/.test((e as Error).message), `an empty store cannot be resumed: ${(e as Error).message}`);
  }
  const used = memoryStore();
  await runTraining({ ...base, epochs: 1 }, { load, store: used });
  const before = new Map(used.files);
  try {
    await runTraining({ ...base, epochs: 1 }, { load, store: used });
    t.fail('expected a ConfigError');
  } catch (e) {
    t.equal(
      (e as Error).message,
      'memory already holds a run (checkpoint-epoch-0001.safetensors, config.json, curves.svg and 1 more); nothing was written: resume it, or choose another folder for a new run',
      'a store that holds a run is not written over by a new one',
    );
  }
  t.deepEqual(used.files, before, 'and nothing in it changed');
  t.equal(trainConfig().model, 'smallcnn', 'the defaults are the default job');
  t.end();
});
