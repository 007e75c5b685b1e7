/**
 * The training loop as a library, with no command line: train a run for one epoch,
 * resume it from its checkpoint for two more, and evaluate the checkpoint on its own.
 * Everything here runs in a browser too: the data are synthetic and the run's files
 * live in a memory store (in Node, `folderStore(dir)` of `pipegrad/training/node`
 * writes them to a folder, and `loadDataset` of `pipegrad/datasets/node` adds MNIST
 * and CIFAR). Run it with `npx tsx examples/training.ts`.
 *
 * @module
 */
import { loadFrom, syntheticDatasets, type LoadOptions } from '../datasets/index.js';
import { evaluateCheckpoint, memoryStore, runTraining, trainConfig, type TrainResult } from '../training/index.js';

/** What the example measured. */
export interface TrainingExample {
  /** The run after its first epoch. */
  first: TrainResult;
  /** The same run resumed to its last epoch. */
  resumed: TrainResult;
  /** Test accuracy of the last checkpoint, evaluated on its own. */
  checkpointAccuracy: number | null;
}

/** Train an MLP on blobs with PB + SC + LWP for one epoch, resume it to three, and evaluate the last checkpoint. */
export async function trainAndResume(log: (line: string) => void = console.log): Promise<TrainingExample> {
  const config = trainConfig({ model: 'mlp', dataset: 'blobs', epochs: 3, lr: 0.01, limitTrain: 300, limitTest: 200 });
  const load = (name: string, opts: LoadOptions) => loadFrom(syntheticDatasets, name, opts);
  const store = memoryStore();
  const events = { epoch: (m: { epoch: number; testAccuracy: number | null }) => log(`epoch ${m.epoch}: test accuracy ${m.testAccuracy}`) };

  const first = await runTraining({ ...config, epochs: 1 }, { load, store, events });
  const resumed = await runTraining(config, { load, store, resumeFrom: store, events });

  const last = store.files.get('checkpoint-epoch-0003.safetensors')!;
  const { evaluation } = evaluateCheckpoint(last, 'checkpoint-epoch-0003', load);
  log(`checkpoint of epoch 3: test accuracy ${evaluation.accuracy}, test loss ${evaluation.loss.toFixed(4)}`);
  return { first, resumed, checkpointAccuracy: evaluation.accuracy };
}

if (import.meta.url === `file://${process.argv[1]}`) await trainAndResume();
