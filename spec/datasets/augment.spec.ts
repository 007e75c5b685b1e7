import test from 'tape';
import { Rng } from '../../core/random.js';
import { applyCropFlip, drawCropFlip } from '../../datasets/augment.js';
import { throwsLine } from './fixtures.js';

// One channel, 3×3:   1 2 3
//                     4 5 6
//                     7 8 9
const image = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
const shape = [1, 3, 3];

function apply(dy: number, dx: number, flip: boolean): number[] {
  const out = new Float32Array(9);
  applyCropFlip(image, out, shape, { dy, dx, flip });
  return Array.from(out);
}

test('applyCropFlip: a shift moves the image and uncovers zero padding', (t) => {
  t.deepEqual(apply(0, 0, false), [1, 2, 3, 4, 5, 6, 7, 8, 9], 'no shift, no flip: unchanged');
  t.deepEqual(apply(1, 0, false), [4, 5, 6, 7, 8, 9, 0, 0, 0], 'dy = 1: rows move up, zeros below');
  t.deepEqual(apply(0, -1, false), [0, 1, 2, 0, 4, 5, 0, 7, 8], 'dx = -1: columns move right, zeros on the left');
  t.deepEqual(apply(0, 0, true), [3, 2, 1, 6, 5, 4, 9, 8, 7], 'flip mirrors each row');
  t.deepEqual(apply(0, 1, true), [0, 3, 2, 0, 6, 5, 0, 9, 8], 'crop (dx = 1) then flip');
  t.end();
});

test('applyCropFlip: every channel gets the same transform', (t) => {
  const two = Float32Array.from([1, 2, 3, 4, 10, 20, 30, 40]);
  const out = new Float32Array(8);
  applyCropFlip(two, out, [2, 2, 2], { dy: 0, dx: 0, flip: true });
  t.deepEqual(Array.from(out), [2, 1, 4, 3, 20, 10, 40, 30], 'both channels mirrored');
  t.deepEqual(Array.from(two), [1, 2, 3, 4, 10, 20, 30, 40], 'the source is unchanged');
  t.end();
});

test('drawCropFlip: offsets cover -pad..pad and flips happen about half the time', (t) => {
  const rng = new Rng(1);
  const seen = new Set<number>();
  let flips = 0;
  for (let i = 0; i < 2000; i++) {
    const d = drawCropFlip(rng, { pad: 2 });
    seen.add(d.dy);
    seen.add(d.dx);
    if (d.flip) flips++;
  }
  t.deepEqual([...seen].sort((a, b) => a - b), [-2, -1, 0, 1, 2], 'every offset in -2..2 and nothing else');
  t.ok(Math.abs(flips / 2000 - 0.5) < 0.05, `flip rate ≈ ½ (received ${flips / 2000})`);
  t.notOk(drawCropFlip(new Rng(2), { pad: 0, flip: false }).flip, 'flip: false never flips');
  throwsLine(t, () => drawCropFlip(rng, { pad: -1 }), /^augment: pad must be an integer >= 0, got -1$/, 'negative pad');
  throwsLine(t, () => applyCropFlip(image, new Float32Array(9), [9], { dy: 0, dx: 0, flip: false }), /^augment: crop and flip need \[C, H, W\] samples, got sampleShape \[9\]$/, 'flat samples');
  t.end();
});
