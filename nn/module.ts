/**
 * The module: a layer or a network, and the named state it owns.
 *
 * A module owns three kinds of named things, each remembered in registration order:
 * - **parameters** — trainable tensors (`weight`, `bias`), marked `requiresGrad`;
 * - **buffers** — non-trainable state that still belongs in a checkpoint
 *   (BatchNorm's running statistics);
 * - **children** — sub-modules, which give the dotted paths: the parameter `weight` of
 *   the child `conv2` of the child `1` of the child `layer3` is `layer3.1.conv2.weight`.
 *
 * Each registered thing is also a property of the module (`this.weight`), which is
 * where `forward` reads it. **Weights are rebound, never written in place**
 * (DESIGN §3): {@link Module.setParameter} makes the property point at a new tensor and
 * leaves the old one untouched, so a pipeline can hold several weight versions of one
 * layer at once and hand a forward the version it must use.
 *
 * @example
 * class Scale extends Module {
 *   factor: Tensor;
 *   constructor(features: number) {
 *     super();
 *     this.factor = this.registerParameter('factor', ones([features]));
 *   }
 *   forward(x: Tensor): Tensor {
 *     return mul(x, this.factor);
 *   }
 * }
 *
 * @module
 */
import { cast, fmtShape, keep, type Tensor } from '../core/index.js';

/** Options of {@link Module.loadStateDict}. */
export interface LoadStateDictOptions {
  /**
   * When true (the default), every entry of the model must be in the state and every
   * entry of the state must be in the model. Mis-shaped entries are an error either way.
   */
  strict?: boolean;
}

/** What {@link Module.loadStateDict} did not match (both empty after a strict load). */
export interface LoadStateDictResult {
  /** Model entries the state had no value for (left as they were). */
  missing: string[];
  /** State entries the model has no place for (ignored). */
  unexpected: string[];
}

/** A module's own properties, seen as a record so registered names can be read and written. */
type Slots = Record<string, unknown>;

/** A layer or a network: named parameters, buffers and children, and a forward pass. */
export abstract class Module {
  /** Whether the module is in training mode (dropout active, BatchNorm using batch statistics). */
  training = true;
  readonly #parameterNames: string[] = [];
  readonly #bufferNames: string[] = [];
  readonly #childNames: string[] = [];

  /** Compute the module's output from its input. */
  abstract forward(x: Tensor): Tensor;

  /**
   * Whether this module, when a network is cut into pipeline units, joins the unit of
   * the layer before it instead of starting its own (true for normalizations; see
   * `pipeline-unit.ts`). Override it in a custom layer that belongs with its
   * predecessor, such as a learnable activation.
   */
  get joinsPrecedingUnit(): boolean {
    return false;
  }

  /**
   * Register a trainable tensor under `name`: set `this[name]`, mark it `requiresGrad`
   * and name it. Returns the tensor, so a subclass can write
   * `this.weight = this.registerParameter('weight', w)`.
   *
   * @throws when the name is taken, is empty or contains a dot, or when `tensor` was
   *   computed by a recorded op (a parameter must be a leaf).
   */
  registerParameter(name: string, tensor: Tensor): Tensor {
    this.#claim(name, 'registerParameter');
    requireLeaf(tensor, `parameter '${name}'`, 'registerParameter');
    this.#parameterNames.push(name);
    this.#slots[name] = asParameter(tensor, name);
    return tensor;
  }

  /**
   * Register non-trainable state under `name` (it is saved in checkpoints and loaded
   * by {@link Module.loadStateDict}, but gets no gradient). Returns the tensor.
   */
  registerBuffer(name: string, tensor: Tensor): Tensor {
    this.#claim(name, 'registerBuffer');
    this.#bufferNames.push(name);
    tensor.name ??= name;
    this.#slots[name] = tensor;
    return tensor;
  }

  /** Register a child module under `name` and set `this[name]`. Returns the child. */
  registerModule<M extends Module>(name: string, module: M): M {
    if (!(module instanceof Module)) throw new Error(`registerModule: '${name}' is not a Module`);
    this.#claim(name, 'registerModule');
    this.#childNames.push(name);
    this.#slots[name] = module;
    return module;
  }

  /** The module's direct children, by name, in registration order. */
  namedChildren(): [string, Module][] {
    return this.#childNames.map((name) => [name, this.#slots[name] as Module]);
  }

