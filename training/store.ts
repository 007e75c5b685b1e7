/**
 * Where a run keeps its files: `config.json`, `metrics.jsonl`, `curves.svg` and the
 * checkpoints `checkpoint-epoch-NNNN.safetensors`. The training loop only names files;
 * a {@link RunStore} decides where they go. {@link memoryStore} keeps them in memory
 * (anywhere, and in tests); `folderStore` of `pipegrad/training/node` writes them to a
 * folder on disk, each file replaced atomically.
 *
 * @module
 */

/** The files of one run. Methods may return promises; the training loop awaits them. */
export interface RunStore {
  /** Where the store is, for messages (a folder's path, or `memory`). */
  readonly location: string;
  /** Create or replace the file `name` with `content` (atomically, where the medium allows). */
  write(name: string, content: string | Uint8Array): void | Promise<void>;
  /** Add `line` and a newline at the end of the file `name`, creating it if needed. */
  appendLine(name: string, line: string): void | Promise<void>;
  /** The bytes of the file `name`. */
  read(name: string): Uint8Array | Promise<Uint8Array>;
  /** The names of the files held, in no particular order. */
  list(): readonly string[] | Promise<readonly string[]>;
  /** Where the file `name` is, for messages (e.g. its path). */
  locate(name: string): string;
  /**
   * Remove what interrupted writes left behind (a folder's temporary files from a
   * `kill -9` or a full disk) and return their names; the training loop calls it when a
   * run starts or resumes. Absent where writes cannot be interrupted halfway.
   */
  removeTemporaries?(): string[] | Promise<string[]>;
}

/** A store whose files live in a `Map` (name → bytes). */
export interface MemoryStore extends RunStore {
  /** The files held. */
  readonly files: Map<string, Uint8Array>;
}

/**
 * A {@link RunStore} in memory, for a browser or a test.
 *
 * @example
 * const store = memoryStore();
 * await runTraining(config, { load, store });
 * store.files.has('checkpoint-epoch-0001.safetensors'); // true
 */
export function memoryStore(): MemoryStore {
  const files = new Map<string, Uint8Array>();
  const encoder = new TextEncoder();
  return {
    location: 'memory',
    files,
    write(name, content) {
      files.set(name, typeof content === 'string' ? encoder.encode(content) : content.slice());
    },
    appendLine(name, line) {
      const old = files.get(name) ?? new Uint8Array(0);
      const added = encoder.encode(line + '\n');
      const joined = new Uint8Array(old.length + added.length);
      joined.set(old);
      joined.set(added, old.length);
      files.set(name, joined);
    },
    read(name) {
      const bytes = files.get(name);
      if (!bytes) throw new Error(`memory store: no file '${name}'`);
      return bytes;
    },
    list: () => [...files.keys()],
    locate: (name) => `memory:${name}`,
  };
}

/** Checkpoint file name of an epoch: `checkpoint-epoch-0003.safetensors` (more digits from epoch 10,000). */
export function checkpointName(epoch: number): string {
  return `checkpoint-epoch-${String(epoch).padStart(4, '0')}.safetensors`;
}

/** The epoch a checkpoint file name holds (`checkpoint-epoch-0003.safetensors` → 3), or null for any other name. */
export function checkpointEpoch(name: string): number | null {
  const match = /^checkpoint-epoch-([0-9]+)\.safetensors$/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * The newest checkpoint in a store, by epoch number (so epoch 10,001 wins over 9,999,
 * though its name sorts first), or null when there is none.
 */
export async function lastCheckpoint(store: RunStore): Promise<string | null> {
  let best: string | null = null;
  let bestEpoch = -1;
  for (const name of await store.list()) {
    const epoch = checkpointEpoch(name);
    if (epoch !== null && epoch > bestEpoch) [best, bestEpoch] = [name, epoch];
  }
  return best;
}

/** The files that make a folder a run: its configuration, its metrics, its curves. */
export const RUN_FILES: readonly string[] = ['config.json', 'metrics.jsonl', 'curves.svg'];

/** The files of a run that a store holds ({@link RUN_FILES} and checkpoints), sorted; empty when it holds no run. */
export async function runFilesIn(store: RunStore): Promise<string[]> {
  return (await store.list()).filter((name) => RUN_FILES.includes(name) || checkpointEpoch(name) !== null).sort();
}
