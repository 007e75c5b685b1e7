/**
 * Gradient transforms: the one interface every optimizer in pipegrad is built from.
 *
 * An optimizer is a chain of small transforms (as in optax). Each transform turns the
 * incoming per-parameter tensors `u` (at first the gradients `g`) into new ones, keeping
 * whatever state it needs between updates:
 *
 * ```
 * init(params)                          -> state
 * update(u, state, params, ctx)         -> { updates: u', state' }
 * w' = w + u_final                      (applyUpdates: updates are ADDED)
 * ```
 *
 * Transforms are functional. They never write into `params`, the incoming tensors or
 * the old state: in Pipelined Backpropagation those are weight versions that the
 * pipeline still uses (DESIGN §3). Each update allocates one fresh buffer per output
 * tensor. The built-in transforms compute it with `axpby` from core (`a·x + b·y`, in
 * float64 and rounded once, as a loop over the typed arrays would: the same bits on
 * every backend, and SIMD on the wasm backend); a transform may as well loop itself.
 *
 * Time reaches a transform only through {@link UpdateContext}: the step count, the
 * samples seen (learning-rate schedules are measured in samples) and, inside a pipeline,
 * the stage and its delay `D`. State therefore holds tensors only, which keeps
 * checkpoints simple (see `state-dict.ts`).
 *
 * @module
 */
import { axpby, fmtShape, Tensor } from '../core/index.js';
import { allocate } from '../core/tensor.js';
import type { Data } from '../core/index.js';
import { mapTensors } from './map-tensors.js';

/**
 * Named tensors: dotted parameter names (`layer1.weight`) to tensors. Parameters,
 * gradients and updates use the same names.
 */
export type Params = Map<string, Tensor>;

/** What a transform may know about the moment of the update it computes. */
export interface UpdateContext {
  /** Updates applied so far by this optimizer: 0 for the first update. */
  step: number;
  /** Training samples whose gradients were applied before this update (schedules are measured in samples). */
  samples: number;
  /** The pipeline stage (1..S) that owns these parameters, when inside a pipeline. */
  stage?: number;
  /**
   * The stage's delay `D`: the updates between a sample's forward and its update at the
   * stage, read from the schedule's own accounting (`2(S − s)` in fine-grained PB, 0 on
   * `sequential`, `gpipe` and `1f1b`; DESIGN §5). 0 when absent.
   */
  delay?: number;
}

/** What a transform's `update` returns. */
export interface TransformResult<S> {
  /** The transformed updates (the next transform's input; the last one's are added to the weights). */
  updates: Params;
  /** The transform's new state. */
  state: S;
}

/**
 * One step of an optimizer, optax style. `S` is the transform's state: a tree of
 * {@link Params} maps, tensors, arrays and plain objects (or `undefined` when the
 * transform keeps none).
 *
 * @example
 * // A transform that scales every update by a constant c: u' = c·u.
 * const scale = (c: number): GradientTransform<undefined> => ({
 *   init: () => undefined,
 *   update(grads, state, params) {
 *     checkGradients('scale', grads, params);
 *     const updates = mapTensors((g) => {
 *       const gd = g.data;
 *       const out = allocateLike(g);
 *       for (let i = 0; i < out.length; i++) out[i] = c * gd[i];
 *       return new Tensor(out, g.shape);
 *     }, grads);
 *     return { updates, state };
 *   },
 * });
 */
export interface GradientTransform<S = unknown> {
  /** The state before the first update, for these parameters. */
  init(params: Params): S;
  /**
   * Transform the incoming tensors. Must not mutate `grads`, `state` or `params`;
   * returns new updates (same names and shapes as `grads`) and the new state.
   */
  update(grads: Params, state: S, params: Params, ctx: UpdateContext): TransformResult<S>;
  /** The momentum buffer `v` held in `state`, for weight prediction (LWP, SpecTrain). */
  velocity?(state: S): Params | undefined;
  /** The learning rate `η` this transform scales by at `ctx`. */
  learningRate?(ctx: UpdateContext): number | undefined;
}

/**
 * New parameters `w' = w + u` for every `u` in `updates`; parameters without an update
 * are carried over as the same tensor. Each new tensor keeps the old one's `name` and
 * `requiresGrad`; the old tensors are never written to.
 *
 * @throws when an update names an unknown parameter or its shape differs from the parameter's.
 */
export function applyUpdates(params: Params, updates: Params): Params {
  checkNames('applyUpdates', 'update', updates, params, false);
  const moved = mapTensors((u, w) => {
    // w' = w + u
    const fresh = new Tensor(axpby(1, w, 1, u), w.shape).requireGrad(w.requiresGrad);
    fresh.name = w.name;
    return fresh;
  }, updates, params);
  return new Map([...params].map(([name, w]) => [name, moved.get(name) ?? w]));
}

/**
 * Check that `grads` holds exactly one tensor for each parameter, with the parameter's
 * shape. Every built-in transform calls this first, so a mistake is reported by the
 * transform that met it.
 *
 * @param who the transform's name, for the error message
 * @throws one line naming the parameter: unknown name, missing gradient or shape mismatch.
 */
export function checkGradients(who: string, grads: Params, params: Params): void {
  checkNames(who, 'gradient', grads, params, true);
}

/**
 * Check that every tensor of `given` names a parameter and has its shape; with
 * `complete`, also that no parameter is left out. `what` says what the tensors are
 * (`'gradient'`, `'update'`, …) in the one-line error.
 */
export function checkNames(who: string, what: string, given: Params, params: Params, complete: boolean): void {
  for (const [name, t] of given) {
    const w = params.get(name);
    if (w === undefined) throw new Error(`${who}: ${what} for unknown parameter '${name}'`);
    if (!sameShape(t.shape, w.shape)) {
      throw new Error(`${who}: ${what} for '${name}' has shape ${fmtShape(t.shape)} but the parameter has shape ${fmtShape(w.shape)}`);
    }
  }
  if (complete && given.size !== params.size) {
    for (const name of params.keys()) if (!given.has(name)) throw new Error(`${who}: no ${what} for parameter '${name}'`);
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** A zeroed buffer with the element type and size of `t`, for a transform's output. */
export function allocateLike(t: Tensor): Data {
  return allocate(t.dtype, t.size);
}

/** `c·u` for every tensor `u`, as new tensors with the same names: the loop shared by learning-rate scaling and clipping. */
export function scaleTensors(tensors: Params, c: number): Params {
  return mapTensors((u) => new Tensor(axpby(c, u, 0, null), u.shape), tensors);
}

/** Zero tensors named and shaped like `params`: the usual initial state of a buffer (`v₀ = 0`). */
export function zerosLike(params: Params): Params {
  return mapTensors((w) => new Tensor(allocateLike(w), w.shape), params);
}

/**
 * Check that `state` holds a tensor for every parameter of `grads`, with the one-line
 * error of {@link stateTensor} for the first that is missing. Transforms call it before
 * mapping over their state with {@link mapTensors}, so the error names the transform.
 *
 * @param who the transform's name, for the error message
 */
export function checkState(who: string, state: Params, grads: Params): void {
  for (const name of grads.keys()) stateTensor(who, state, name);
}

/**
 * The state tensor for parameter `name`, or a one-line error saying it is missing
 * (the state was made by `init` for other parameters).
 */
export function stateTensor(who: string, state: Params, name: string): Tensor {
  const t = state.get(name);
  if (t === undefined) throw new Error(`${who}: no state for parameter '${name}'; was init() called with these parameters?`);
  return t;
}
