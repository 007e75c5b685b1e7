/**
 * The recipe the parallel-pipeline specs build their pipelines from, in the main
 * thread and in every worker: a small model, a method, momentum SGD for the method.
 *
 * `failAt` makes the model's last stage throw on that sample (a layer that fails in a
 * worker); `forwardsLast` lists each tick's forwards after its backwards and updates;
 * `recordVersions` keeps the versions.
 */
import { Tensor } from '../../core/index.js';
import { createModel, type ModelOptions } from '../../nn/index.js';
import { defineSchedule, pipemareMitigation, methodFor, resolveMethod, sgdForMethod, type Instruction, type MethodSpec, type PipelineConfig } from '../../pipeline/index.js';

/** What a spec varies. */
export interface RecipeOptions {
  model: 'mlp' | 'resnet20';
  method: string;
  lr?: number;
  microBatches?: number;
  /** A layer that throws on this sample at the last stage. */
  failAt?: number;
  /**
   * Run the method's schedule with each tick's forwards moved after its backwards and
   * updates (but the last stage's, which its own backward follows). A stage then updates before it runs the tick's forward, which must still see
   * the weights of the tick's start (DESIGN §5), so the numbers are the method's own.
   */
  forwardsLast?: boolean;
}

/** `method` on its own schedule with each tick's forwards listed last. */
function withForwardsLast(method: MethodSpec): MethodSpec {
  const { schedule } = method;
  const reordered = defineSchedule(`${schedule.name}-forwards-last`, function* (size) {
    for (const tick of schedule.make(size).ticks()) {
      // A forward whose own backward follows in the tick (the last stage's) keeps its place.
      const moves = (i: Instruction): boolean => i.kind === 'F' && !tick.some((b) => b.kind === 'B' && b.stage === i.stage && b.sample === i.sample);
      yield [...tick.filter((i) => !moves(i)), ...tick.filter(moves)];
    }
  }, schedule.flushes);
  return { ...method, schedule: reordered };
}

/** The model options of each test model: tiny, seeded. */
const MODELS: Record<RecipeOptions['model'], ModelOptions> = {
  mlp: { inputShape: [6, 1, 1], numClasses: 3, depth: 5, hidden: 12, seed: 4 },
  resnet20: { width: 0.25, inputShape: [3, 8, 8], numClasses: 3, seed: 3 },
};

/** Build the pipeline configuration the options describe. */
export default function build(options: RecipeOptions): PipelineConfig {
  const units = createModel(options.model, MODELS[options.model]).pipelineUnits();
  // PipeMare with a short warm-up, so its learning-rate factor changes within a test.
  const named = options.method === 'pipemare' ? { ...methodFor('pb', pipemareMitigation({ warmupSamples: 20 })), name: 'pipemare' } : resolveMethod(options.method);
  const method = options.forwardsLast ? withForwardsLast(named) : named;
  const failAt = options.failAt;
  const last = units[units.length - 1];
  const failing =
    failAt === undefined
      ? units
      : [
          ...units.slice(0, -1),
          {
            ...last,
            forward: (bundle: Tensor[]): Tensor[] => {
              if (seen.count++ === failAt) throw new Error(`layer ${last.name}: cannot run sample ${failAt} (test failure)`);
              return last.forward(bundle);
            },
          },
        ];
  const seen = { count: 0 };
  return {
    units: failing,
    method,
    optimizer: sgdForMethod(method, { lr: options.lr ?? 0.05, momentum: 0.9 }),
    recordVersions: true,
    ...(method.schedule.flushes ? { microBatches: options.microBatches ?? 3 } : {}),
  };
}
