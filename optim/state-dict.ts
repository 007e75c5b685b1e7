/**
 * Optimizer state as flat named tensors, for checkpoints.
 *
 * A transform's state is a tree built from {@link Params} maps, tensors, tuples (a
 * chain's states), plain objects and `undefined` (no state). Flattening joins the path
 * with dots; a tuple entry is named `chain.i`:
 *
 * ```
 * chain(addWeightDecay(λ), momentum(m), scaleByLearningRate(η)) state
 *   [undefined, { velocity: Map { 'layer1.weight' → v } }, undefined]
 * flattened
 *   'chain.1.velocity.layer1.weight' → v
 * ```
 *
 * Restoring walks a template (a fresh `init(params)`) and takes each tensor from the
 * flat map by the same name, so the dots inside parameter names never need parsing.
 *
 * @module
 */
import { fmtShape, Tensor } from '../core/index.js';

/**
 * The tensors of a state tree by dotted path (see the module comment).
 *
 * @throws when the state holds something other than tensors, maps, arrays, plain objects or `undefined`.
 */
export function flattenState(state: unknown): Map<string, Tensor> {
  const out = new Map<string, Tensor>();
  walk(state, '', (path, t) => {
    out.set(path, t);
    return t;
  });
  return out;
}

/**
 * A state shaped like `template` whose tensors are taken from `flat` by path.
 *
 * @throws when an entry is missing, left over, or has another shape than the template's.
 */
export function restoreState<S>(template: S, flat: Map<string, Tensor>): S {
  const used = new Set<string>();
  const restored = walk(template, '', (path, t) => {
    const found = flat.get(path);
    if (found === undefined) throw new Error(`loadStateDict: missing state entry '${path}'`);
    const a = found.view.shape;
    const b = t.view.shape;
    if (a.length !== b.length || a.some((d, i) => d !== b[i])) {
      throw new Error(`loadStateDict: state entry '${path}' has shape ${fmtShape(a)} but the optimizer expects ${fmtShape(b)}`);
    }
    used.add(path);
    return found;
  });
  for (const path of flat.keys()) if (!used.has(path)) throw new Error(`loadStateDict: unexpected state entry '${path}'`);
  return restored as S;
}

/** Visit every tensor of a state tree; rebuild the tree with what `visit` returns. */
function walk(node: unknown, path: string, visit: (path: string, t: Tensor) => Tensor): unknown {
  const at = (name: string | number): string => (path === '' ? `${name}` : `${path}.${name}`);
  if (node === undefined || node === null) return node;
  if (node instanceof Tensor) return visit(path, node);
  if (node instanceof Map) {
    const out = new Map<unknown, unknown>();
    for (const [k, v] of node) out.set(k, walk(v, at(String(k)), visit));
    return out;
  }
  if (Array.isArray(node)) return node.map((v, i) => walk(v, at(`chain.${i}`), visit));
  if (Object.getPrototypeOf(node) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) out[k] = walk(v, at(k), visit);
    return out;
  }
  const kind = typeof node === 'object' ? (node.constructor?.name ?? 'object') : typeof node;
  throw new Error(`stateDict: state at '${path}' is a ${kind}; transform state holds only tensors, maps, arrays and plain objects (take counters from the update context)`);
}
