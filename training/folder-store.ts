/**
 * A run's files in a folder on disk. Node only. Whole files (checkpoints,
 * `config.json`, `curves.svg`) are replaced atomically by `writeFileAtomic`; the
 * metrics file grows by appended lines.
 *
 * @module
 */
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../nn/node.js';
import type { RunStore } from './store.js';

/**
 * A {@link RunStore} over the folder `dir` (created on the first write).
 *
 * @example
 * await runTraining(config, { load: loadDataset, store: folderStore('runs/first') });
 */
export function folderStore(dir: string): RunStore {
  const ensure = (): void => void mkdirSync(dir, { recursive: true });
  return {
    location: dir,
    write(name, content) {
      ensure();
      writeFileAtomic(join(dir, name), content);
    },
    appendLine(name, line) {
      ensure();
      appendFileSync(join(dir, name), line + '\n');
    },
    read(name) {
      const bytes = readFileSync(join(dir, name));
      return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    },
    list: () => (existsSync(dir) ? readdirSync(dir) : []),
    locate: (name) => join(dir, name),
  };
}
