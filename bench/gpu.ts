/**
 * The gpu.js backend next to the CPU backend, in every gpu.js mode that starts here:
 * matmul GFLOP/s at n = 256, 512, 1024; a 3×3 conv layer 32→32 channels on 32×32
 * (padding 1, bias, batch 1) forward and forward+backward; and training samples/s of
 * `smallcnn` on MNIST with pb+sc+lwp (bench/training.ts). Run under `xvfb-run -a` so
 * headlessgl can start:
 *
 *   xvfb-run -a npx tsx bench/gpu.ts [--json]
 */
import os from 'node:os';
import { conv2d, cpuBackend, getBackend, gradients, matmul, randn, Rng, setBackend, type Backend, type Tensor } from '../core/index.js';
import { createGpuBackend, type GpuBackend, type GpuMode } from '../core/backend/index.js';
import { time, type Timing } from './timing.js';
import { benchTraining } from './training.js';

const sizes = [256, 512, 1024];
const trainingSamples = Number(process.env.GPU_BENCH_SAMPLES ?? 500);
const modes: GpuMode[] = ['cpu', 'webasm', 'headlessgl'];

interface Row { backend: string; device: string; matmul: { n: number; ms: number; gflops: number }[]; conv: { forwardMs: number; forwardBackwardMs: number }; training: { samples: number; samplesPerSecond: number; meanLoss: number } }

function matmulRow(n: number): { n: number; ms: number; gflops: number } {
  const rng = new Rng(n);
  const a = randn([n, n], rng);
  const b = randn([n, n], rng);
  matmul(a, b);
  const start = performance.now();
  let rounds = 0;
  let best = Infinity;
  // At least one timed round, at most 3, and stop after ~4 s: the slow modes take seconds per product.
  while (rounds < 3 && (rounds === 0 || performance.now() - start < 4000)) {
    const t0 = performance.now();
    matmul(a, b);
    best = Math.min(best, performance.now() - t0);
    rounds++;
  }
  return { n, ms: best, gflops: (2 * n ** 3) / (best * 1e6) };
}

function convRow(): { forwardMs: number; forwardBackwardMs: number } {
  const rng = new Rng(3);
  const x: Tensor = randn([1, 32, 32, 32], rng).requireGrad();
  const w: Tensor = randn([32, 32, 3, 3], rng).requireGrad();
  const b: Tensor = randn([32], rng).requireGrad();
  const seed = randn([1, 32, 32, 32], rng);
  const forward = (): Tensor => conv2d(x, w, b, { padding: 1 });
  const plan = { warmup: 1, rounds: 3, minRoundMs: 0 };
  const f: Timing = time(() => forward(), plan);
  const fb: Timing = time(() => gradients(forward(), seed), plan);
  return { forwardMs: f.bestMs, forwardBackwardMs: fb.bestMs };
}

function measure(backend: Backend, device: string): Row {
  const previous = setBackend(backend);
  try {
    const matmulRows = sizes.map(matmulRow);
    const conv = convRow();
    const tr = benchTraining(trainingSamples, 0);
    if (getBackend() !== backend) throw new Error('backend changed during the run');
    return { backend: backend.name, device, matmul: matmulRows, conv, training: { samples: tr.samples, samplesPerSecond: tr.samplesPerSecond, meanLoss: tr.meanLoss } };
  } finally {
    setBackend(previous);
  }
}

const rows: Row[] = [];
const skipped: string[] = [];
rows.push(measure(cpuBackend, 'JavaScript (pipegrad CPU kernels)'));
for (const mode of modes) {
  let gpu: GpuBackend;
  try {
    gpu = await createGpuBackend({ mode });
  } catch (e) {
    skipped.push((e as Error).message);
    continue;
  }
  rows.push(measure(gpu, gpu.device));
  if (gpu.liveBuffers() !== 0) throw new Error(`${gpu.name}: ${gpu.liveBuffers()} device buffers left alive`);
  await gpu.dispose();
}
const cpus = os.cpus();
const machine = `${cpus[0]?.model.trim()}, ${cpus.length} cores, Node ${process.version}, ${os.platform()} ${os.arch()}, load ${os.loadavg()[0].toFixed(2)}, ${new Date().toISOString()}`;
if (process.argv.includes('--json')) {
  console.log(JSON.stringify({ machine, rows, skipped }, null, 2));
} else {
  console.log(`machine: ${machine}`);
  for (const r of rows) {
    console.log(`\n${r.backend} — ${r.device}`);
    console.log(`  matmul GFLOP/s: ${r.matmul.map((m) => `n=${m.n} ${m.gflops.toFixed(3)} (${m.ms.toFixed(1)} ms)`).join(', ')}`);
    console.log(`  conv 32→32 3×3 32×32: forward ${r.conv.forwardMs.toFixed(1)} ms, forward+backward ${r.conv.forwardBackwardMs.toFixed(1)} ms`);
    console.log(`  smallcnn pb+sc+lwp MNIST: ${r.training.samplesPerSecond.toFixed(1)} samples/s over ${r.training.samples} samples (mean loss ${r.training.meanLoss.toFixed(4)})`);
  }
  for (const s of skipped) console.log(`\nSKIPPED ${s}`);
}
