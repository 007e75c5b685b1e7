/**
 * The one atomic file writer of the project: checkpoints, `config.json`, `curves.svg`,
 * the comparison table and every SVG the command line writes go through it. Node only.
 *
 * Readers see either the old content or the new, never a mix: the bytes go to a
 * temporary file in the same folder, are flushed to disk (fsync), and the temporary file
 * is renamed over the target (a rename within one file system is atomic); then the
 * folder is flushed, so that the rename survives a crash.
 *
 * A process killed between the first write and the rename (`kill -9`, a full disk that
 * fails the write and then the cleanup) leaves its temporary file behind;
 * {@link removeStaleTemporaries} removes those of processes that are gone. Errors name
 * the file the caller asked for, never the temporary one.
 *
 * @module
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Write `content` (bytes, or text as UTF-8) to `path` atomically: write
 * `path + '.tmp-<pid>-<random>'` in the same folder, fsync it, rename it into place,
 * then fsync the folder (not on Windows, which cannot open one). On any error the
 * temporary file is removed and a {@link FileWriteError} naming `path` is thrown.
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
    throw new FileWriteError(path, err);
  }
  if (process.platform !== 'win32') {
    try {
      syncFolder(dirname(path));
    } catch (err) {
      throw new FileWriteError(path, err);
    }
  }
}

/**
 * A file that could not be written, named as the caller named it: `cannot write
 * run/config.json: ENOSPC (no space left on device)`. `code` is the operating system's
 * (`EACCES`, `ENOSPC`, `EISDIR`, `ENOTDIR`, …).
 */
export class FileWriteError extends Error {
  /** The error's name, `FileWriteError`. */
  override readonly name = 'FileWriteError';
  /** The operating system's error code, e.g. `ENOSPC`; undefined for other failures. */
  readonly code: string | undefined;

  /** The error of writing `path`, from the error `cause` that the file system gave. */
  constructor(
    /** The file that could not be written. */
    readonly path: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code;
    super(`cannot write ${path}: ${describeOsError(cause)}`, { cause });
    this.code = code;
  }
}

/**
 * An operating-system error without the path it names (which may be a temporary file):
 * `ENOSPC (no space left on device)`. Other errors give their message's first line.
 */
export function describeOsError(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  const match = typeof e?.message === 'string' ? /^([A-Z]+): ([^,]+),/.exec(e.message) : null;
  if (e?.code && match) return `${e.code} (${match[2]})`;
  return String(e?.message ?? err).split('\n')[0];
}

/** The name pattern of {@link writeFileAtomic}'s temporary files; group 1 is the writer's process id. */
const TEMPORARY = /\.tmp-([0-9]+)-[0-9a-f]{12}$/;

/**
 * Remove the temporary files that writes into `folder` left behind when their process
 * died before the rename (`<name>.tmp-<pid>-<random>` of a process that no longer runs),
 * and return their names. Files of a live process are left alone: it may still be
 * writing them. A missing folder holds none.
 *
 * @example
 * removeStaleTemporaries('runs/first'); // ['checkpoint-epoch-0004.safetensors.tmp-81723-9f0c3a1b2d4e']
 */
export function removeStaleTemporaries(folder: string): string[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const match = TEMPORARY.exec(name);
    if (!match || processIsAlive(Number(match[1]))) continue;
    rmSync(join(folder, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/** Whether a process with this id runs (a signal 0 reaches it, or it belongs to another user). */
function processIsAlive(pid: number): boolean {
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
