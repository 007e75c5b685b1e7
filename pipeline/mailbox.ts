/**
 * What stages send each other, and where a stage finds what was sent to it.
 *
 * Between its instructions a pipeline moves three kinds of values, each addressed to
 * the stage that will use it and tagged with its sample:
 *
 * - **activations** — the output bundle of stage `s − 1`, the input of stage `s`'s
 *   forward of sample `j`;
 * - **gradients** — the input gradients of stage `s + 1`, the output gradients of
 *   stage `s`'s backward of sample `j`;
 * - **target** — the target of sample `j`, read by stage 1 with the input and needed
 *   by the last stage for the loss.
 *
 * In one thread the engine posts a message straight into its own {@link Mailbox}; run
 * in parallel, a message for a stage another worker owns travels to that worker and is
 * put into its mailbox there. Either way the engine takes each message out when the
 * instruction that needs it runs, so the schedule's order alone decides every result.
 *
 * @module
 */
import type { Tensor } from '../core/index.js';
import type { Target } from './engine.js';

/** A value one stage sends to another; see the module description. */
export type StageMessage =
  | {
      /** The input bundle of `stage`'s forward of `sample`. */
      readonly kind: 'activations';
      /** The stage the message is for (1-based). */
      readonly stage: number;
      /** The sample (or micro-batch) index. */
      readonly sample: number;
      /** The bundle, each tensor a leaf that requires a gradient. */
      readonly tensors: Tensor[];
    }
  | {
      /** The output gradients of `stage`'s backward of `sample`. */
      readonly kind: 'gradients';
      /** The stage the message is for. */
      readonly stage: number;
      /** The sample (or micro-batch) index. */
      readonly sample: number;
      /** One gradient per output-bundle tensor (null where none flows). */
      readonly tensors: (Tensor | null)[];
    }
  | {
      /** The target of `sample`, for the loss at the last stage. */
      readonly kind: 'target';
      /** The stage the message is for (the last one). */
      readonly stage: number;
      /** The sample (or micro-batch) index. */
      readonly sample: number;
      /** The target. */
      readonly target: Target;
    };

/** The kind of a {@link StageMessage}. */
export type StageMessageKind = StageMessage['kind'];

/** The {@link StageMessage} of one kind. */
export type StageMessageOf<K extends StageMessageKind> = Extract<
  StageMessage,
  {
    /** The kind. */
    kind: K;
  }
>;

/**
 * The key of the message of `kind` for `stage` and `sample`, e.g. `activations 3/17`
 * (stage 3, sample 17): unique within a run.
 */
export function messageKey(kind: StageMessageKind, stage: number, sample: number): string {
  return `${kind} ${stage}/${sample}`;
}

/** The messages delivered to a set of stages and not yet taken, by {@link messageKey}. */
export class Mailbox {
  private readonly messages = new Map<string, StageMessage>();

  /** Number of messages waiting. */
  get size(): number {
    return this.messages.size;
  }

  /**
   * Keep `message` until its stage takes it.
   *
   * @throws when a message with the same key is already waiting (a schedule or a
   *   transport that sends one value twice).
   */
  put(message: StageMessage): void {
    const key = messageKey(message.kind, message.stage, message.sample);
    if (this.messages.has(key)) throw new Error(`pipeline: ${key} was delivered twice`);
    this.messages.set(key, message);
  }

  /** Whether the message with `key` is waiting. */
  has(key: string): boolean {
    return this.messages.has(key);
  }

  /**
   * Remove and return the message of `kind` for `stage` and `sample`.
   *
   * @throws when it has not been delivered: the schedule runs an instruction before the
   *   one that produces its input.
   */
  take<K extends StageMessageKind>(kind: K, stage: number, sample: number): StageMessageOf<K> {
    const key = messageKey(kind, stage, sample);
    const message = this.messages.get(key);
    if (message === undefined) throw new Error(`pipeline: stage ${stage} needs the ${key} before anything sent it (schedule bug: an instruction runs before the one that produces its input)`);
    this.messages.delete(key);
    return message as StageMessageOf<K>;
  }

  /** Forget every message (at the start of a run). */
  clear(): void {
    this.messages.clear();
  }
}
