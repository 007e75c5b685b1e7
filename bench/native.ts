/**
 * A native reference for the matrix product: NumPy's BLAS on one thread, timed by a
 * short Python program, when `python3` with NumPy is at hand. The thread count is held
 * to one through the environment variables that OpenBLAS, MKL and OpenMP read, so the
 * figure is per core like every other figure of the benchmark; it is process CPU time
 * (`time.process_time`), like the ratios of the other sides.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';

/** NumPy's best time per `[n,n]·[n,n]` float32 product, or why there is none. */
export type NativeResult = { available: true; numpy: string; bestMs: Record<number, number> } | { available: false; reason: string };

const program = `
import json, sys, time
import numpy as np
sizes = json.loads(sys.argv[1])
rng = np.random.default_rng(0)
best = {}
for n in sizes:
    a = rng.standard_normal((n, n), dtype=np.float32)
    b = rng.standard_normal((n, n), dtype=np.float32)
    a @ b
    reps = max(1, int(2e8 // (2 * n ** 3)))
    t = float('inf')
    for _ in range(5):
        s = time.process_time()
        for _ in range(reps):
            a @ b
        t = min(t, (time.process_time() - s) / reps)
    best[n] = t * 1000
print(json.dumps({"numpy": np.__version__, "best": best}))
`;

/** Time NumPy's float32 product at each size in `sizes` on one thread. */
export function benchNative(sizes: readonly number[]): NativeResult {
  const one = { OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_NUM_THREADS: '1', BLIS_NUM_THREADS: '1' };
  const run = spawnSync('python3', ['-c', program, JSON.stringify(sizes)], { env: { ...process.env, ...one }, encoding: 'utf8', timeout: 120_000 });
  if (run.error) return { available: false, reason: `python3 could not run (${run.error.message})` };
  if (run.status !== 0) return { available: false, reason: `python3 with NumPy is not available (${(run.stderr || '').trim().split('\n').pop()})` };
  const parsed = JSON.parse(run.stdout) as { numpy: string; best: Record<string, number> };
  return { available: true, numpy: parsed.numpy, bestMs: Object.fromEntries(Object.entries(parsed.best).map(([n, ms]) => [Number(n), ms])) };
}
