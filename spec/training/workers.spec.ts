/**
 * A training run on worker threads, through the library: the weights, optimizer state
 * and metrics are bit for bit those of the single-thread run, whatever the number of
 * workers, and a run checkpointed on one number of workers resumes on another. The
 * expectation is the single-thread engine's run, a separate path from the workers'.
 */
import test from 'tape';
import { loadFrom, syntheticDatasets, type LoadOptions } from '../../datasets/index.js';
import { decodeSafetensors } from '../../nn/index.js';
import { ConfigError, memoryStore, RESUMABLE_CHANGES, runTraining, trainConfig, workerCountFor, type MemoryStore, type TrainResult } from '../../training/index.js';
import { nodeWorkerThreads } from '../../training/node.js';

const load = (name: string, opts: LoadOptions) => loadFrom(syntheticDatasets, name, opts);
const base = trainConfig({ model: 'mlp', dataset: 'blobs', limitTrain: 60, limitTest: 40, lr: 0.01, method: 'pb', mitigation: 'sc+lwp', epochs: 3 });
const threads = nodeWorkerThreads();

/** The tensors of a stored checkpoint, by name. */
function checkpointTensors(store: MemoryStore, epoch: number): Map<string, Float32Array> {
  const bytes = store.files.get(`checkpoint-epoch-${String(epoch).padStart(4, '0')}.safetensors`);
  if (!bytes) throw new Error(`no checkpoint of epoch ${epoch}; the store holds ${[...store.files.keys()].join(', ')}`);
  return new Map([...decodeSafetensors(bytes).tensors].map(([name, t]) => [name, t.data as Float32Array]));
}

/** How many values of `b` differ from `a` (as bits: NaN equals NaN, -0 differs from 0), and names missing from `b`. */
function differences(a: Map<string, Float32Array>, b: Map<string, Float32Array>): number {
  let n = 0;
  for (const [name, x] of a) {
    const y = b.get(name);
    if (!y || y.length !== x.length) { n += x.length; continue; }
    for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) n++;
  }
  return n;
}

/** The losses and accuracies of every epoch (what does not depend on the clock). */
const learned = (r: TrainResult) => r.epochs.map((e) => [e.trainLoss, e.trainAccuracy, e.testLoss, e.testAccuracy]);

test('runTraining with workers: 2 workers, then resumed on 3, end bit-identical to the single-thread run', async (t) => {
  const single = memoryStore();
  const one = await runTraining(base, { load, store: single });
  const twoStore = memoryStore();
  const two = await runTraining({ ...base, workers: 2 }, { load, store: twoStore, workerThreads: threads });
  t.ok(differences(checkpointTensors(single, 1), checkpointTensors(single, 3)) > 0, 'the comparison sees that training changed the weights from epoch 1 to epoch 3');
  t.equal(differences(checkpointTensors(single, 3), checkpointTensors(twoStore, 3)), 0, 'on 2 workers every weight and optimizer tensor of epoch 3 is the single-thread run\'s, bit for bit');
  t.deepEqual(learned(two), learned(one), 'every epoch\'s losses and accuracies on 2 workers equal the single-thread run\'s');

  const parts = memoryStore();
  await runTraining({ ...base, epochs: 1, workers: 2 }, { load, store: parts, workerThreads: threads });
  const resumed = await runTraining({ ...base, workers: 3 }, { load, store: parts, resumeFrom: parts, workerThreads: threads });
  t.ok(one.stages >= 3, `the pipeline has at least 3 stages (${one.stages}), so 3 workers each run one or more`);
  t.equal(differences(checkpointTensors(single, 1), checkpointTensors(parts, 1)), 0, 'the checkpoint of epoch 1 written on 2 workers equals the single-thread one, bit for bit');
  t.equal(differences(checkpointTensors(single, 3), checkpointTensors(parts, 3)), 0, 'resumed on 3 workers without allowChanges (workers is a resumable change): every weight and optimizer tensor of epoch 3 is the single-thread run\'s');
  t.deepEqual(learned(resumed), learned(one), 'and so is every epoch\'s metrics');
  t.ok(RESUMABLE_CHANGES.includes('workers'), 'workers is among the resumable changes');
  t.end();
});

test('workers: auto and counts, and what a run refuses', async (t) => {
  t.equal(trainConfig({ workers: 'auto' }).workers, 'auto', 'auto is a value of workers');
  t.equal(trainConfig({}).workers, 1, 'the default is 1 worker');
  t.throws(() => trainConfig({ workers: 0 }), /workers must be at least 1, got 0/, 'zero workers is refused');
  t.throws(() => trainConfig({ workers: 1.5 }), /workers needs a positive integer or auto, got '1.5'/, 'a fraction is refused');
  t.throws(() => trainConfig({ workers: 'two' as never }), /workers needs a positive integer or auto, got 'two'/, 'a word other than auto is refused');
  t.equal(workerCountFor(trainConfig({ workers: 'auto' }), 5, { host: threads.host, cores: 64 }), 5, 'auto on 64 cores and 5 stages: 5 workers, one per stage');
  t.equal(workerCountFor(trainConfig({ workers: 'auto' }), 5, { host: threads.host, cores: 2 }), 2, 'auto on 2 cores and 5 stages: 2 workers');
  t.equal(workerCountFor(trainConfig({ workers: 'auto' }), 5, undefined), 1, 'auto without worker threads: the single-thread engine');
  const quick = { ...base, epochs: 1, checkpointEvery: 0 };
  await rejects(t, runTraining({ ...quick, workers: 2 }, { load }), /^workers 2: this run has no worker threads; give runTraining the option workerThreads/, 'workers 2 without worker threads');
  await rejects(t, runTraining({ ...quick, workers: 99 }, { load, workerThreads: threads }), /^workers 99: the pipeline has \d+ stages, and each worker runs at least one; use workers \d+ or fewer$/, 'more workers than stages');
  t.end();
});

/** Assert that `promise` rejects with a ConfigError whose message matches `pattern`. */
async function rejects(t: test.Test, promise: Promise<unknown>, pattern: RegExp, what: string): Promise<void> {
  try {
    await promise;
    t.fail(`${what}: expected a ConfigError matching ${pattern}, the run succeeded`);
  } catch (e) {
    t.ok(e instanceof ConfigError && pattern.test(e.message), `${what}: a ConfigError matching ${pattern} (got ${(e as Error).message})`);
  }
}
