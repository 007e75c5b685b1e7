/**
 * Grad mode: whether applying an op records a tape node, and the counter that numbers
 * the nodes in execution order.
 *
 * This state has its own module so that everything that reads it — the op registry
 * (which records nodes), autodiff (which turns recording off while it runs the VJPs)
 * and the weight-substitution replay — can import it without importing one another.
 *
 * @module
 */

let gradEnabled = true;
let nodeCounter = 0;

/** Whether ops currently record tape nodes. */
export function isGradEnabled(): boolean {
  return gradEnabled;
}

/** The next node id: ids grow with execution order, so sorting nodes by id gives the flat tape. */
export function nextNodeId(): number {
  return nodeCounter++;
}

/**
 * Run `fn` with tape recording off (for evaluation, optimizer updates and VJPs
 * themselves) and return its result.
 *
 * @example
 * const logits = noGrad(() => model.forward(x)); // no tape, no gradient
 */
export function noGrad<T>(fn: () => T): T {
  const previous = gradEnabled;
  gradEnabled = false;
  try {
    return fn();
  } finally {
    gradEnabled = previous;
  }
}
