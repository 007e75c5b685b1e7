/**
 * Pipeline units: a network cut into the pieces that fine-grained Pipelined
 * Backpropagation runs as stages (DESIGN §5).
 *
 * A unit maps a **bundle** of tensors to a bundle. Running a model's units in order,
 * starting from the bundle `[x]`, computes exactly `model.forward(x)` — the same ops
 * on the same tensors in the same order, so the result is bit-identical. Each unit's
 * `module` owns exactly the unit's parameters, under their full model paths:
 *
 * ```
 *  [x] ─► conv1 ─► [h] ─► layer1.0:1 ─► [h, skip] ─► layer1.0:2 ─► [h] ─► … ─► fc ─► [logits]
 *         conv+norm+relu   conv1+norm1+relu           conv2+norm2, + shortcut(skip), relu
 * ```
 *
 * The default cut, made by {@link unitsOfChildren}: every layer that owns parameters
 * (a convolution, a linear layer, a custom layer) starts a unit; what follows it —
 * normalizations, activations, pooling — joins that unit; parameter-free modules
 * before the first such layer, or right after a residual block, join the following
 * unit; a trailing parameter-free head joins the last unit. A module that knows how
 * to split itself (a residual block, a nested `Sequential`) implements
 * {@link Splittable}: a residual block is cut across units and its skip tensor travels
 * in the bundle (`[x] → [h, x] → [out]`).
 *
 * @module
 */
import type { Tensor } from '../core/index.js';
import { joinPath, Module } from './module.js';

/** One piece of a network run as one pipeline stage. */
export interface PipelineUnit {
  /** A label, e.g. `conv1`, `features.3`, or `layer2.0:1` for the first unit of a residual block. */
  readonly name: string;
  /**
   * A module that owns exactly this unit's parameters and buffers, under their full
   * model paths: its `namedParameters()` are the unit's share of the model's, so
   * `unit.module.setParameter('layer1.0.conv1.weight', w)` rebinds the model's weight.
   */
  readonly module: Module;
  /** The full model paths of the unit's parameters, in the order of `module.namedParameters()`. */
  readonly parameterNames: readonly string[];
  /** The model's modules this unit runs, by model path, in order. */
  readonly members: readonly (readonly [string, Module])[];
  /** How many tensors the input bundle holds (1, or 2 when a skip tensor travels along). */
  readonly bundleSize: number;
  /** Map the input bundle to the output bundle. */
  forward(bundle: Tensor[]): Tensor[];
}

/** A module that can cut itself into pipeline units. */
export interface Splittable {
  /**
   * The module's units, in order; `prefix` is the module's own path in the model
   * (default `''`, for the model itself), used to name parameters and units.
   */
  pipelineUnits(prefix?: string): PipelineUnit[];
}

/** A network: a module that can be cut into pipeline units. What the model factory returns. */
export type Model = Module & Splittable;

/** Whether `m` implements {@link Splittable}. */
export function isSplittable(m: Module): m is Module & Splittable {
  return typeof (m as Partial<Splittable>).pipelineUnits === 'function';
}

/**
 * A module that only groups others under a name, so that a unit's module can mirror
 * the model's paths (`layer1` → `0` → `conv1`). It has no forward of its own.
 */
export class ModuleGroup extends Module {
  /** @throws always: a group only names its children. */
  forward(): Tensor {
    throw new Error('ModuleGroup: a group only names its children (to mirror model paths); it has no forward');
  }
}

/** The module of a {@link PipelineUnit}: the unit's members, mounted at their model paths. */
export class UnitModule extends Module {
  readonly #unitName: string;
  readonly #run: (bundle: Tensor[]) => Tensor[];

  constructor(name: string, members: readonly (readonly [string, Module])[], run: (bundle: Tensor[]) => Tensor[]) {
    super();
    this.#unitName = name;
    this.#run = run;
    for (const [path, module] of members) mount(this, path, module);
  }

  /** Run the unit on the bundle `[x]`; the unit must return a single tensor. */
  forward(x: Tensor): Tensor {
    const out = this.#run([x]);
    if (out.length !== 1) throw new Error(`unit '${this.#unitName}': forward(x) needs a one-tensor result, the unit returns ${out.length}; call the unit's forward(bundle)`);
    return out[0];
  }
}

/** Register `module` under the dotted `path` of `root`, creating groups for the path's parents. */
function mount(root: Module, path: string, module: Module): void {
  const parts = path.split('.');
  const last = parts.pop()!;
  let node = root;
  for (const part of parts) {
    const existing = node.namedChildren().find(([name]) => name === part)?.[1];
    node = existing ?? node.registerModule(part, new ModuleGroup());
  }
  node.registerModule(last, module);
}

