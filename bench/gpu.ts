/**
 * The gpu.js backend next to the CPU backend, in every gpu.js mode that starts here:
 * matmul GFLOP/s at n = 256, 512, 1024; a 3×3 conv layer 32→32 channels on 32×32
 * (padding 1, bias, batch 1) forward and forward+backward; and training samples/s of
 * `smallcnn` on MNIST with pb+sc+lwp (bench/training.ts). The conv layer and the
 * training run are measured twice on the gpu backends: with every kernel's result read
 * back (outside a device scope; `keepOnDevice: false`), and with results kept on the
 * device between kernels (inside a device scope; the pipeline's default). Run under
 * `xvfb-run -a` so headlessgl can start:
 *
 *   xvfb-run -a npx tsx bench/gpu.ts [--json]
 */
import os from 'node:os';
import { conv2d, cpuBackend, deviceScope, getBackend, gradients, matmul, randn, Rng, setBackend, type Backend, type Tensor } from '../core/index.js';
import { createGpuBackend, type GpuBackend, type GpuMode } from '../core/backend/index.js';
import { time, type Timing } from './timing.js';
import { benchTraining } from './training.js';

const sizes = [256, 512, 1024];
const trainingSamples = Number(process.env.GPU_BENCH_SAMPLES ?? 500);
const modes: GpuMode[] = ['cpu', 'webasm', 'headlessgl'];

interface ConvTiming { forwardMs: number; forwardBackwardMs: number }
interface TrainingTiming { samples: number; samplesPerSecond: number; meanLoss: number }
interface Row {
  backend: string;
  device: string;
  matmul: { n: number; ms: number; gflops: number }[];
  /** Every result read back (the CPU backend's only way). */
  conv: ConvTiming;
  training: TrainingTiming;
  /** Results kept on the device between kernels (gpu backends only). */
  convOnDevice?: ConvTiming;
  trainingOnDevice?: TrainingTiming;
}

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

function convRow(onDevice: boolean): ConvTiming {
  const rng = new Rng(3);
  const x: Tensor = randn([1, 32, 32, 32], rng).requireGrad();
  const w: Tensor = randn([32, 32, 3, 3], rng).requireGrad();
  const b: Tensor = randn([32], rng).requireGrad();
  const seed = randn([1, 32, 32, 32], rng);
  const forward = (): Tensor => conv2d(x, w, b, { padding: 1 });
  const plan = { warmup: 1, rounds: 3, minRoundMs: 0 };
  const run = <T>(fn: () => T): T => (onDevice ? deviceScope(fn) : fn());
  const f: Timing = time(() => run(() => forward()), plan);
  const fb: Timing = time(() => run(() => gradients(forward(), seed)), plan);
  return { forwardMs: f.bestMs, forwardBackwardMs: fb.bestMs };
}

function trainingRow(keepOnDevice: boolean): TrainingTiming {
  const tr = benchTraining(trainingSamples, 0, keepOnDevice);
  return { samples: tr.samples, samplesPerSecond: tr.samplesPerSecond, meanLoss: tr.meanLoss };
}

function measure(backend: Backend, device: string): Row {
  const previous = setBackend(backend);
  try {
    const matmulRows = sizes.map(matmulRow);
    const conv = convRow(false);
    const training = trainingRow(false);
    const row: Row = { backend: backend.name, device, matmul: matmulRows, conv, training };
    if (backend.deviceKernels) {
      row.convOnDevice = convRow(true);
      row.trainingOnDevice = trainingRow(true);
    }
    if (getBackend() !== backend) throw new Error('backend changed during the run');
    return row;
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
    const where = r.convOnDevice ? ' (every result read back)' : '';
    console.log(`  conv 32→32 3×3 32×32${where}: forward ${r.conv.forwardMs.toFixed(1)} ms, forward+backward ${r.conv.forwardBackwardMs.toFixed(1)} ms`);
    if (r.convOnDevice) console.log(`  conv 32→32 3×3 32×32 (kept on the device): forward ${r.convOnDevice.forwardMs.toFixed(1)} ms, forward+backward ${r.convOnDevice.forwardBackwardMs.toFixed(1)} ms`);
    const tr = (label: string, t: TrainingTiming): string => `  smallcnn pb+sc+lwp MNIST${label}: ${t.samplesPerSecond.toFixed(1)} samples/s over ${t.samples} samples (mean loss ${t.meanLoss.toFixed(4)})`;
    console.log(tr(r.trainingOnDevice ? ' (every result read back)' : '', r.training));
    if (r.trainingOnDevice) console.log(tr(' (kept on the device)', r.trainingOnDevice));
  }
  for (const s of skipped) console.log(`\nSKIPPED ${s}`);
}
