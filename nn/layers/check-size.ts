/**
 * Argument checking shared by the layer constructors.
 *
 * @module
 */
import type { Size2 } from '../../core/index.js';

/**
 * Throw unless `value` is a positive integer, naming the layer and the argument.
 *
 * @example
 * checkSize('Linear', 'inFeatures', 0); // throws "Linear: inFeatures must be a positive integer, got 0"
 */
export function checkSize(layer: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${layer}: ${what} must be a positive integer, got ${value}`);
}

/**
 * Throw unless a window setting — a number for both spatial axes, or `[height, width]`
 * — is integers of at least `min` (1 for a kernel, stride or dilation; 0 for padding).
 * `undefined` (the default) passes.
 *
 * @example
 * checkSize2('MaxPool2d', 'stride', [2, 0], 1); // throws "MaxPool2d: stride must be a positive integer or [height, width] of them, got [2,0]"
 */
export function checkSize2(layer: string, what: string, value: Size2 | undefined, min: 0 | 1): void {
  if (value === undefined) return;
  const sizes: readonly unknown[] = typeof value === 'number' ? [value] : Array.isArray(value) && value.length === 2 ? value : [NaN];
  if (sizes.every((d) => Number.isInteger(d) && (d as number) >= min)) return;
  const kind = min === 1 ? 'a positive integer' : 'a non-negative integer';
  throw new Error(`${layer}: ${what} must be ${kind} or [height, width] of them, got ${JSON.stringify(value)}`);
}