/**
 * Make a unit from its members and its bundle function.
 *
 * @param name the unit's label
 * @param members the model modules it runs, by model path (their parameters are the unit's)
 * @param bundleSize how many tensors `run` expects
 * @param run the unit's computation
 */
export function makeUnit(
  name: string,
  members: readonly (readonly [string, Module])[],
  bundleSize: number,
  run: (bundle: Tensor[]) => Tensor[],
): PipelineUnit {
  const forward = (bundle: Tensor[]): Tensor[] => {
    if (bundle.length !== bundleSize) {
      throw new Error(`unit '${name}': expects a bundle of ${bundleSize} tensor(s), got ${bundle.length}`);
    }
    return run(bundle);
  };
  const module = new UnitModule(name, members, forward);
  return { name, module, parameterNames: module.namedParameters().map(([n]) => n), members, bundleSize, forward };
}

/** A unit that runs `members` one after another on a one-tensor bundle. */
export function chainUnit(members: readonly (readonly [string, Module])[]): PipelineUnit {
  const named = members.find(([, m]) => m.parameters().length > 0) ?? members[0];
  return makeUnit(named[0], members, 1, ([x]) => [chain(members, x)]);
}

/** `unit` with parameter-free (or following) modules run before and after it. */
export function extendUnit(
  unit: PipelineUnit,
  before: readonly (readonly [string, Module])[],
  after: readonly (readonly [string, Module])[],
): PipelineUnit {
  if (before.length > 0 && unit.bundleSize !== 1) {
    throw new Error(`extendUnit: cannot run modules before unit '${unit.name}', whose bundle holds ${unit.bundleSize} tensors`);
  }
  return makeUnit(unit.name, [...before, ...unit.members, ...after], unit.bundleSize, (bundle) => {
    const input = before.length > 0 ? [chain(before, bundle[0])] : bundle;
    const out = unit.forward(input);
    if (after.length === 0) return out;
    if (out.length !== 1) throw new Error(`unit '${unit.name}': cannot run ${after[0][0]} after it: it returns ${out.length} tensors`);
    return [chain(after, out[0])];
  });
}

function chain(members: readonly (readonly [string, Module])[], x: Tensor): Tensor {
  let h = x;
  for (const [, m] of members) h = m.forward(h);
  return h;
}

/**
 * Cut a sequence of child modules (run one after another by their parent) into units
 * by the default rule described at the top of this file.
 *
 * @param prefix the parent's path in the model
 * @param children the parent's children, by name, in the order its forward runs them
 */
export function unitsOfChildren(prefix: string, children: readonly (readonly [string, Module])[]): PipelineUnit[] {
  const units: PipelineUnit[] = [];
  let open: [string, Module][] | null = null;
  let pending: [string, Module][] = [];
  const close = (): void => {
    if (open !== null) units.push(chainUnit(open));
    open = null;
  };
  for (const [name, child] of children) {
    const entry: [string, Module] = [joinPath(prefix, name), child];
    const ownsParameters = child.parameters().length > 0;
    if (isSplittable(child)) {
      close();
      const inner = child.pipelineUnits(entry[0]);
      if (inner.length === 0) {
        pending.push(entry);
        continue;
      }
      if (pending.length > 0) inner[0] = extendUnit(inner[0], pending, []);
      pending = [];
      units.push(...inner);
    } else if (ownsParameters && !child.joinsPrecedingUnit) {
      close();
      open = [...pending, entry];
      pending = [];
    } else if (open !== null) {
      open.push(entry);
    } else if (ownsParameters && units.length > 0) {
      units[units.length - 1] = extendUnit(units[units.length - 1], [], [entry]);
    } else {
      pending.push(entry);
    }
  }
  close();
  if (pending.length > 0) {
    if (units.length > 0) units[units.length - 1] = extendUnit(units[units.length - 1], [], pending);
    else units.push(chainUnit(pending));
  }
  return units;
}

/**
 * Run `units` in order from the bundle `[x]` and return the single tensor of the
 * last bundle — `model.forward(x)`, computed unit by unit.
 */
export function runUnits(units: readonly PipelineUnit[], x: Tensor): Tensor {
  let bundle = [x];
  for (const unit of units) bundle = unit.forward(bundle);
  if (bundle.length !== 1) throw new Error(`runUnits: the last unit returned ${bundle.length} tensors, expected 1`);
  return bundle[0];
}
