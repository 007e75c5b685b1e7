/**
 * Keeping results on the device between kernels, and releasing them deterministically.
 *
 * On a backend with device memory (the gpu backend in headless-gl mode, whose arrays
 * are textures), ops run inside a device scope leave their results on the device: a
 * layer's matmul, bias and activation hand textures to one another and nothing is read
 * back until host code asks for values (`tensor.data`, `toArray()`, `item()`), which
 * downloads them. Outside any scope every result is read back at once, as on the CPU
 * backend, so code that never opens a scope behaves exactly as before.
 *
 * A scope owns every device array made while it runs. When it closes it releases them
 * all, except the tensors that escape: those returned from {@link deviceScope}, and
 * those marked with {@link keep} or {@link DeviceScope.keep}. An escaping tensor moves to
 * the enclosing scope if one is running, and is downloaded otherwise. So after the
 * outermost scope closes no device array is alive, and which arrays live when is
 * decided by the program's structure, never by the garbage collector.
 *
 * Two forms:
 * - {@link deviceScope}`(fn)` — a lexical scope around a function (an inference, or a
 *   whole training step: forward, loss, backward; gradients of leaves are kept
 *   automatically by `backward`, and module buffers by `Module.setBuffer`).
 * - {@link DeviceScope} — a scope object that can be entered several times and is
 *   closed explicitly; the pipeline engine opens one per (sample, stage) at the
 *   stage's forward and closes it after that sample's backward at the stage, since the
 *   activations a forward stores live until then.
 *
 * Reading a tensor whose device array its scope released is an error that says so.
 *
 * A scope made with `{ recycle: true }` does the same for host memory on any backend:
 * its kernels' result buffers come from this thread's pool
 * (`core/backend/buffer-pool.ts`), and at its close the buffers of the tensors it
 * releases go back to the pool for the next kernels, instead of to the garbage
 * collector. The same rules decide what survives (returned, kept, adopted); reading a
 * released tensor is the same error. The pipeline engine's scopes recycle, which is
 * what lets a stage reuse its activation and gradient buffers from sample to sample.
 *
 * @example
 * await useBackend('gpu:headlessgl');
 * const logits = deviceScope(() => model.forward(x)); // intermediates released, logits read back
 *
 * @module
 */
import { activeScope, runInScope, type ScopeState } from './storage.js';
import { Tensor } from './tensor.js';

/** How a {@link DeviceScope} treats host memory. */
export interface DeviceScopeOptions {
  /**
   * Lend the kernels that run in the scope their result buffers from this thread's
   * pool, and give the buffers of released tensors back at the close (default false).
   * Only for code that keeps or returns every tensor it uses after the close: a raw
   * buffer taken from a released tensor (`t.data`) before the close would be reused.
   */
  recycle?: boolean;
  /**
   * At the close, kept tensors become their own (downloaded, or their lent buffers
   * theirs) even when another scope is running then, instead of moving to that scope
   * (default false). For scopes whose lifetimes are not nested in the code around them:
   * the pipeline engine closes a sample's scope whenever its backward comes, which may
   * be inside a caller's scope that must not inherit the stage's weights.
   */
  standalone?: boolean;
}

/** A device scope that is entered with {@link DeviceScope.run} and closed explicitly. */
export class DeviceScope {
  readonly #state: ScopeState;

  /**
   * @param label named in error messages about tensors this scope released
   * @param options `recycle: true` makes the scope lend its kernels result buffers
   *   from this thread's pool and take back, at its close, those of the tensors it
   *   releases (see {@link DeviceScopeOptions})
   */
  constructor(label = 'DeviceScope', options: DeviceScopeOptions = {}) {
    this.#state = { storages: new Set(), label, closed: false, lent: options.recycle ? new Set() : null, standalone: options.standalone ?? false };
  }

