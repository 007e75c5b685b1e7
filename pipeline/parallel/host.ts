/**
 * What the parallel pipeline needs from a platform: a way to start a worker, and a
 * message port to talk through. Nothing here is specific to Node: a browser hosts the
 * same code with Web Workers, Node with `worker_threads` (`pipeline/node.ts`).
 *
 * @module
 */

/** One end of a message channel: a `MessagePort`, a worker, or a worker's own scope. */
export interface Endpoint {
  /** Send `message` (a structured-clone value); the buffers in `transfer` are moved, not copied. */
  post(message: unknown, transfer?: Transferable[]): void;
  /** Call `handler` with the data of every message that arrives. */
  listen(handler: (message: unknown) => void): void;
}

/** A worker the main thread started. */
export interface WorkerHandle extends Endpoint {
  /** Call `handler` when the worker itself fails: its script cannot load, or it exits unasked. */
  onError(handler: (error: Error) => void): void;
  /** Stop the worker now, whatever it is doing. */
  terminate(): void;
}

/** Starts workers that run {@link serveStageWorker} (`parallel/stage-worker.ts`). */
export interface WorkerHost {
  /** A name for messages, e.g. `node:worker_threads`. */
  readonly name: string;
  /** Start one worker. */
  start(): WorkerHandle;
}

/** What {@link portEndpoint} needs of a port: a Web `MessagePort`, a Node one, or a worker's scope. */
export interface PortLike {
  /** Send a message. */
  postMessage(message: unknown, transfer: Transferable[]): void;
  /** Listen to `message` events (their `data` is the message). */
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  /** Start delivering messages (ports need it once a listener is added with `addEventListener`). */
  start?(): void;
}

/** An {@link Endpoint} over a port (a `MessagePort`, or `self` inside a Web Worker). */
export function portEndpoint(port: PortLike): Endpoint {
  return {
    post: (message, transfer = []) => port.postMessage(message, transfer),
    listen: (handler) => {
      port.addEventListener('message', (event) => handler(event.data));
      port.start?.();
    },
  };
}
