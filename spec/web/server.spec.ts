/**
 * The page's static server (`web/server.ts`), without a browser: the MNIST subset it
 * cuts from an IDX file, the headers that make the page cross-origin isolated, and the
 * paths it refuses.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'tape';
import { parseIdx } from '../../datasets/idx.js';
import { idxHead, startServer } from '../../web/server.js';

/** A 3×2×2 uint8 IDX file written byte by byte: magic 0x00000803, dims 3, 2, 2, data 1..12. */
const IMAGES = Uint8Array.of(0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);

/** GET `path` on the server verbatim (no URL normalization), returning status, headers and body. */
function get(url: string, path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: number[] }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    request({ hostname: hostname === 'localhost' ? '127.0.0.1' : hostname, port, path }, (res) => {
      const body: number[] = [];
      res.on('data', (chunk: Uint8Array) => body.push(...chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    }).on('error', reject).end();
  });
}

/** The body as UTF-8 text. */
function text(body: number[]): string {
  return new TextDecoder().decode(Uint8Array.from(body));
}

test('idxHead: the first records of an IDX file, with the count in the header rewritten', (t) => {
  const head = idxHead(parseIdx(IMAGES, 'images'), 2);
  t.deepEqual(Array.from(head), [0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7, 8], 'header 00 00 08 03, dims 2,2,2, then the first 8 bytes');
  t.deepEqual(Array.from(idxHead(parseIdx(IMAGES, 'images'), 99)), Array.from(IMAGES), 'a count above the records gives the whole file');
  t.end();
});

test('web server: MNIST subsets, cross-origin isolation headers, and refused paths', async (t) => {
  const base = mkdtempSync(join(tmpdir(), 'pipegrad-web-root-'));
  const root = join(base, 'page');
  mkdirSync(root);
  writeFileSync(join(base, 'secret.txt'), 'outside the page folder');
  const mnistDir = mkdtempSync(join(tmpdir(), 'pipegrad-web-mnist-'));
  writeFileSync(join(root, 'index.html'), '<p>page</p>');
  writeFileSync(join(mnistDir, 't10k-images-idx3-ubyte'), IMAGES);
  const server = await startServer({ root, port: 0, mnistDir });
  try {
    const page = await get(server.url, '/');
    t.equal(text(page.body), '<p>page</p>', '/ serves index.html');
    t.equal(page.headers['cross-origin-opener-policy'], 'same-origin', 'COOP: same-origin');
    t.equal(page.headers['cross-origin-embedder-policy'], 'require-corp', 'COEP: require-corp');
    const subset = await get(server.url, '/mnist/t10k-images-idx3-ubyte?count=1');
    t.deepEqual(subset.body, [0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4], 'count=1 gives a valid IDX file of the first image');
    const missing = await get(server.url, '/mnist/train-images-idx3-ubyte');
    t.equal(missing.status, 404, 'a known MNIST file missing from the folder is a 404');
    t.ok(text(missing.body).includes(mnistDir), `and the answer names the folder: ${text(missing.body)}`);
    t.equal((await get(server.url, '/mnist/../package.json')).status, 404, 'no file outside the MNIST list');
    t.equal((await get(server.url, '/%2e%2e/secret.txt')).status, 404, 'no file outside the page folder, even with an encoded .. (a file sits there)');
    t.equal((await get(server.url, '/../secret.txt')).status, 404, 'nor with a plain ..');
    t.equal((await get(server.url, '/mnist/t10k-images-idx3-ubyte?count=0')).status, 400, 'count 0 is refused');
  } finally {
    await server.close();
  }
});
