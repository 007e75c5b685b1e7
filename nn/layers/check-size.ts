/**
 * Argument checking shared by the layer constructors.
 *
 * @module
 */

/**
 * Throw unless `value` is a positive integer, naming the layer and the argument.
 *
 * @example
 * checkSize('Linear', 'inFeatures', 0); // throws "Linear: inFeatures must be a positive integer, got 0"
 */
export function checkSize(layer: string, what: string, value: number): void {
  if (!Number.isInteger(value) || value < 1) throw new Error(`${layer}: ${what} must be a positive integer, got ${value}`);
}
