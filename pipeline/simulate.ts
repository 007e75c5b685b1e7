/**
 * The cross-check of DESIGN §5: the equivalent sequential simulation.
 *
 * For each sample `j` in turn: forward through every stage `s` with the weights the
 * mitigation derives from version `max(0, j − D_s)`, then backward from stage S down to
 * stage 1, each backward followed by the stage's update. No ticks, no interleaving —
 * only the weight versions of the schedule. It drives the pipeline's own
 * {@link Pipeline.execute}, so what it checks is the tick engine's ordering: a test
 * holds the two bit for bit equal.
 *
 * It applies to every schedule whose stream gives exactly those versions — the forward
 * of sample `j` at stage `s` on version `max(0, j − D_s)`, its backward on version `j`
 * (one update per sample, in sample order): `pb` and `sequential` among the built-in
 * ones, and user-written schedules that keep that rule. The versions are read off the
 * schedule's stream (`accountSchedule`), not assumed from its name.
 *
 * @module
 */
import { accountSchedule } from './accounting.js';
import type { Example, Pipeline, SampleResult } from './engine.js';
import type { StageSnapshot } from './stage.js';

/**
 * Train `pipe` on `samples` samples in the sequential order above.
 *
 * @example
 * simulate(pipe, 200, (j) => data[j]); // the same weights as pipe.run(200, …) on a fresh pipeline
 * @throws when the schedule's stream gives other versions than the simulation's, naming
 * the first (stage, sample) that differs.
 */
export function simulate(pipe: Pipeline, samples: number, data: (j: number) => Example, onSample?: (r: SampleResult) => void): void {
  const account = accountSchedule(pipe.schedule(samples));
  for (const stage of account.perStage) {
    const D = pipe.stages[stage.stage - 1].delay;
    for (let j = 0; j < samples; j++) {
      const expected = [Math.max(0, j - D), j];
      const actual = [stage.forwardVersion[j], stage.backwardVersion[j]];
      if (actual[0] !== expected[0] || actual[1] !== expected[1]) {
        throw new Error(
          `simulate: schedule '${account.name}' is not the sequential simulation's: at stage ${stage.stage} sample ${j} ` +
            `uses versions ${actual.join('/')} (forward/backward), the simulation ${expected.join('/')}`,
        );
      }
    }
  }
  pipe.begin(data, onSample);
  const S = pipe.stages.length;
  // history[s − 1]: the stage's last D_s + 1 snapshots, one per version.
  const history: StageSnapshot[][] = pipe.stages.map((stage) => [stage.snapshot()]);
  for (let j = 0; j < samples; j++) {
    for (let s = 1; s <= S; s++) {
      const version = Math.max(0, j - pipe.stages[s - 1].delay);
      const at = history[s - 1].find((h) => h.version === version);
      if (!at) throw new Error(`simulate: version ${version} of stage ${s} is not in the history`);
      pipe.execute({ kind: 'F', stage: s, sample: j }, at);
    }
    for (let s = S; s >= 1; s--) {
      pipe.execute({ kind: 'B', stage: s, sample: j });
      pipe.execute({ kind: 'U', stage: s, sample: j });
      const stage = pipe.stages[s - 1];
      const hist = history[s - 1];
      hist.push(stage.snapshot());
      while (hist.length > stage.delay + 1) hist.shift();
    }
  }
  pipe.end();
}
