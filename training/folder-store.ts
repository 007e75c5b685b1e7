/**
 * A run's files in a folder on disk. Node only. Whole files (checkpoints,
 * `config.json`, `curves.svg`) are replaced atomically by `writeFileAtomic`; the
 * metrics file grows by appended lines (and is cut back atomically when a run
 * resumes). Temporary files that a killed process left are removed when a run starts
 * or resumes ({@link RunStore.removeTemporaries}). Every failure of the file system
 * names the run's file, never a temporary one.
 *
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeOsError, FileWriteError, removeStaleTemporaries, writeFileAtomic } from '../nn/node.js';
import type { RunStore } from './store.js';

/**
 * A {@link RunStore} over the folder `dir` (created on the first write).
 *
 * @example
 * await runTraining(config, { load: loadDataset, store: folderStore('runs/first') });
 */
export function folderStore(dir: string): RunStore {
  const ensure = (): void => {
    try {
      mkdirSync(dir, { recursive: true });
    } catch (err) {
      throw new FileWriteError(dir, err);
    }
  };
  return {
    location: dir,
    write(name, content) {
      ensure();
      writeFileAtomic(join(dir, name), content);
    },
    appendLine(name, line) {
      ensure();
      try {
        appendFileSync(join(dir, name), line + '\n');
      } catch (err) {
        throw new FileWriteError(join(dir, name), err);
      }
    },
    read(name) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(join(dir, name));
      } catch (err) {
        throw new Error(`cannot read ${join(dir, name)}: ${describeOsError(err)}`, { cause: err });
      }
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    list() {
      if (!existsSync(dir)) return [];
      try {
        return readdirSync(dir);
      } catch (err) {
        throw new Error(`cannot read the folder ${dir}: ${describeOsError(err)}`, { cause: err });
      }
    },
    locate: (name) => join(dir, name),
    removeTemporaries: () => removeStaleTemporaries(dir),
  };
}
