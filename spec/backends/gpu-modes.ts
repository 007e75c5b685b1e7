/**
 * Running a spec file once per gpu.js mode: `cpu`, `webasm`, and `headlessgl` (under
 * `xvfb-run -a` when there is no display), as the GPU backend's spec files do.
 *
 * A mode that cannot start is reported as SKIPPED with the reason (the test passes),
 * unless `PIPEGRAD_GPU_REQUIRED=1` (set by `.ci/run` once it has installed headless-gl's
 * packages), where it fails. Without a display, the `headlessgl` part re-runs the spec
 * file in a child process under `xvfb-run -a` with `PIPEGRAD_GPU_MODES=headlessgl` and
 * reports the child's assertions as its own.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import test from 'tape';
import { createGpuBackend, GpuUnavailableError, type GpuBackend, type GpuMode } from '../../core/backend/index.js';

/** True in the xvfb-run child (or whenever the modes are chosen): test those modes only, spawn nothing. */
export const MODES_GIVEN = process.env.PIPEGRAD_GPU_MODES !== undefined;
/** The modes this process tests. */
const MODES = (process.env.PIPEGRAD_GPU_MODES ?? 'cpu,webasm,headlessgl').split(',') as GpuMode[];
/** Whether an unavailable mode fails instead of being skipped. */
export const REQUIRED = process.env.PIPEGRAD_GPU_REQUIRED === '1';

/** Report a mode that cannot run here: SKIPPED with the reason, or a failure when modes are required. */
function unavailable(mode: string, reason: string): void {
  test(`gpu backend (${mode}): ${REQUIRED ? 'required here (PIPEGRAD_GPU_REQUIRED=1) but unavailable' : 'SKIPPED'}`, (t) => {
    if (!REQUIRED) t.comment(`SKIPPED ${reason}`);
    t.ok(!reason.includes('\n'), 'the reason it cannot run is one line');
    if (REQUIRED) t.fail(reason);
    else t.pass(`SKIPPED ${reason}`);
    t.end();
  });
}

/** The path of `command` on PATH, if it is there. */
function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const path = join(dir, command);
    if (dir && existsSync(path)) return path;
  }
  return undefined;
}

/**
 * Re-run `specFile` with `headlessgl` only, under `xvfb-run -a`, and report the child's
 * TAP assertions as assertions of this test (failures stay failures).
 */
function headlessGlUnderXvfb(xvfbRun: string, specFile: string): void {
  test(`gpu backend (headlessgl): no display here, so the headlessgl part of ${basename(specFile)} runs under xvfb-run -a in a child process`, (t) => {
    const suite = fileURLToPath(new URL('../suite.ts', import.meta.url));
    const child = spawn(xvfbRun, ['-a', process.execPath, '--import', 'tsx', suite, specFile], {
      env: { ...process.env, PIPEGRAD_GPU_MODES: 'headlessgl' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let asserted = 0;
    let failed = 0;
    let pending = '';
    let stderr = '';
    const relay = (line: string): void => {
      const result = /^(not )?ok \d+ (.*)$/.exec(line);
      if (result) {
        asserted++;
        if (result[1]) {
          failed++;
          t.fail(`${result[2]} (in the xvfb-run child)`);
        } else t.pass(result[2]);
      } else if (/^# (?!tests|pass|fail|ok)/.test(line)) t.comment(line.slice(2));
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      lines.forEach(relay);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => { stderr += chunk; });
    child.on('close', (code) => {
      relay(pending);
      t.ok(asserted > 0, `the xvfb-run child ran ${asserted} assertions`);
      if (code !== 0 && failed === 0) t.fail(`the xvfb-run child exited with code ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
      t.end();
    });
  });
}

/**
 * Start a GPU backend in each mode this process tests and register `suite`'s tests on
 * it; a mode that cannot start is skipped (or fails, when required), and `headlessgl`
 * without a display runs `specFileUrl` again under `xvfb-run -a`.
 *
 * @param specFileUrl - the calling spec file's `import.meta.url`
 * @param suite - registers the tests of one started backend; its last test disposes it
 *
 * @example
 * await forEachGpuMode(import.meta.url, (backend) => {
 *   test(`${backend.name}: …`, (t) => { … });
 * });
 */
export async function forEachGpuMode(specFileUrl: string, suite: (backend: GpuBackend) => void): Promise<void> {
  for (const mode of MODES) {
    let backend: GpuBackend | undefined;
    let reason = '';
    let missing = '';
    try {
      backend = await createGpuBackend({ mode });
    } catch (e) {
      reason = (e as Error).message;
      missing = e instanceof GpuUnavailableError ? e.missing : '';
    }
    if (backend) suite(backend);
    else if (mode === 'headlessgl' && missing === 'display' && !MODES_GIVEN) {
      const xvfbRun = onPath('xvfb-run');
      if (xvfbRun) headlessGlUnderXvfb(xvfbRun, fileURLToPath(specFileUrl));
      else unavailable(mode, `${reason.replace(/ \(Debian package xvfb\)$/, '')}; xvfb-run is not installed either (Debian packages xvfb xauth)`);
    } else unavailable(mode, reason);
  }
}
