/**
 * Checks every backend makes before running a convolution or pooling window: the
 * geometry is self-consistent and the buffers hold the images it describes.
 *
 * @module
 */
import type { Conv2dGeometry } from './backend.js';

/**
 * Check that a geometry's output size is the one its input, kernel, stride, padding and
 * dilation give: `floor((H + 2p − d(k − 1) − 1) / s) + 1` on each axis.
 *
 * @throws naming `kernel` (e.g. `cpu.im2col`) and both sizes.
 */
export function checkGeometry(kernel: string, g: Conv2dGeometry): void {
  const expectH = Math.floor((g.height + 2 * g.padH - g.dilationH * (g.kernelH - 1) - 1) / g.strideH) + 1;
  const expectW = Math.floor((g.width + 2 * g.padW - g.dilationW * (g.kernelW - 1) - 1) / g.strideW) + 1;
  if (g.outH !== expectH || g.outW !== expectW) {
    throw new Error(
      `${kernel}: geometry says output ${g.outH}×${g.outW} but input ${g.height}×${g.width}, kernel ${g.kernelH}×${g.kernelW}, ` +
        `stride ${g.strideH},${g.strideW}, padding ${g.padH},${g.padW}, dilation ${g.dilationH},${g.dilationW} give ${expectH}×${expectW}`,
    );
  }
}

/**
 * Check that `data` holds `n` images of `perImage` elements.
 *
 * @throws naming `kernel` and the counts.
 */
export function checkPoolInput(kernel: string, what: string, data: { readonly length: number }, n: number, perImage: number): void {
  if (data.length !== n * perImage) throw new Error(`${kernel}: ${what} has ${data.length} elements, expected ${n} images of ${perImage}`);
}