  /** Run `fn` with this scope active: device arrays made meanwhile belong to it. */
  run<T>(fn: () => T): T {
    return runInScope(this.#state, fn);
  }

  /** Mark tensors to survive this scope's close (downloaded or made their own, or handed to the enclosing scope). Tensors the scope does not own and nulls are ignored. */
  keep(...tensors: (Tensor | null | undefined)[]): void {
    for (const t of tensors) if (t) keep(t);
  }

  /**
   * {@link DeviceScope.keep} every tensor in `value`: itself, or inside arrays, Maps,
   * Sets and plain objects at any depth (e.g. an optimizer's state after a step).
   */
  keepAll(value: unknown): void {
    const found: Tensor[] = [];
    tensorsIn(value, found, new Set());
    for (const t of found) keep(t);
  }

  /**
   * Take over the device arrays (or lent buffers) of `tensors` from the open scopes
   * that own them, so they live until this scope closes instead (e.g. the gradient a
   * stage hands to the previous stage). Tensors no scope owns and nulls are ignored.
   */
  adopt(...tensors: (Tensor | null | undefined)[]): void {
    if (this.#state.closed) throw new Error(`${this.#state.label}: cannot adopt tensors into a closed scope`);
    for (const t of tensors) {
      const storage = t?.storage;
      if (!storage || storage.owner === null || storage.owner === this.#state) continue;
      storage.owner.storages.delete(storage);
      storage.owner = this.#state;
      this.#state.storages.add(storage);
    }
  }

  /** Device arrays and lent buffers this scope owns now. */
  get size(): number {
    return this.#state.storages.size;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#state.closed;
  }

  /**
   * Release every device array and lent buffer this scope owns, except kept ones,
   * which move to the scope running now (if any) or are downloaded (a lent buffer
   * becomes its tensor's own). Closing twice is a no-op.
   */
  close(): void {
    closeScope(this.#state);
  }
}

function closeScope(state: ScopeState): void {
  if (state.closed) return;
  state.closed = true;
  const outer = activeScope();
  const heir = outer !== null && outer !== state && !outer.closed && !state.standalone ? outer : null;
  const storages = [...state.storages];
  state.storages.clear();
  // Buffers lent but never wrapped in a storage are left to the garbage collector.
  state.lent?.clear();
  let failure: unknown = null;
  for (const storage of storages) {
    try {
      if (!storage.kept) storage.release();
      else if (heir !== null) {
        // The enclosing scope decides afresh whether it escapes further.
        storage.kept = false;
        storage.owner = heir;
        heir.storages.add(storage);
      } else {
        storage.settle();
      }
    } catch (e) {
      // Keep releasing the rest: a failed download must not leak the other arrays.
      failure ??= e;
      storage.release();
    }
  }
  if (failure !== null) throw failure;
}

/**
 * Mark `t` to survive the close of the scope that owns its device array or lent
 * buffer: it is downloaded (or the buffer becomes its own) then, or handed to the
 * enclosing scope. Returns `t`. A tensor no scope owns is returned unchanged.
 */
export function keep<T extends Tensor>(t: T): T {
  if (t.storage.owner !== null) t.storage.kept = true;
  return t;
}

/** True while a device scope is running code (so ops may leave results on the device). */
export function isDeviceScopeActive(): boolean {
  return activeScope() !== null;
}

/** Every tensor in `value`: itself, or inside arrays, Maps, Sets and plain objects (any depth). */
function tensorsIn(value: unknown, found: Tensor[], seen: Set<unknown>): void {
  if (value === null || typeof value !== 'object' || seen.has(value)) return;
  seen.add(value);
  if (value instanceof Tensor) {
    found.push(value);
    return;
  }
  if (Array.isArray(value) || value instanceof Set) for (const v of value) tensorsIn(v, found, seen);
  else if (value instanceof Map) for (const [k, v] of value) (tensorsIn(k, found, seen), tensorsIn(v, found, seen));
  else if (Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) tensorsIn(v, found, seen);
}

/**
 * Run `fn` in a new device scope and close it: every device array made inside is
 * released, except those of the tensors `fn` returns (found inside arrays, Maps, Sets
 * and plain objects too) and those kept with {@link keep}, which are downloaded — or,
 * when this scope runs inside another, handed to that one. If `fn` throws, everything
 * is released and the error propagates.
 *
 * @example
 * const loss = deviceScope(() => {
 *   const l = crossEntropy(model.forward(x), labels);
 *   backward(l);            // parameter gradients are kept: they survive the scope
 *   return l;               // returned: downloaded at the close
 * });
 */
export function deviceScope<T>(fn: () => T): T {
  const scope = new DeviceScope('deviceScope');
  let result: T;
  try {
    result = scope.run(fn);
  } catch (e) {
    scope.close();
    throw e;
  }
  const escaping: Tensor[] = [];
  tensorsIn(result, escaping, new Set());
  for (const t of escaping) keep(t);
  scope.close();
  return result;
}
