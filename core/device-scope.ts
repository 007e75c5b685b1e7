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
 * @example
 * await useBackend('gpu:headlessgl');
 * const logits = deviceScope(() => model.forward(x)); // intermediates released, logits read back
 *
 * @module
 */
import { activeScope, runInScope, type ScopeState } from './storage.js';
import { Tensor } from './tensor.js';

/** A device scope that is entered with {@link DeviceScope.run} and closed explicitly. */
export class DeviceScope {
  readonly #state: ScopeState;

  /** @param label named in error messages about tensors this scope released */
  constructor(label = 'DeviceScope') {
    this.#state = { storages: new Set(), label, closed: false };
  }

  /** Run `fn` with this scope active: device arrays made meanwhile belong to it. */
  run<T>(fn: () => T): T {
    return runInScope(this.#state, fn);
  }

  /** Mark tensors to survive this scope's close (downloaded, or handed to the enclosing scope). Host tensors and nulls are ignored. */
  keep(...tensors: (Tensor | null | undefined)[]): void {
    for (const t of tensors) if (t) keep(t);
  }

  /**
   * Take over the device arrays of `tensors` from the open scopes that own them, so
   * they live until this scope closes instead (e.g. the gradient a stage hands to the
   * previous stage). Host tensors and nulls are ignored.
   */
  adopt(...tensors: (Tensor | null | undefined)[]): void {
    if (this.#state.closed) throw new Error(`${this.#state.label}: cannot adopt tensors into a closed scope`);
    for (const t of tensors) {
      const storage = t?.storage;
      if (!storage || !storage.onDevice || storage.owner === this.#state) continue;
      storage.owner?.storages.delete(storage);
      storage.owner = this.#state;
      this.#state.storages.add(storage);
    }
  }

  /** Device arrays this scope owns now. */
  get size(): number {
    return this.#state.storages.size;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#state.closed;
  }

  /**
   * Release every device array this scope owns, except kept ones, which move to the
   * scope running now (if any) or are downloaded. Closing twice is a no-op.
   */
  close(): void {
    closeScope(this.#state);
  }
}

function closeScope(state: ScopeState): void {
  if (state.closed) return;
  state.closed = true;
  const outer = activeScope();
  const heir = outer !== null && outer !== state && !outer.closed ? outer : null;
  const storages = [...state.storages];
  state.storages.clear();
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
        void storage.data;
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
 * Mark `t` to survive the close of the scope that owns its device array: it is
 * downloaded then, or handed to the enclosing scope. Returns `t`. A host tensor is
 * returned unchanged.
 */
export function keep<T extends Tensor>(t: T): T {
  if (t.storage.onDevice) t.storage.kept = true;
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
