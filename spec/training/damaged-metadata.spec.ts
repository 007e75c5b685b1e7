/**
 * A checkpoint whose metadata or weights are damaged is refused by `eval` and by a
 * resume with one line naming the file, the field and what was expected — never a
 * TypeError, never an accuracy computed from NaN. The damaged files here carry a
 * correct digest (they are re-encoded), so only the validation of their content can
 * catch them.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { loadFrom, syntheticDatasets, type LoadOptions } from '../../datasets/index.js';
import { decodeSafetensors, encodeSafetensors } from '../../nn/index.js';
import { ConfigError, evaluateCheckpoint, memoryStore, runTraining, trainConfig } from '../../training/index.js';
import { runCli } from '../cli/run-cli.js';

const load = (name: string, opts: LoadOptions) => loadFrom(syntheticDatasets, name, opts);
const config = trainConfig({ model: 'mlp', dataset: 'blobs', limitTrain: 60, limitTest: 40, lr: 0.01 });
const NAME = 'checkpoint-epoch-0001.safetensors';

/** A one-epoch checkpoint, decoded. */
async function checkpoint(): Promise<ReturnType<typeof decodeSafetensors>> {
  const store = memoryStore();
  await runTraining(config, { load, store });
  return decodeSafetensors(store.files.get(NAME)!);
}

/** The checkpoint with its metadata config changed by `edit` (of the parsed JSON) or replaced by `raw`; a correct digest. */
function damaged(original: ReturnType<typeof decodeSafetensors>, edit: ((c: any) => void) | { raw: string | undefined }): Uint8Array {
  const metadata = { ...original.metadata };
  if ('raw' in edit) {
    if (edit.raw === undefined) delete metadata.config;
    else metadata.config = edit.raw;
  } else {
    const c = JSON.parse(metadata.config);
    edit(c);
    metadata.config = JSON.stringify(c);
  }
  return encodeSafetensors(original.tensors, metadata);
}

/** The one-line message a function's ConfigError gives, or a description of what it did instead. */
async function refusal(f: () => unknown): Promise<string> {
  try {
    await f();
    return '(accepted)';
  } catch (e) {
    return e instanceof ConfigError ? (e as Error).message : `(not a ConfigError: ${String(e)})`;
  }
}