  /**
   * This module (path `''`) and every module below it, by dotted path, parents before
   * their children.
   */
  namedModules(prefix = ''): [string, Module][] {
    const out: [string, Module][] = [[prefix, this]];
    for (const [name, child] of this.namedChildren()) out.push(...child.namedModules(joinPath(prefix, name)));
    return out;
  }

  /**
   * Every parameter by dotted path: a module's own parameters in registration order,
   * then each child's, recursively (PyTorch's order).
   */
  namedParameters(): [string, Tensor][] {
    return this.#collect('parameters');
  }

  /** The parameters in the order of {@link Module.namedParameters}. */
  parameters(): Tensor[] {
    return this.namedParameters().map(([, t]) => t);
  }

  /** Every buffer by dotted path, in the same order as the parameters. */
  namedBuffers(): [string, Tensor][] {
    return this.#collect('buffers');
  }

  /** Total number of parameter values (buffers not included). */
  parameterCount(): number {
    let n = 0;
    for (const p of this.parameters()) n += p.size;
    return n;
  }

  /**
   * Rebind the parameter at `path` (e.g. `layer3.1.conv2.weight`) to `tensor`. The old
   * tensor is not touched; the new one is marked `requiresGrad`.
   *
   * @throws when the path names no parameter, the shape differs (both shapes and the
   *   path are named), or `tensor` was computed by a recorded op (detach it, or compute
   *   it under `noGrad`, so the new weight is a leaf).
   */
  setParameter(path: string, tensor: Tensor): void {
    const [owner, name] = this.#resolve(path, 'setParameter', 'parameters');
    owner.#rebind(name, tensor, path, 'setParameter');
    owner.#slots[name] = asParameter(tensor, name);
  }

  /**
   * Rebind the buffer at `path` to `tensor` (same checks as {@link Module.setParameter}).
   * A buffer outlives the step that computed it, so inside a device scope `tensor` is
   * kept (downloaded when the scope closes rather than released).
   */
  setBuffer(path: string, tensor: Tensor): void {
    const [owner, name] = this.#resolve(path, 'setBuffer', 'buffers');
    owner.#rebind(name, tensor, path, 'setBuffer');
    keep(tensor);
    tensor.name ??= name;
    owner.#slots[name] = tensor;
  }

  /** Set training mode on this module and every module below it; returns `this`. */
  train(mode = true): this {
    for (const [, m] of this.namedModules()) m.training = mode;
    return this;
  }

  /** Set evaluation mode (`train(false)`); returns `this`. */
  eval(): this {
    return this.train(false);
  }

  /** Forget the accumulated gradients of every parameter (`.grad = null`). */
  zeroGrad(): void {
    for (const p of this.parameters()) p.grad = null;
  }

