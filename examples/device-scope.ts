/**
 * Keeping a training step on the device: a plain SGD loop (batch 32, an MLP on two
 * spirals) on the gpu.js backend, once with every kernel's result read back and once
 * with each step inside a device scope, counting what was copied to the host.
 *
 * Run it with `npx tsx examples/device-scope.ts [mode]` — mode `webasm` (the default),
 * `cpu`, or `headlessgl` (under `xvfb-run -a`). The two loops give the same losses; the
 * scoped one copies to the host only what the host needs — the log-probabilities the
 * cross-entropy is computed from, and the weight gradients for the update — and leaves
 * no device array alive.
 *
 * @module
 */
import { backward, crossEntropy, createGpuBackend, deviceScope, setBackend, Tensor, type GpuMode } from '../core/index.js';
import { spirals } from '../datasets/index.js';
import { createModel, type Module } from '../nn/index.js';

/** What {@link compareScopes} measured for one loop. */
export interface LoopResult {
  /** The loss of every step. */
  losses: number[];
  /** Kernel outputs copied to the host over the loop (`stats().readbacks`). */
  readbacks: number;
  /** Device arrays alive after the loop. */
  alive: number;
}

/** One SGD step on the host weights: `w ← w − lr·g`, then clear the gradient. */
function sgdStep(model: Module, lr: number): void {
  for (const p of model.parameters()) {
    const w = p.data;
    const g = p.grad!.data;
    for (let i = 0; i < w.length; i++) w[i] -= lr * g[i];
    p.grad = null;
  }
}

/** Train the same MLP for `steps` steps twice on the gpu backend in `mode`: without and with a device scope per step. */
export async function compareScopes(mode: GpuMode = 'webasm', steps = 20, log: (line: string) => void = console.log): Promise<{ readBack: LoopResult; scoped: LoopResult }> {
  const data = spirals({ n: 32 * steps, seed: 0 });
  const gpu = await createGpuBackend({ mode });
  const previous = setBackend(gpu);
  try {
    const loop = (scoped: boolean): LoopResult => {
      const model = createModel('mlp', { inputShape: [2, 1, 1], numClasses: 2, hidden: 32, depth: 2, seed: 0 });
      const before = gpu.stats().readbacks;
      const losses: number[] = [];
      for (let s = 0; s < steps; s++) {
        const x = new Tensor(data.inputs.subarray(64 * s, 64 * (s + 1)), [32, 2, 1, 1]);
        const y = data.labels!.subarray(32 * s, 32 * (s + 1));
        const step = (): Tensor => {
          const loss = crossEntropy(model.forward(x), y);
          backward(loss); // the weight gradients are kept: they outlive the scope
          return loss;    // returned: downloaded when the scope closes
        };
        losses.push((scoped ? deviceScope(step) : step()).item());
        sgdStep(model, 0.1);
      }
      return { losses, readbacks: gpu.stats().readbacks - before, alive: gpu.liveBuffers() };
    };
    const readBack = loop(false);
    const scoped = loop(true);
    log(`${gpu.name} on ${gpu.device}`);
    log(`every result read back: ${readBack.readbacks} copies to the host, last loss ${readBack.losses[steps - 1].toFixed(4)}`);
    log(`one device scope a step: ${scoped.readbacks} copies to the host, last loss ${scoped.losses[steps - 1].toFixed(4)}, ${scoped.alive} device arrays alive`);
    return { readBack, scoped };
  } finally {
    setBackend(previous);
    await gpu.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await compareScopes((process.argv[2] ?? 'webasm') as GpuMode);
