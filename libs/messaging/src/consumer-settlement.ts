import type { ConsumerInfo, JetStreamManager } from 'nats';
import { firstSequenceAfter } from '@cairn/event-store';

/** Observable consumer lag, straight from the server's consumer info. */
export interface ConsumerLag {
  /** Matching messages not yet delivered. */
  pending: number;
  /** Delivered, not yet acknowledged (or terminated). */
  ackPending: number;
  /** Stream sequence (= event position) of the last message delivered. */
  lastDeliveredPosition: number;
  /** Every matching message up to this position is settled (handled, or dead-lettered). */
  ackFloorPosition: number;
}

export function lagOf(info: ConsumerInfo): ConsumerLag {
  return {
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    lastDeliveredPosition: info.delivered.stream_seq,
    ackFloorPosition: info.ack_floor.stream_seq,
  };
}

/**
 * A settled-through answer is reused for this long (like a reader's pointer cache): a rebuild that
 * re-creates the consumer behind it is noticed within this time.
 */
const SETTLED_ANSWER_MS = 1_000;

/**
 * What the server says about how far a durable consumer has got: the same answer for every replica, so
 * any of them can tell a read whether the consumer's handler has taken in a position.
 */
export class ConsumerSettlement {
  private lagRequest?: Promise<ConsumerLag>;
  /** Every message of the consumer's subjects up to `through` was settled when last asked. */
  private settled = { through: 0, until: 0 };
  private settling?: Promise<void>;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly stream: string,
    private readonly consumer: string,
    private readonly filterSubjects: string[],
  ) {}

  /** Concurrent callers share one consumer-info request. */
  lag(): Promise<ConsumerLag> {
    this.lagRequest ??= this.jsm.consumers
      .info(this.stream, this.consumer)
      .then(lagOf)
      .finally(() => {
        this.lagRequest = undefined;
      });
    return this.lagRequest;
  }

  /**
   * Whether every message of the consumer's subjects up to `position` is settled: its ack floor is
   * there, or no matching message lies between the ack floor and `position`. (The consumer's pending
   * count is updated asynchronously after a store, so "nothing pending" right after an append can
   * still be stale; the stream itself cannot.)
   *
   * Many reads wait at once, each for its own recent position: one question to the server is in flight
   * at a time, and its answer (settled through some position, possibly past the caller's) serves every
   * read up to that position for a moment.
   */
  async hasSettledThrough(position: number): Promise<boolean> {
    for (;;) {
      if (position <= this.settled.through && Date.now() < this.settled.until) return true;
      if (!this.settling) {
        this.settling = this.askSettledThrough().finally(() => {
          this.settling = undefined;
        });
        await this.settling;
        return position <= this.settled.through;
      }
      // Asked before this caller came: its answer may not reach this far, then ask again.
      await this.settling.catch(() => undefined);
    }
  }

  private async askSettledThrough(): Promise<void> {
    const asked = Date.now();
    // The head first: a matching message stored after it is beyond what this answer vouches for.
    const head = (await this.jsm.streams.info(this.stream)).state.last_seq;
    const { ackFloorPosition } = await this.lag();
    const next = await this.firstMatchingAfter(ackFloorPosition);
    const through = Math.max(ackFloorPosition, Math.min(head, (next ?? Number.POSITIVE_INFINITY) - 1));
    this.settled = { through, until: asked + SETTLED_ANSWER_MS };
  }

  /**
   * Whether the consumer has settled messages after `position` (its owner's checkpoint): then it is
   * ahead of what its owner stored, for instance read models restored from an older backup.
   */
  async hasSettledBeyond(position: number): Promise<boolean> {
    const { ackFloorPosition } = await this.lag();
    if (ackFloorPosition <= position) return false;
    const next = await this.firstMatchingAfter(position);
    return next !== undefined && next <= ackFloorPosition;
  }

  /** The position of the first message of the consumer's subjects after `position`, if any. */
  private firstMatchingAfter(position: number): Promise<number | undefined> {
    return firstSequenceAfter(this.jsm, this.stream, this.filterSubjects, position);
  }
}
