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

/** Checkpoint file name of an epoch: `checkpoint-epoch-0003.safetensors`. */
export function checkpointName(epoch: number): string {
  return `checkpoint-epoch-${String(epoch).padStart(4, '0')}.safetensors`;
}

/** The newest checkpoint in a store (the name of the highest epoch), or null when there is none. */
export async function lastCheckpoint(store: RunStore): Promise<string | null> {
  const names = (await store.list()).filter((f) => /^checkpoint-epoch-\d+\.safetensors$/.test(f)).sort();
  return names.length > 0 ? names[names.length - 1] : null;
}