test('damaged metadata: eval and resume refuse it with the file, the field and what was expected', async (t) => {
  const original = await checkpoint();
  // [what, the edit, expected message after "<source>: ", refused by eval too (false: only resume needs it)]
  const cases: [string, Parameters<typeof damaged>[1], RegExp, boolean][] = [
    ['config missing', { raw: undefined }, /^holds no training configuration \(__metadata__\.config is missing/, true],
    ['config not JSON', { raw: '{"train": ' }, /^__metadata__\.config is not JSON \(/, true],
    ['config null', { raw: 'null' }, /^config must be a JSON object, got null$/, true],
    ['train missing', (c) => delete c.train, /^holds no training configuration \(config\.train is missing/, true],
    ['train an array', (c) => (c.train = [1]), /^config\.train must be a JSON object, got \[1\]$/, true],
    ['lr a string', (c) => (c.train.lr = 'x'), /^config\.train\.lr needs a number, got 'x'$/, true],
    ['lr true', (c) => (c.train.lr = true), /^config\.train\.lr needs a number, got true$/, true],
    ['unknown model', (c) => (c.train.model = 'resnet7'), /^config\.train\.model 'resnet7' is not valid; choose one of: /, true],
    ['epochs below 1', (c) => (c.train.epochs = 0), /^config\.train\.epochs must be at least 1, got 0$/, true],
    ['unknown setting', (c) => (c.train.lerning = 1), /^unknown setting 'lerning'; valid settings: model, /, true],
    ['resume missing', (c) => delete c.resume, /^was not written by pipegrad's training loop \(config\.resume is missing/, false],
    ['resume null', (c) => (c.resume = null), /^config\.resume must be a JSON object, got null$/, false],
    ['metrics null', (c) => (c.resume.metrics = null), /^config\.resume\.metrics must be a JSON array, got null$/, false],
    ['a test loss string', (c) => (c.resume.metrics[0].testLoss = 'x'), /^config\.resume\.metrics\[0\]\.testLoss must be a number, got "x"$/, false],
    ['an accuracy of 2', (c) => (c.resume.metrics[0].testAccuracy = 2), /^config\.resume\.metrics\[0\]\.testAccuracy must be a number from 0 to 1 or null, got 2$/, false],
    ['a metrics entry short', (c) => (c.resume.metrics = []), /^config\.resume\.metrics has 0 entries; one per completed epoch \(1\) was expected$/, false],
    ['epoch a string', (c) => (c.resume.epoch = '1'), /^config\.resume\.epoch must be a whole number ≥ 0, got "1"$/, false],
    ['a negative clock', (c) => (c.resume.clocks[0].step = -1), /^config\.resume\.clocks\[0\]\.step must be a whole number ≥ 0, got -1$/, false],
    ['no clocks', (c) => (c.resume.clocks = []), /^config\.resume\.clocks is empty/, false],
    ['a curve point null', (c) => (c.resume.trainCurve[0] = null), /^config\.resume\.trainCurve\[0\] must be a JSON object, got null$/, false],
    ['a newline in a value', (c) => (c.train.model = 'a\nb'), /^config\.train\.model 'a\\nb' is not valid/, true],
  ];
  for (const [what, edit, pattern, byEval] of cases) {
    const bytes = damaged(original, edit);
    const store = memoryStore();
    store.files.set(NAME, bytes);
    const resumed = await refusal(() => runTraining({ ...config, epochs: 2 }, { load, store, resumeFrom: store }));
    t.ok(resumed.startsWith(`memory:${NAME}: `), `${what}: resume names the file (${resumed})`);
    t.match(resumed.slice(`memory:${NAME}: `.length), pattern, `${what}: resume says what was expected`);
    t.equal(resumed.split('\n').length, 1, `${what}: one line`);
    const evaluated = await refusal(() => evaluateCheckpoint(bytes, 'ckpt', load));
    if (byEval) t.match(evaluated, new RegExp('^ckpt: ' + pattern.source.slice(1)), `${what}: eval refuses it too (${evaluated})`);
    else t.equal(evaluated, '(accepted)', `${what}: eval does not need the resume state`);
  }
  t.end();
});

test('non-finite weights: eval and resume refuse them, naming the tensor, instead of reporting an accuracy', async (t) => {
  const original = await checkpoint();
  const tensors = new Map(original.tensors);
  const [name, array] = [...tensors].find(([n]) => n.startsWith('model.'))!;
  const poisoned = array.data.slice();
  poisoned.fill(NaN);
  tensors.set(name, { shape: array.shape, data: poisoned });
  const bytes = encodeSafetensors(tensors, original.metadata);
  const expected = new RegExp(`^ckpt: tensor '${name.replace(/\./g, '\\.')}' holds NaN at index 0 \\(${poisoned.length} of ${poisoned.length} values are not finite\\); `);
  t.match(await refusal(() => evaluateCheckpoint(bytes, 'ckpt', load)), expected, 'evaluateCheckpoint refuses NaN weights');
  const store = memoryStore();
  store.files.set(NAME, bytes);
  t.match(await refusal(() => runTraining({ ...config, epochs: 2 }, { load, store, resumeFrom: store })), /^memory:checkpoint-epoch-0001\.safetensors: tensor '.*' holds NaN at index 0/, 'a resume refuses them');

  const dir = mkdtempSync(join(tmpdir(), 'pipegrad-nan-'));
  const file = join(dir, NAME);
  writeFileSync(file, bytes);
  const r = await runCli('eval', file);
  t.equal(r.code, 2, 'pipegrad eval exits 2');
  t.ok(r.err.startsWith(`pipegrad: eval: ${file}: tensor '${name}' holds NaN`), `and names the file and the tensor: ${r.err.trim()}`);
  t.equal(r.out, '', 'and reports no accuracy');
  const garbage = join(dir, 'garbage.safetensors');
  writeFileSync(garbage, 'not a checkpoint at all');
  const g = await runCli('eval', garbage);
  t.equal(g.code, 2, 'a file that is not a checkpoint: exit code 2');
  t.match(g.err, new RegExp(`^pipegrad: eval: ${garbage.replace(/[.]/g, '\\.')}: `), `names the file: ${g.err.trim()}`);
  t.end();
});
