import { AckPolicy, DeliverPolicy, nanos, type ConsumerConfig, type ConsumerInfo, type JetStreamManager } from 'nats';

export const DEFAULT_EVENTS_STREAM = 'CAIRN_EVENTS';

/** The priority group every pinned consumer of the platform uses. */
export const PRIORITY_GROUP = 'cairn';

/** The server's consumer config knows priority groups; the v2 client's declarations do not yet. */
type CairnConsumerConfig = Partial<ConsumerConfig> & {
  priority_groups?: string[];
  priority_policy?: 'pinned_client';
  priority_timeout?: number;
};

/** What the durable consumer on the server looks like. */
export interface ConsumerShape {
  stream: string;
  name: string;
  filterSubjects: string[];
  /** The consumer's `max_ack_pending`: one batch. */
  batchSize: number;
  ackWaitMs: number;
  /** A `pinned_client` priority group with this pin timeout; absent: every client receives. */
  pinnedTtlMs?: number;
  /** A temporary consumer: the server deletes it once nobody has pulled for this long. */
  inactiveThresholdMs?: number;
}

/**
 * Creates, updates and deletes a durable consumer on the server. Redelivery is bounded by the client
 * (`max_deliver: -1` here): the server would drop a message that reaches its limit with nothing but an
 * advisory, where the client dead-letters it.
 */
export class ConsumerProvisioning {
  constructor(
    private readonly jsm: JetStreamManager,
    private readonly shape: ConsumerShape,
    /**
     * The owner's checkpoint: a new or re-created consumer starts after it. Without one a new consumer
     * starts at the beginning and a re-created one where the old one's acknowledgements had got to.
     */
    private readonly resumePosition?: () => Promise<number>,
  ) {}

  info(): Promise<ConsumerInfo> {
    return this.jsm.consumers.info(this.shape.stream, this.shape.name);
  }

  /** Creates the consumer if it does not exist, or brings its filter and limits up to date. */
  async ensure(): Promise<void> {
    const existing = await this.info().catch(ignoreNotFound);
    if (!existing) return this.create();
    const wanted = this.mutableConfig();
    const current = existing.config as CairnConsumerConfig;
    const currentFilter = current.filter_subjects ?? (current.filter_subject ? [current.filter_subject] : []);
    if (
      !sameMembers(currentFilter, wanted.filter_subjects) ||
      current.max_ack_pending !== wanted.max_ack_pending ||
      current.ack_wait !== wanted.ack_wait ||
      current.priority_timeout !== wanted.priority_timeout
    ) {
      await this.jsm.consumers.update(this.shape.stream, this.shape.name, wanted);
    }
  }

  /** Starts the consumer over from `resumePosition` (or its ack floor), dropping whatever it had outstanding. */
  async recreate(): Promise<void> {
    const ackFloor = this.resumePosition ? 0 : ((await this.info().catch(ignoreNotFound))?.ack_floor.stream_seq ?? 0);
    await this.delete();
    await this.create(ackFloor);
  }

  async delete(): Promise<void> {
    await this.jsm.consumers.delete(this.shape.stream, this.shape.name).catch(ignoreNotFound);
  }

  private async create(acknowledgedThrough = 0): Promise<void> {
    const { pinnedTtlMs, inactiveThresholdMs } = this.shape;
    const resumeAfter = this.resumePosition ? await this.resumePosition() : acknowledgedThrough;
    const config: CairnConsumerConfig = {
      durable_name: this.shape.name,
      ...this.mutableConfig(),
      ack_policy: AckPolicy.Explicit,
      max_deliver: -1,
      ...(resumeAfter > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: resumeAfter + 1 }
        : { deliver_policy: DeliverPolicy.All }),
      ...(pinnedTtlMs !== undefined ? { priority_groups: [PRIORITY_GROUP], priority_policy: 'pinned_client' } : {}),
      ...(inactiveThresholdMs ? { inactive_threshold: nanos(inactiveThresholdMs) } : {}),
    };
    await this.jsm.consumers.add(this.shape.stream, config).catch((error: Error) => {
      // Another replica created it in the meantime, from the same checkpoint.
      if (!/already exists|already in use/i.test(error.message)) throw error;
    });
  }

  private mutableConfig(): { filter_subjects: string[]; max_ack_pending: number; ack_wait: number; priority_timeout?: number } {
    const { pinnedTtlMs } = this.shape;
    return {
      filter_subjects: this.shape.filterSubjects,
      max_ack_pending: this.shape.batchSize,
      ack_wait: nanos(this.shape.ackWaitMs),
      ...(pinnedTtlMs !== undefined ? { priority_timeout: nanos(pinnedTtlMs) } : {}),
    };
  }
}

function sameMembers(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function ignoreNotFound(error: Error): undefined {
  if (/not found/i.test(error.message)) return undefined;
  throw error;
}
