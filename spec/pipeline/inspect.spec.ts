/**
 * `pipegrad inspect` prints each stage's delay as the schedule's stream has it: zero on
 * the sequential schedule, GPipe and 1F1B whatever the mitigation, `2(S − s)` on PB.
 */
import test from 'tape';
import { inspectCommand } from '../../cli/commands/inspect.js';

function inspect(...argv: string[]): { text: string; delays: number[]; total: number } {
  let text = '';
  const account = inspectCommand(['--model', 'smallcnn', ...argv], { write: (s) => void (text += s) });
  return { text, delays: account.rows.map((r) => r.delay), total: account.total.delay };
}

test('inspect: zero delays on sgd, gpipe and 1f1b (with or without SC and LWP), 2(S − s) on pb', (t) => {
  for (const method of ['sgd', 'gpipe', '1f1b']) {
    for (const mitigation of ['none', 'sc+lwp']) {
      const r = inspect('--method', method, '--mitigation', mitigation);
      t.deepEqual(r.delays, [0, 0, 0], `${method}, ${mitigation}: every stage's delay is 0`);
      t.match(r.text, /^total +7,018 +max 0 /m, `${method}, ${mitigation}: the total row says "max 0"`);
    }
  }
  const pb = inspect('--method', 'pb');
  t.deepEqual(pb.delays, [4, 2, 0], 'pb on smallcnn (3 stages): 4, 2, 0');
  t.match(pb.text, /^total +7,018 +max 4 /m, 'pb: the total row says "max 4"');
  t.end();
});
