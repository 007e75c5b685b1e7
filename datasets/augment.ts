/**
 * Data augmentation for `[C, H, W]` images: the standard CIFAR recipe of a random crop
 * from the image zero-padded by 4 pixels on every side, then a horizontal flip with
 * probability ½.
 *
 * ```
 * padded (H+2p)×(W+2p)        crop H×W at offset (oy, ox), oy, ox uniform in 0..2p
 * ┌───────────────┐
 * │ 0 0 0 0 0 0 0 │           out[c, y, x] = in[c, y + oy − p, x + ox − p]
 * │ 0 ┌───────┐ 0 │                          (0 outside the image)
 * │ 0 │ image │ 0 │           then, if flipped, x ↦ W − 1 − x
 * │ 0 └───────┘ 0 │
 * │ 0 0 0 0 0 0 0 │
 * └───────────────┘
 * ```
 *
 * Augmentation runs on raw pixels, before normalization, so the padding is black.
 *
 * @module
 */
import type { Rng } from '../core/random.js';

/** Options of the crop-and-flip augmentation. */
export interface AugmentOptions {
  /** Zero padding on each side before the random crop; 0 turns cropping off (default 4). */
  pad?: number;
  /** Whether to flip horizontally with probability ½ (default true). */
  flip?: boolean;
}

/** One drawn augmentation: the crop's shift relative to the unpadded image, and the flip. */
export interface CropFlip {
  /** Rows the image moves up (positive) or down (negative): `oy − pad`. */
  dy: number;
  /** Columns the image moves left (positive) or right (negative): `ox − pad`. */
  dx: number;
  /** Whether the result is mirrored left–right. */
  flip: boolean;
}

/** Throws a one-line error unless `opts.pad` is an integer >= 0. */
export function checkAugmentOptions(opts: AugmentOptions): void {
  const pad = opts.pad ?? 4;
  if (!Number.isInteger(pad) || pad < 0) throw new Error(`augment: pad must be an integer >= 0, got ${pad}`);
}

/** Draws one augmentation from `rng`: crop offsets uniform in `−pad .. pad`, flip with probability ½. */
export function drawCropFlip(rng: Rng, opts: AugmentOptions = {}): CropFlip {
  checkAugmentOptions(opts);
  const { pad = 4, flip = true } = opts;
  const dy = rng.int(2 * pad + 1) - pad;
  const dx = rng.int(2 * pad + 1) - pad;
  return { dy, dx, flip: flip && rng.uniform() < 0.5 };
}

/**
 * Writes into `out` the `[C, H, W]` image `src` shifted by `(dy, dx)` with zeros where
 * the shift uncovers the padding, mirrored left–right if `flip`. `src` is not changed;
 * `out` must be a different array of the same size.
 */
export function applyCropFlip(src: Float32Array, out: Float32Array, shape: readonly number[], t: CropFlip): void {
  if (shape.length !== 3) {
    throw new Error(`augment: crop and flip need [C, H, W] samples, got sampleShape [${shape.join(', ')}]`);
  }
  const [channels, height, width] = shape;
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < height; y++) {
      const sy = y + t.dy;
      const row = (c * height + y) * width;
      for (let x = 0; x < width; x++) {
        const sx = (t.flip ? width - 1 - x : x) + t.dx;
        const inside = sy >= 0 && sy < height && sx >= 0 && sx < width;
        out[row + x] = inside ? src[(c * height + sy) * width + sx] : 0;
      }
    }
  }
}
