/**
 * Where a tensor's elements live: a host buffer, or a backend's device array.
 *
 * A {@link Storage} holds one of the two, never both. A device array stays on the
 * device while kernels of the backend that made it consume it; the first time host
 * code asks for the values (`tensor.data`, `toArray`, `item`) it is downloaded and the
 * device memory is freed, and from then on the storage is a host buffer. Views of a
 * tensor (`transpose`, `slice`, `detach`, ...) share its storage, so a download through
 * one view serves them all.
 *
 * Device arrays are released deterministically by the {@link ScopeState | scope} that
 * was active when their kernel ran: at the scope's close each of its storages is
 * released, or, if it was kept, downloaded (or handed to the enclosing scope). A storage
 * whose device array was released without a download has no values left; reading it is
 * an error that says so. The public side of this is `core/device-scope.ts`.
 *
 * A *recycling* scope owns host buffers the same way: the kernels that run in it take
 * their result buffers from this thread's pool (`backend/buffer-pool.ts`), the storages
 * made over those buffers belong to the scope, and at its close the buffers of the
 * released ones go back to the pool. Kept ones stay the tensors' own.
 *
 * @module
 */
import type { Data, DeviceArray, DeviceKernels, DType } from './backend/backend.js';
import { giveBack, lendTo } from './backend/buffer-pool.js';

/** The bookkeeping of one open device scope: the storages it will release or keep at its close. */
export interface ScopeState {
  /** Storages whose device arrays this scope owns. */
  readonly storages: Set<Storage>;
  /** A short description for error messages (e.g. `deviceScope`). */
  readonly label: string;
  /** True once closed: nothing more may be made in it. */
  closed: boolean;
  /**
   * The pool buffers lent to kernels while this scope ran and not yet wrapped in a
   * storage, when the scope recycles host buffers; null when it does not.
   */
  readonly lent: Set<Data> | null;
  /** True when kept storages become their tensors' own at the close, never the running scope's. */
  readonly standalone: boolean;
}

/** The open scopes that are running code, innermost last. */
const running: ScopeState[] = [];

/** The innermost scope running code now, or null. */
export function activeScope(): ScopeState | null {
  return running.length > 0 ? running[running.length - 1] : null;
}

/**
 * Run `fn` with `scope` as the active scope: device arrays made meanwhile, and pool
 * buffers when it recycles, are its to release.
 */
export function runInScope<T>(scope: ScopeState, fn: () => T): T {
  if (scope.closed) throw new Error(`${scope.label}: this scope is closed; open a new one`);
  running.push(scope);
  const outerLent = lendTo(scope.lent);
  try {
    return fn();
  } finally {
    lendTo(outerLent);
    running.pop();
  }
}

/** The elements of a tensor, on the host or on a device. */
export class Storage {
  /** Number of elements. */
  readonly length: number;
  /** Element type: a device array is always float32. */
  readonly dtype: DType;
  /** Whether the owning scope downloads this storage (or lets it go) at its close instead of releasing it. */
  kept = false;
  /** The scope that releases the device array or the lent host buffer, while there is one. */
  owner: ScopeState | null = null;
  private host: Data | null;
  private device: DeviceArray | null;
  private releasedBy: string | null = null;

  /**
   * @param data a host buffer, or a device array (made inside a scope, which becomes its
   *   owner); a host buffer the running recycling scope lent makes that scope the owner
   * @throws when a device array is given with no scope running to release it
   */
  constructor(data: Data | DeviceArray) {
    this.length = data.length;
    if (data instanceof Float32Array || data instanceof Float64Array) {
      this.host = data;
      this.device = null;
      this.dtype = data instanceof Float64Array ? 'float64' : 'float32';
      const scope = activeScope();
      if (scope?.lent?.delete(data)) {
        this.owner = scope;
        scope.storages.add(this);
      }
      return;
    }
    const scope = activeScope();
    if (scope === null) {
      data.release();
      throw new Error(`Tensor: a device array of ${data.owner.name} can only be wrapped inside a device scope (deviceScope(fn) or DeviceScope.run), which releases it`);
    }
    this.host = null;
    this.device = data;
    this.dtype = 'float32';
    this.owner = scope;
    scope.storages.add(this);
  }

  /** True while the elements are in device memory. */
  get onDevice(): boolean {
    return this.device !== null;
  }

  /** True when the device array or lent buffer was released without being kept: the values are gone. */
  get released(): boolean {
    return this.releasedBy !== null;
  }

  /** The host buffer, downloading (and freeing) the device array the first time. */
  get data(): Data {
    if (this.host !== null) return this.host;
    if (this.device === null) {
      throw new Error(`Tensor: its values were released when the ${this.releasedBy} that made them closed; return the tensor from the scope or keep() it to use it afterwards`);
    }
    this.host = this.device.download();
    this.device = null;
    this.owner?.storages.delete(this);
    this.owner = null;
    return this.host;
  }

  /** The device array, when it is on the device and `kernels` can read it; else null. */
  deviceFor(kernels: DeviceKernels): DeviceArray | null {
    return this.device !== null && kernels.owns(this.device) ? this.device : null;
  }

  /**
   * The owning scope's close, for a kept storage with no enclosing scope to inherit it:
   * a device array is downloaded, a lent host buffer becomes the storage's own.
   */
  settle(): void {
    void this.data;
    this.owner?.storages.delete(this);
    this.owner = null;
    this.kept = false;
  }

  /**
   * The owning scope's close: free the device memory without reading it, or give a
   * lent host buffer back to the pool. Either way the values are gone.
   */
  release(): void {
    if (this.device !== null) {
      this.device.release();
      this.device = null;
    } else if (this.host !== null && this.owner !== null) {
      giveBack(this.host);
      this.host = null;
    } else {
      return;
    }
    this.releasedBy = this.owner?.label ?? 'scope';
    this.owner = null;
  }
}