  /**
   * Everything a checkpoint holds, by dotted path: per module its parameters, then its
   * buffers, then its children's entries. The tensors are the live ones, not copies.
   */
  stateDict(): Map<string, Tensor> {
    const out = new Map<string, Tensor>();
    for (const [prefix, m] of this.namedModules()) {
      for (const name of [...m.#parameterNames, ...m.#bufferNames]) out.set(joinPath(prefix, name), m.#slots[name] as Tensor);
    }
    return out;
  }

  /**
   * Load a state by rebinding each entry to a copy of the given tensor (converted to
   * the dtype the model holds). Nothing is loaded when anything is wrong.
   *
   * @throws one error that lists every mis-shaped entry and, when `strict`, every
   *   missing and every unexpected entry.
   * @returns the names that were missing or unexpected (empty after a strict load).
   */
  loadStateDict(state: ReadonlyMap<string, Tensor>, options: LoadStateDictOptions = {}): LoadStateDictResult {
    const strict = options.strict ?? true;
    const own = this.stateDict();
    const missing = [...own.keys()].filter((name) => !state.has(name));
    const unexpected = [...state.keys()].filter((name) => !own.has(name));
    const misshaped: string[] = [];
    for (const [name, current] of own) {
      const given = state.get(name);
      if (given !== undefined && !sameShape(current.shape, given.shape)) {
        misshaped.push(`${name} is ${fmtShape(given.shape)} in the state but ${fmtShape(current.shape)} in the model`);
      }
    }
    const problems: string[] = [];
    if (misshaped.length > 0) problems.push(`${misshaped.length} mis-shaped: ${misshaped.join(', ')}`);
    if (strict && missing.length > 0) problems.push(`${missing.length} missing (in the model, not in the state): ${missing.join(', ')}`);
    if (strict && unexpected.length > 0) problems.push(`${unexpected.length} unexpected (in the state, not in the model): ${unexpected.join(', ')}`);
    if (problems.length > 0) throw new Error(`loadStateDict: ${problems.join('; ')}`);

    const parameterPaths = new Set(this.namedParameters().map(([name]) => name));
    for (const [name, current] of own) {
      const given = state.get(name);
      if (given === undefined) continue;
      const copy = cast(given, current.dtype);
      if (parameterPaths.has(name)) this.setParameter(name, copy);
      else this.setBuffer(name, copy);
    }
    return { missing, unexpected };
  }

  get #slots(): Slots {
    return this as unknown as Slots;
  }

  /** Check that `name` can be registered: a non-empty, dot-free name not used yet. */
  #claim(name: string, op: string): void {
    if (typeof name !== 'string' || name === '' || name.includes('.')) {
      throw new Error(`${op}: '${name}' is not a valid name (it must be non-empty and contain no '.')`);
    }
    const registered = [...this.#parameterNames, ...this.#bufferNames, ...this.#childNames];
    // A subclass's declared field exists (undefined, or null for an optional one) before it is registered.
    if (registered.includes(name) || (name in this && this.#slots[name] != null)) {
      throw new Error(`${op}: the name '${name}' is already used on ${this.constructor.name}`);
    }
  }

  /** Find the module that owns the parameter or buffer at `path`, and its local name. */
  #resolve(path: string, op: string, kind: 'parameters' | 'buffers'): [Module, string] {
    const parts = path.split('.');
    const name = parts.pop()!;
    let owner: Module = this;
    for (let i = 0; i < parts.length; i++) {
      if (!owner.#childNames.includes(parts[i])) {
        const where = i === 0 ? 'the model' : `'${parts.slice(0, i).join('.')}'`;
        throw new Error(`${op}: no module '${parts[i]}' in ${where} (path '${path}'); children: ${owner.#childNames.join(', ') || 'none'}`);
      }
      owner = owner.#slots[parts[i]] as Module;
    }
    const names = kind === 'parameters' ? owner.#parameterNames : owner.#bufferNames;
    if (!names.includes(name)) {
      throw new Error(`${op}: no ${kind === 'parameters' ? 'parameter' : 'buffer'} '${path}'; ${owner.constructor.name} has ${kind}: ${names.join(', ') || 'none'}`);
    }
    return [owner, name];
  }

  /** Check a replacement tensor for the registered `name`. */
  #rebind(name: string, tensor: Tensor, path: string, op: string): void {
    const current = this.#slots[name] as Tensor;
    if (!sameShape(current.shape, tensor.shape)) {
      throw new Error(`${op}: '${path}' has shape ${fmtShape(current.shape)}, the new tensor has shape ${fmtShape(tensor.shape)}`);
    }
    requireLeaf(tensor, `the new tensor for '${path}'`, op);
  }

  #collect(kind: 'parameters' | 'buffers'): [string, Tensor][] {
    const out: [string, Tensor][] = [];
    for (const [prefix, m] of this.namedModules()) {
      const names = kind === 'parameters' ? m.#parameterNames : m.#bufferNames;
      for (const name of names) out.push([joinPath(prefix, name), m.#slots[name] as Tensor]);
    }
    return out;
  }
}

/** Join a dotted prefix and a name (`''` + `fc` is `fc`; `layer1` + `0` is `layer1.0`). */
export function joinPath(prefix: string, name: string): string {
  return prefix === '' ? name : `${prefix}.${name}`;
}

/** A parameter must be a leaf: a tensor made by a recorded op would carry its graph along. */
function requireLeaf(tensor: Tensor, what: string, op: string): void {
  if (tensor.node !== null) {
    throw new Error(`${op}: ${what} was computed by the recorded op '${tensor.node.op}'; detach() it or compute it under noGrad so it is a leaf`);
  }
}

function asParameter(tensor: Tensor, name: string): Tensor {
  tensor.requireGrad();
  tensor.name ??= name;
  return tensor;
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
