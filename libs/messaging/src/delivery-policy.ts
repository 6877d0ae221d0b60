import type { JsMsg } from 'nats';
import type { CairnEvent, ConsumeResult } from '@cairn/contracts';
import { decodeStoredEvent } from '@cairn/event-store';
import type { DeadLetterPublisher } from './dead-letter';

/**
 * Thrown by a handler for an event that no retry can ever handle (the domain refused it): the message goes
 * to the dead-letter subject at once instead of holding up the consumer through every redelivery.
 */
export class UnprocessableEvent extends Error {
  /** Sets it apart from a plain Error for the type checker too: `instanceof` must not narrow an Error away. */
  readonly unprocessable = true;

  constructor(reason: string) {
    super(reason);
    this.name = 'UnprocessableEvent';
  }
}

/** Thrown by a handler that finds the consumer's place stale (its read model was swapped). */
export class ConsumerResetRequested extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'ConsumerResetRequested';
  }
}

/**
 * Hands a batch of events to the consumer's handler. The signal, when there is one, aborts once this
 * client may no longer be the only one receiving (its pin may have run out): the handler then stops
 * writing, and the batch is given back whole.
 */
export type BatchHandler = (events: CairnEvent[], signal?: AbortSignal) => Promise<void>;

export interface DeliveryPolicyOptions {
  consumer: string;
  handle: BatchHandler;
  validate(candidate: unknown): ConsumeResult;
  deadLetters: DeadLetterPublisher;
  /** A message delivered this many times without being handled is dead-lettered. */
  maxDeliver: number;
  /** Pause after a failed delivery n (1-based) before trying again: `backoffMs[n - 1]`, the last one repeating. */
  backoffMs: number[];
  ackWaitMs: number;
  /** The signal a batch taken now is handled under (see `BatchHandler`). */
  handlingSignal(): AbortSignal | undefined;
  pause(ms: number): Promise<void>;
  report(error: Error): void;
}

/** What became of a batch. */
export type BatchOutcome =
  /** Every message is handled or dead-lettered: the consumer has settled up to the last one. */
  | 'settled'
  /** Given back to the server (in order) for a later try. */
  | 'given-back'
  /** The handler asked for the consumer to start over from its owner's checkpoint. */
  | 'reset-requested';

interface Accepted {
  message: JsMsg;
  event: CairnEvent;
}

/**
 * Retry and dead-letter policy. A message that fails validation, or has been delivered more than
 * `maxDeliver` times, goes to `cairn.dlq.<consumer>` before the handler sees it. A batch the handler
 * fails is taken apart: each message on its own, so that one bad message is found, retried with backoff
 * and in the end dead-lettered while the good ones go through. A failed message hands itself and
 * everything after it back to the server in one piece, with an immediate nak: the server serves its
 * redelivery queue before anything new, so nothing newer overtakes it (a delayed nak would let newer
 * messages through, hence the backoff pause is taken here).
 */
export class DeliveryPolicy {
  constructor(private readonly options: DeliveryPolicyOptions) {}

  async process(messages: JsMsg[]): Promise<BatchOutcome> {
    const { maxDeliver, deadLetters } = this.options;
    const accepted: Accepted[] = [];
    for (const [index, message] of messages.entries()) {
      try {
        const deliveries = message.info.deliveryCount;
        const checked = deliveries > maxDeliver ? undefined : this.decode(message);
        if (checked?.ok) {
          accepted.push({ message, event: checked.event });
        } else {
          const reason = checked?.reason ?? `delivered ${deliveries} times (limit ${maxDeliver}) without being handled`;
          await deadLetters.deadLetter(message, reason);
        }
      } catch (error) {
        // The dead-letter queue is unavailable: give the batch back untouched and try again later.
        for (const rest of [...accepted.map((entry) => entry.message), ...messages.slice(index)]) rest.nak();
        throw error;
      }
    }
    if (accepted.length === 0) return 'settled';
    const signal = this.options.handlingSignal();
    try {
      await this.handleAndAck(accepted, signal);
      return 'settled';
    } catch (error) {
      if (error instanceof ConsumerResetRequested) return 'reset-requested';
      if (signal?.aborted) {
        this.options.report(new Error(`consumer ${this.options.consumer}: the pin may have passed to another client while a batch was handled; it is given back`));
        for (const entry of accepted) entry.message.nak();
        return 'given-back';
      }
      return this.handleOneByOne(accepted, accepted.length === 1 ? (error as Error) : undefined);
    }
  }

  /** The pause after a message's `deliveries`-th failed delivery. */
  backoffFor(deliveries: number): number {
    const { backoffMs } = this.options;
    return backoffMs[Math.min(Math.max(deliveries, 1), backoffMs.length) - 1] ?? 0;
  }

  private async handleOneByOne(accepted: Accepted[], knownFailure?: Error): Promise<BatchOutcome> {
    for (const [index, entry] of accepted.entries()) {
      let failure = index === 0 ? knownFailure : undefined;
      if (!failure) {
        try {
          await this.handleAndAck([entry], this.options.handlingSignal());
          continue;
        } catch (error) {
          if (error instanceof ConsumerResetRequested) return 'reset-requested';
          failure = error as Error;
        }
      }
      const deliveries = entry.message.info.deliveryCount;
      if (deliveries >= this.options.maxDeliver || failure instanceof UnprocessableEvent) {
        const reason =
          failure instanceof UnprocessableEvent
            ? `handler refused it: ${failure.message}`
            : `handler failed ${deliveries} times: ${failure.message}`;
        try {
          await this.options.deadLetters.deadLetter(entry.message, reason);
          continue;
        } catch (error) {
          failure = error as Error;
        }
      }
      this.options.report(failure);
      for (const rest of accepted.slice(index)) rest.message.nak();
      await this.options.pause(this.backoffFor(deliveries));
      return 'given-back';
    }
    return 'settled';
  }

  private async handleAndAck(batch: Accepted[], signal: AbortSignal | undefined): Promise<void> {
    // Long handlers keep their messages from being redelivered behind their back.
    const heartbeat = setInterval(
      () => batch.forEach((entry) => entry.message.working()),
      Math.max(100, Math.floor(this.options.ackWaitMs / 3)),
    );
    try {
      await this.options.handle(
        batch.map((entry) => entry.event),
        signal,
      );
    } finally {
      clearInterval(heartbeat);
    }
    for (const entry of batch.slice(0, -1)) entry.message.ack();
    // Acks are processed in order: once the server confirms the last, lag() reflects the whole batch.
    await batch[batch.length - 1].message.ackAck({ timeout: 5_000 }).catch((error: Error) => this.options.report(error));
  }

  private decode(message: JsMsg): ConsumeResult {
    try {
      return this.options.validate(decodeStoredEvent(message.data, message.seq));
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }
}
