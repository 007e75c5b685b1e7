/**
 * The one atomic file writer of the project: checkpoints, `config.json`, `curves.svg`,
 * the comparison table and every SVG the command line writes go through it. Node only.
 *
 * Readers see either the old content or the new, never a mix: the bytes go to a
 * temporary file in the same folder, are flushed to disk (fsync), and the temporary file
 * is renamed over the target (a rename within one file system is atomic); then the
 * folder is flushed, so that the rename survives a crash.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Write `content` (bytes, or text as UTF-8) to `path` atomically: write
 * `path + '.tmp-<pid>-<random>'` in the same folder, fsync it, rename it into place,
 * then fsync the folder (not on Windows, which cannot open one). On any error the
 * temporary file is removed and the error is rethrown.
 *
 * @param path the file to create or replace.
 * @param content its new content.
 * @example
 * writeFileAtomic('run/config.json', JSON.stringify(config));
 */
export function writeFileAtomic(path: string, content: Uint8Array | string): void {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  const temporary = `${path}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
  try {
    const fd = openSync(temporary, 'wx');
    try {
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, path);
  } catch (err) {
    rmSync(temporary, { force: true });
    throw err;
  }
  if (process.platform !== 'win32') syncFolder(dirname(path));
}

/** Flush a folder's entries, so that a rename into it survives a crash. */
function syncFolder(folder: string): void {
  const fd = openSync(folder, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
