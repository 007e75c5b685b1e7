/**
 * Checkpoints: a bit-exact round trip through a file (parameters, buffers, optimizer
 * state, step, seed, config), and errors that name the file and every mismatch.
 */
import test from 'tape';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randn, Rng, type Tensor } from '../../core/index.js';
import { createModel, decodeCheckpoint } from '../../nn/index.js';
import { loadCheckpoint, loadSafetensorsFile, saveCheckpoint, saveSafetensorsFile } from '../../nn/node.js';

function bits(t: Tensor): number[] {
  return Array.from(new Uint32Array(Float32Array.from(t.data).buffer));
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pipegrad-nn-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('checkpoint: save and load round-trip every tensor bit for bit, with optimizer state and metadata', async (t) => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'step-7.safetensors');
    const model = createModel('resnet20', { width: 0.25, norm: 'batch', seed: 1 });
    model.forward(randn([2, 3, 32, 32], new Rng(2))); // move the running statistics off their initial values
    const velocity = new Map(model.namedParameters().map(([n, p]) => [`velocity.${n}`, randn(p.shape, new Rng(3))]));
    const config = { model: 'resnet20', lr: 0.1, schedule: [1, 2, 3] };
    await saveCheckpoint(path, model, { optimizerState: velocity, step: 7, seed: 42, config });

    const { tensors, metadata } = await loadSafetensorsFile(path);
    t.ok(tensors.has('model.layer2.0.conv1.weight') && tensors.has('model.layer1.0.norm1.runningVar'), 'model entries are stored under model.<path>');
    t.ok(tensors.has('optim.velocity.fc.weight'), 'optimizer entries under optim.<name>');
    t.deepEqual(metadata, { format: 'pipegrad', step: '7', seed: '42', config: JSON.stringify(config) }, 'step, seed and config are metadata strings');

    const fresh = createModel('resnet20', { width: 0.25, norm: 'batch', seed: 99 });
    const loaded = await loadCheckpoint(path, fresh);
    const want = model.stateDict();
    const same = [...fresh.stateDict()].every(([n, v]) => bits(v).join() === bits(want.get(n)!).join());
    t.ok(same, 'every parameter and buffer is restored bit for bit');
    t.equal(fresh.stateDict().size, want.size, 'and nothing else');
    t.ok([...loaded.optimizerState].every(([n, v]) => bits(v).join() === bits(velocity.get(n)!).join()) && loaded.optimizerState.size === velocity.size, 'the optimizer state comes back bit for bit');
    t.deepEqual([loaded.step, loaded.seed, loaded.config], [7, 42, config], 'step, seed and config come back as values');
    t.deepEqual([loaded.missing, loaded.unexpected], [[], []], 'nothing missing or unexpected');
  });
  t.end();
});

test('checkpoint: mismatches name the file and every entry; a non-strict load reports them', async (t) => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'small.safetensors');
    await saveCheckpoint(path, createModel('smallcnn', { seed: 1 }));
    const other = createModel('smallcnn', { seed: 2, width: 2 });
    let message = '';
    try {
      await loadCheckpoint(path, other);
    } catch (err) {
      message = (err as Error).message;
    }
    t.ok(message.startsWith(path) && /mis-shaped: conv1\.weight is \[8,1,3,3\] in the state but \[16,1,3,3\] in the model/.test(message), `the error names the file and the entries (${message.slice(0, 120)}…)`);

    const withNorm = createModel('smallcnn', { seed: 2, norm: 'group' });
    const partial = await loadCheckpoint(path, withNorm, { strict: false });
    t.deepEqual(partial.missing, ['norm1.weight', 'norm1.bias', 'norm2.weight', 'norm2.bias'], 'a non-strict load reports the missing entries');
    t.deepEqual(partial.unexpected, ['conv1.bias', 'conv2.bias'], 'and the unexpected ones');

    const foreign = join(dir, 'foreign.safetensors');
    await saveSafetensorsFile(foreign, { 'something.else': { shape: [1], data: new Float32Array([1]) } });
    await loadCheckpoint(foreign, createModel('smallcnn')).then(
      () => t.fail('a file with foreign entries loaded strictly'),
      (err: Error) => t.ok(/neither 'model\.…' nor 'optim\.…': something\.else/.test(err.message), 'entries outside model. and optim. are named'),
    );
    await loadCheckpoint(join(dir, 'absent.safetensors'), createModel('smallcnn')).then(
      () => t.fail('a missing file loaded'),
      (err: Error) => t.ok(/checkpoint not found/.test(err.message), 'a missing file says so'),
    );
  });
  t.end();
});

test('checkpoint: a saved file carries its SHA-256; one flipped bit is refused with a one-line error naming the file', async (t) => {
  await withTempDir(async (dir) => {
    const path = join(dir, 'step-3.safetensors');
    const model = createModel('mlp', { hidden: 8, depth: 1, seed: 4 });
    await saveCheckpoint(path, model, { step: 3, config: { lr: 0.1 } });
    const bytes = new Uint8Array(await readFile(path));
    t.ok(/"pipegrad_digest":"pipegrad-sha256:[0-9a-f]{64}"/.test(new TextDecoder().decode(bytes.subarray(0, 600))), 'the header holds pipegrad_digest with 64 hex digits');
    t.equal((await loadSafetensorsFile(path)).verified, true, 'loading verifies it');

    const lastWeightByte = bytes.length - 1;
    bytes[lastWeightByte] ^= 0x01;
    await writeFile(path, bytes);
    const message = await loadCheckpoint(path, createModel('mlp', { hidden: 8, depth: 1 })).then(() => '(loaded)', (err: Error) => err.message);
    t.match(message, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: damaged: the data does not match its SHA-256 `), `the error names the file and says the data does not match its hash (${message})`);
    t.notOk(message.includes('\n'), 'the message is one line');
    t.throws(() => decodeCheckpoint(bytes, createModel('mlp', { hidden: 8, depth: 1 }), {}, 'in-memory'), /^Error: in-memory: damaged: /, 'decodeCheckpoint checks it too, naming its source');
  });
  t.end();
});
