import type { JsMsg } from 'nats';
import type { CairnEvent, ConsumeResult } from '@cairn/contracts';
import { decodeConsumedEvent } from '@cairn/event-store';
import type { DeadLetterPublisher } from './dead-letter';
import type { DependencyOutage } from './dependency-outage';
import { isTransientFailure } from './transient-failure';

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
  /** A message whose handler failed this many times (an unreachable dependency does not count) is dead-lettered. */
  maxDeliver: number;
  /** Pause after a failed delivery n (1-based) before trying again: `backoffMs[n - 1]`, the last one repeating. */
  backoffMs: number[];
  ackWaitMs: number;
  /** The signal a batch taken now is handled under (see `BatchHandler`). */
  handlingSignal(): AbortSignal | undefined;
  /** Where the consumer waits, after a transient failure, until its dependencies answer again. */
  outage: DependencyOutage;
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

/** A message's failed handlings in this process: how many, and the last one's error. */
interface Failures {
  count: number;
  last: Error;
}

/**
 * Retry and dead-letter policy. A message that fails validation goes to `cairn.dlq.<consumer>` before the
 * handler sees it. A batch the handler fails is taken apart: each message on its own, so that one bad
 * message is found, retried with backoff and in the end dead-lettered while the good ones go through. A
 * failed message hands itself and everything after it back to the server in one piece, with an immediate
 * nak: the server serves its redelivery queue before anything new, so nothing newer overtakes it (a
 * delayed nak would let newer messages through, hence the pauses are taken here).
 *
 * A dead letter means that the event cannot be handled, never that a dependency was unreachable for a
 * while. So the decision is made on the kind of failure, not on the server's delivery count: a
 * transient one (`isTransientFailure`: MongoDB or NATS not answering) gives the batch back whole without
 * counting, and the consumer waits out the outage (`DependencyOutage`) before it takes the same events
 * again, however long that is. The server's `deliveryCount` cannot serve: every try during an outage
 * raises it (a nak is a delivery, and JetStream has no nak that does not count), and it carries over to
 * another replica or a restarted process, which would then dead-letter on its first failure what an
 * outage had held up. The handler's other failures are counted here, per message: a replica that takes
 * over counts afresh, so a bad event is tried more often rather than less, never dead-lettered early.
 */
export class DeliveryPolicy {
  private readonly failures = new Map<number, Failures>();

  constructor(private readonly options: DeliveryPolicyOptions) {}

  async process(messages: JsMsg[]): Promise<BatchOutcome> {
    const accepted: Accepted[] = [];
    for (const [index, message] of messages.entries()) {
      try {
        const known = this.failures.get(message.seq);
        if (known && known.count >= this.options.maxDeliver) {
          // Failed often enough before, but could not be dead-lettered then.
          await this.deadLetter(message, failedReason(known));
          continue;
        }
        const checked = this.decode(message);
        if (checked.ok) accepted.push({ message, event: checked.event });
        else await this.deadLetter(message, checked.reason);
      } catch (error) {
        // The dead-letter queue is unavailable: give the batch back untouched and try again later.
        return this.giveBack([...accepted.map((entry) => entry.message), ...messages.slice(index)], error as Error);
      }
    }
    if (accepted.length === 0) return this.settled();
    const signal = this.options.handlingSignal();
    try {
      await this.handleAndAck(accepted, signal);
      return this.settled();
    } catch (error) {
      if (error instanceof ConsumerResetRequested) return 'reset-requested';
      if (isTransientFailure(error) || signal?.aborted) return this.giveBack(accepted.map((entry) => entry.message), error as Error, signal);
      return this.handleOneByOne(accepted, accepted.length === 1 ? (error as Error) : undefined);
    }
  }

  /** The pause after a message's `failures`-th failed handling. */
  backoffFor(failures: number): number {
    const { backoffMs } = this.options;
    return backoffMs[Math.min(Math.max(failures, 1), backoffMs.length) - 1] ?? 0;
  }

  private async handleOneByOne(accepted: Accepted[], knownFailure?: Error): Promise<BatchOutcome> {
    for (const [index, entry] of accepted.entries()) {
      let failure = index === 0 ? knownFailure : undefined;
      const signal = this.options.handlingSignal();
      if (!failure) {
        try {
          await this.handleAndAck([entry], signal);
          continue;
        } catch (error) {
          if (error instanceof ConsumerResetRequested) return 'reset-requested';
          failure = error as Error;
        }
      }
      const rest = accepted.slice(index).map((later) => later.message);
      if (isTransientFailure(failure) || signal?.aborted) return this.giveBack(rest, failure, signal);
      const failed = this.recordFailure(entry.message.seq, failure);
      if (failed.count >= this.options.maxDeliver || failure instanceof UnprocessableEvent) {
        const reason = failure instanceof UnprocessableEvent ? `handler refused it: ${failure.message}` : failedReason(failed);
        try {
          await this.deadLetter(entry.message, reason);
          continue;
        } catch (error) {
          failure = error as Error;
        }
        if (isTransientFailure(failure)) return this.giveBack(rest, failure);
      }
      this.options.report(failure);
      for (const message of rest) message.nak();
      await this.options.pause(this.backoffFor(failed.count));
      return 'given-back';
    }
    return this.settled();
  }

  /**
   * Hands messages back, in order and uncounted, after a failure that is not theirs: a dependency that
   * does not answer (waited out before they come again), or a pin that may have passed on meanwhile.
   */
  private async giveBack(messages: JsMsg[], cause: Error, signal?: AbortSignal): Promise<BatchOutcome> {
    for (const message of messages) message.nak();
    if (isTransientFailure(cause)) {
      await this.options.outage.wait(cause);
    } else if (signal?.aborted) {
      this.options.report(new Error(`consumer ${this.options.consumer}: the pin may have passed to another client while a batch was handled; it is given back`));
    } else {
      throw cause;
    }
    return 'given-back';
  }

  private settled(): BatchOutcome {
    this.options.outage.ended();
    return 'settled';
  }

  private recordFailure(seq: number, last: Error): Failures {
    const failed = { count: (this.failures.get(seq)?.count ?? 0) + 1, last };
    this.failures.set(seq, failed);
    return failed;
  }

  private async deadLetter(message: JsMsg, reason: string): Promise<void> {
    await this.options.deadLetters.deadLetter(message, reason);
    this.failures.delete(message.seq);
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
    for (const entry of batch) this.failures.delete(entry.message.seq);
    for (const entry of batch.slice(0, -1)) entry.message.ack();
    // Acks are processed in order: once the server confirms the last, lag() reflects the whole batch.
    await batch[batch.length - 1].message.ackAck({ timeout: 5_000 }).catch((error: Error) => this.options.report(error));
  }

  private decode(message: JsMsg): ConsumeResult {
    try {
      return this.options.validate(decodeConsumedEvent(message.data, message.seq, message.subject));
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }
}

function failedReason(failures: Failures): string {
  return `handler failed ${failures.count} times: ${failures.last.message}`;
}
