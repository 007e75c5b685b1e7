/**
 * The parameter-free "option A" shortcut of the CIFAR ResNets (He et al., 2016, §4.2).
 *
 * Where a block changes the shape — stride 2 and twice the channels — the identity
 * shortcut subsamples the input (`x[:, :, ::2, ::2]`) and pads the new channels with
 * zeros, half before and half after the old ones. Subsampling is a 1×1 max pool with
 * the block's stride, which picks exactly every `stride`-th pixel (and sends the
 * gradient back to it).
 *
 * @module
 */
import { maxPool2d, pad, type Tensor } from '../../core/index.js';
import { Module } from '../module.js';

/** `[N, in, H, W] → [N, out, ⌈H/s⌉, ⌈W/s⌉]`: subsample by the stride, zero-pad the channels. */
export class ZeroPadShortcut extends Module {
  /** Channels in. */
  readonly inChannels: number;
  /** Channels out (at least `inChannels`). */
  readonly outChannels: number;
  /** The subsampling stride. */
  readonly stride: number;

  constructor(inChannels: number, outChannels: number, stride: number) {
    super();
    if (outChannels < inChannels) throw new Error(`ZeroPadShortcut: cannot shrink ${inChannels} channels to ${outChannels} without parameters`);
    this.inChannels = inChannels;
    this.outChannels = outChannels;
    this.stride = stride;
  }

  /** Subsample, then pad channels with zeros. */
  forward(x: Tensor): Tensor {
    const sub = this.stride === 1 ? x : maxPool2d(x, { kernelSize: 1, stride: this.stride });
    const extra = this.outChannels - this.inChannels;
    if (extra === 0) return sub;
    const before = Math.floor(extra / 2);
    return pad(sub, [[0, 0], [before, extra - before]]);
  }
}
