/**
 * Run the `pipegrad` command line in process, capturing its exit code, output, error
 * output and the JSON lines it printed (shared by the CLI specs).
 */
import { main } from '../../cli/main.js';
import { loadSafetensorsFile } from '../../nn/node.js';

/** What a command line gave back. */
export interface Captured {
  code: number;
  out: string;
  err: string;
  json: Record<string, unknown>[];
}

/** Run `pipegrad ...argv`. */
export async function runCli(...argv: string[]): Promise<Captured> {
  let out = '';
  let err = '';
  const code = await main(argv, { write: (s) => void (out += s), isTTY: false }, { write: (s) => void (err += s) });
  const json = out
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, out, err, json };
}

/** A tiny, fast training run: an MLP on 60 blobs samples. */
export const TINY = ['--model', 'mlp', '--dataset', 'blobs', '--limit-train', '60', '--limit-test', '40', '--lr', '0.01', '--json'];

/**
 * How many values of the checkpoint at `pathB` differ (bit for bit, `Object.is`) from the
 * same-named tensors of the checkpoint at `pathA`.
 */
export async function checkpointDifferences(pathA: string, pathB: string): Promise<number> {
  const a = await loadSafetensorsFile(pathA);
  const b = await loadSafetensorsFile(pathB);
  let differences = 0;
  for (const [name, x] of a.tensors) {
    const y = b.tensors.get(name)!.data;
    for (let i = 0; i < x.data.length; i++) if (!Object.is(x.data[i], y[i])) differences++;
  }
  return differences;
}
