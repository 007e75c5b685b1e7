/**
 * Progress output: a live line on a terminal, plain lines otherwise, JSON with --json.
 */
import test from 'tape';
import { reporter, reportMode } from '../../cli/report.js';
import type { Progress } from '../../training/index.js';

const progress = (samples: number): Progress => ({
  epoch: 1, epochs: 2, samples, samplesPerEpoch: 100, samplesPerSecond: 50, loss: 0.5, accuracy: 0.75, etaSeconds: 90,
});

test('the report mode follows the sink and --json', (t) => {
  t.equal(reportMode(false, { write: () => undefined, isTTY: true }), 'live', 'a terminal gets the live line');
  t.equal(reportMode(false, { write: () => undefined }), 'plain', 'a pipe gets plain lines');
  t.equal(reportMode(true, { write: () => undefined, isTTY: true }), 'json', '--json wins');
  t.end();
});

test('live progress rewrites one line; plain progress prints about every tenth of an epoch', (t) => {
  let live = '';
  const r1 = reporter('live', { write: (s) => void (live += s) });
  r1.progress!(progress(10));
  r1.progress!(progress(20));
  t.equal(live.split('\n').length, 1, 'no newline between live updates');
  t.ok(live.startsWith('\r\x1b[K') && live.includes('epoch 1/2  20/100 samples  50 samples/s  loss 0.5000  acc 75.00%  ETA 1m30s'), 'carriage return, clear, and the status');
  let plain = '';
  const r2 = reporter('plain', { write: (s) => void (plain += s) });
  for (let s = 1; s <= 100; s++) r2.progress!(progress(s));
  t.equal(plain.trim().split('\n').length, 11, 'one line per tenth of the epoch (0%..100%)');
  let json = '';
  const r3 = reporter('json', { write: (s) => void (json += s) }, 'pb');
  r3.progress!(progress(5));
  t.deepEqual(JSON.parse(json), { event: 'progress', run: 'pb', ...progress(5) }, 'JSON lines carry every field and the run label');
  t.end();
});
