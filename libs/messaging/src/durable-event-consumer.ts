import {
  AckPolicy,
  DeliverPolicy,
  nanos,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
  type JsMsg,
  type MsgRequest,
  type NatsConnection,
} from 'nats';
import { validateOnConsume, type CairnEvent, type ConsumeResult } from '@cairn/contracts';
import { categoryFilterSubjects, decodeStoredEvent, DEFAULT_SUBJECT_PREFIX } from '@cairn/event-store';
import { DeadLetterPublisher } from './dead-letter';
import { ConsumerGoneError, pullBatch } from './pull-batch';

export const DEFAULT_EVENTS_STREAM = 'CAIRN_EVENTS';

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

export interface DurableEventConsumerOptions {
  nc: NatsConnection;
  /** Durable name: unique per stream (all services share one), also names `cairn.dlq.<name>`. */
  name: string;
  /** `<context>_<aggregate>` categories; each becomes one of the consumer's `filter_subjects`. */
  categories: string[];
  /**
   * Handles a batch in position order. Resolving acknowledges the batch; throwing makes it retried
   * (see `maxDeliver`); throwing `ConsumerResetRequested` re-creates the consumer from `resumePosition`.
   */
  handle(events: CairnEvent[]): Promise<void>;
  streamName?: string;
  subjectPrefix?: string;
  /** Messages per pull and the consumer's `max_ack_pending`. */
  batchSize?: number;
  /** A message delivered this many times without being handled is dead-lettered. */
  maxDeliver?: number;
  /** Pause after a failed delivery n (1-based) before trying again: `backoffMs[n - 1]`, the last one repeating. */
  backoffMs?: number[];
  ackWaitMs?: number;
  /**
   * Only one client of the consumer receives messages at a time (`pinned_client` priority group), so
   * every replica of a service may run it; another takes over once the active one has not pulled for
   * `pinnedTtlMs`. Off for private consumers such as a rebuild's.
   */
  singleActive?: boolean;
  pinnedTtlMs?: number;
  /** Where a new (or re-created) consumer starts: after this position. Default 0, the beginning. */
  resumePosition?(): Promise<number>;
  /** Checks and upcasts what arrived; default: the platform's event catalogue. */
  validate?(candidate: unknown): ConsumeResult;
  /** A temporary consumer: the server deletes it once nobody has pulled for this long. */
  inactiveThresholdMs?: number;
  /** How long a pull waits for the first message. */
  longPollMs?: number;
  /**
   * Called when this client has just become the active one, with the consumer's state at that moment:
   * nothing after `lastDeliveredPosition` can have reached a predecessor.
   */
  onActivated?(lag: ConsumerLag): void | Promise<void>;
  onError?(error: Error): void;
}

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

type ProgressListener = (position: number) => void;

const PRIORITY_GROUP = 'cairn';
/** The server's consumer config knows priority groups; the v2 client's declarations do not yet. */
type CairnConsumerConfig = Partial<ConsumerConfig> & {
  priority_groups?: string[];
  priority_policy?: 'pinned_client';
  priority_timeout?: number;
};

interface Accepted {
  message: JsMsg;
  event: CairnEvent;
}

/**
 * A JetStream durable pull consumer that hands its handler batches of decoded, validated events.
 *
 * Order per aggregate (per subject) holds because:
 * - one client is active at a time (the pinned client; or one process, when `singleActive` is off);
 * - that client has at most one batch outstanding: it pulls, handles and acknowledges before pulling
 *   again, and `max_ack_pending = batchSize` makes the server refuse to hand out more than one batch's
 *   worth even to a misbehaving client;
 * - a failed batch is given back in one piece (immediate nak of the failed message and everything
 *   after it): the server serves its redelivery queue before anything new, so nothing newer overtakes
 *   it. A delayed nak would let newer messages through, hence the backoff pause is taken here;
 * - messages a dead predecessor left unacknowledged come back only when their ack wait expires. The pin
 *   outlives the ack wait (`pinnedTtlMs > ackWaitMs + longPollMs`), so they are normally back in the
 *   redelivery queue, served first, before a successor is pinned. Should some still be out (a
 *   predecessor alive but stuck), a client that has just become active sees the server's
 *   unacknowledged count exceed what it holds and re-creates the consumer from `resumePosition` (the
 *   handler's own checkpoint) instead of running ahead of them.
 *
 * Redelivery is bounded here, not by the server's `max_deliver`: the server drops a message that
 * reaches it with nothing but an advisory. Here the server's delivery count decides, and a message
 * over the limit goes to `cairn.dlq.<name>` like any poison message, before the handler sees it.
 */
export class DurableEventConsumer {
  readonly name: string;
  private readonly streamName: string;
  private readonly subjectPrefix: string;
  private readonly batchSize: number;
  private readonly maxDeliver: number;
  private readonly backoffMs: number[];
  private readonly ackWaitMs: number;
  private readonly singleActive: boolean;
  private readonly pinnedTtlMs: number;
  private readonly longPollMs: number;
  private readonly validate: (candidate: unknown) => ConsumeResult;
  private readonly deadLetters: DeadLetterPublisher;
  private readonly listeners = new Set<ProgressListener>();
  private readonly stopping = new AbortController();
  private running?: Promise<void>;
  private pinId?: string;
  /** False until this client has checked, on becoming active, that no predecessor left messages behind. */
  private verifiedActive = false;
  private lagRequest?: Promise<ConsumerLag>;

  private constructor(
    private readonly options: DurableEventConsumerOptions,
    private readonly jsm: JetStreamManager,
  ) {
    this.name = options.name;
    this.streamName = options.streamName ?? DEFAULT_EVENTS_STREAM;
    this.subjectPrefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    this.batchSize = options.batchSize ?? 200;
    this.maxDeliver = options.maxDeliver ?? 5;
    this.backoffMs = options.backoffMs ?? [1_000, 5_000, 15_000, 30_000];
    this.ackWaitMs = options.ackWaitMs ?? 10_000;
    this.singleActive = options.singleActive ?? true;
    this.pinnedTtlMs = options.pinnedTtlMs ?? 30_000;
    this.longPollMs = options.longPollMs ?? Math.min(5_000, Math.floor(this.pinnedTtlMs / 3));
    this.validate = options.validate ?? validateOnConsume;
    this.deadLetters = new DeadLetterPublisher(options.nc.jetstream(), jsm, options.name);
    if (this.singleActive && this.pinnedTtlMs <= this.ackWaitMs + this.longPollMs) {
      // A successor must find a dead client's messages already back in the redelivery queue.
      throw new Error(`pinnedTtlMs (${this.pinnedTtlMs}) must exceed ackWaitMs + longPollMs`);
    }
  }

  /** Creates the durable consumer if needed (or brings its filter up to date) and returns a handle. */
  static async create(options: DurableEventConsumerOptions): Promise<DurableEventConsumer> {
    const consumer = new DurableEventConsumer(options, await options.nc.jetstreamManager());
    await consumer.ensure();
    return consumer;
  }

  /** Consumes in the background until `stop()`. */
  start(): void {
    this.running ??= this.consumeLoop();
  }

  /** Final: finishes the batch in hand, then hands the pin over so that another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    if (this.pinId === undefined) return;
    this.pinId = undefined;
    await this.options.nc
      .request(`$JS.API.CONSUMER.UNPIN.${this.streamName}.${this.name}`, JSON.stringify({ group: PRIORITY_GROUP }), {
        timeout: 2_000,
      })
      .catch(() => undefined);
  }

  /** Handles everything available now, then resolves with the number of messages taken (rebuilds). */
  async processAvailable(): Promise<number> {
    let taken = 0;
    for (;;) {
      const messages = await this.pull(undefined);
      if (messages.length === 0) return taken;
      taken += messages.length;
      await this.process(messages);
    }
  }

  /** Called with the position of the last message settled (handled or dead-lettered) after each batch. */
  onProgress(listener: ProgressListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Concurrent callers share one consumer-info request. */
  lag(): Promise<ConsumerLag> {
    this.lagRequest ??= this.jsm.consumers
      .info(this.streamName, this.name)
      .then(lagOf)
      .finally(() => {
        this.lagRequest = undefined;
      });
    return this.lagRequest;
  }

  /**
   * Whether every message of this consumer's categories up to `position` is settled: its ack floor is
   * there, or no matching message lies between the ack floor and `position`. (The consumer's pending
   * count is updated asynchronously after a store, so "nothing pending" right after an append can
   * still be stale; the stream itself cannot.)
   */
  async hasSettledThrough(position: number): Promise<boolean> {
    const { ackFloorPosition } = await this.lag();
    if (ackFloorPosition >= position) return true;
    const next = await this.firstMatchingAfter(ackFloorPosition);
    if (next !== undefined) return next > position;
    // Nothing of ours is outstanding; but a position the stream has not reached yet is not passed.
    const { state } = await this.jsm.streams.info(this.streamName);
    return state.last_seq >= position;
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

  /** The position of the first message of this consumer's categories after `position`, if any. */
  private async firstMatchingAfter(position: number): Promise<number | undefined> {
    const firsts = await Promise.all(
      categoryFilterSubjects(this.options.categories, this.subjectPrefix).map((subject) =>
        this.jsm.streams
          .getMessage(this.streamName, { seq: position + 1, next_by_subj: subject } as unknown as MsgRequest)
          .then((message) => message.seq, ignoreNoMessage),
      ),
    );
    const found = firsts.filter((sequence): sequence is number => sequence !== undefined);
    return found.length > 0 ? Math.min(...found) : undefined;
  }

  /** Deletes the durable consumer (a finished rebuild's, say). */
  async delete(): Promise<void> {
    await this.jsm.consumers.delete(this.streamName, this.name).catch(ignoreNotFound);
  }

  /** Starts the consumer over from `resumePosition`, dropping whatever it had outstanding. */
  async reset(): Promise<void> {
    await this.delete();
    this.pinId = undefined;
    this.verifiedActive = false;
    await this.createConsumer();
  }

  private async consumeLoop(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const messages = await this.pull(this.longPollMs);
        if (messages.length > 0) await this.process(messages);
        failures = 0;
      } catch (error) {
        if (this.stopping.signal.aborted) break;
        if (error instanceof ConsumerGoneError) {
          // Deleted underneath (a rebuild restarts the live consumer that way): re-create it from the checkpoint.
          this.pinId = undefined;
          this.verifiedActive = false;
          const recreated = await this.ensure().then(
            () => true,
            (ensureError: Error) => (this.report(ensureError), false),
          );
          // At once the first time; if it keeps vanishing, with backoff like any other failure.
          if (recreated && failures++ === 0) continue;
        } else {
          this.report(error as Error);
        }
        await this.pause(this.backoffFor(++failures));
      }
    }
  }

  private async pull(waitMs: number | undefined): Promise<JsMsg[]> {
    const result = await pullBatch(
      this.options.nc,
      {
        stream: this.streamName,
        consumer: this.name,
        batch: this.batchSize,
        waitMs,
        ...(this.singleActive ? { group: PRIORITY_GROUP, pinId: this.pinId } : {}),
      },
      this.stopping.signal,
    );
    if (result.pinLost) {
      this.pinId = undefined;
      this.verifiedActive = false;
    }
    if (result.pinId !== undefined && result.pinId !== this.pinId) {
      this.pinId = result.pinId;
      this.verifiedActive = false;
    }
    const messages = result.messages.sort((a, b) => a.seq - b.seq);
    if (messages.length > 0 && !this.verifiedActive) {
      const lag = lagOf(await this.jsm.consumers.info(this.streamName, this.name));
      await this.options.onActivated?.(lag);
      const { ackPending } = lag;
      if (ackPending > messages.length) {
        this.report(new Error(`consumer ${this.name}: ${ackPending - messages.length} messages left unacknowledged by a previous client; restarting from the checkpoint`));
        await this.reset();
        return [];
      }
      this.verifiedActive = true;
    }
    return messages;
  }

  private async process(messages: JsMsg[]): Promise<void> {
    const accepted: Accepted[] = [];
    for (const [index, message] of messages.entries()) {
      try {
        const deliveries = message.info.deliveryCount;
        const checked = deliveries > this.maxDeliver ? undefined : this.decode(message);
        if (checked?.ok) {
          accepted.push({ message, event: checked.event });
        } else {
          const reason = checked?.reason ?? `delivered ${deliveries} times (limit ${this.maxDeliver}) without being handled`;
          await this.deadLetters.deadLetter(message, reason);
        }
      } catch (error) {
        // The dead-letter queue is unavailable: give the batch back untouched and try again later.
        for (const rest of [...accepted.map((entry) => entry.message), ...messages.slice(index)]) rest.nak();
        throw error;
      }
    }
    if (accepted.length > 0) {
      try {
        await this.handleAndAck(accepted);
      } catch (error) {
        if (error instanceof ConsumerResetRequested) return this.reset();
        const settled = await this.handleOneByOne(accepted, accepted.length === 1 ? (error as Error) : undefined);
        if (!settled) return;
      }
    }
    this.notify(messages[messages.length - 1].seq);
  }

  /**
   * After a batch failed: each message on its own, so that one bad message is found, retried with
   * backoff and in the end dead-lettered while the good ones go through. A message that fails hands
   * itself and everything after it back to the server, in order. Resolves true when every message
   * was settled (handled or dead-lettered).
   */
  private async handleOneByOne(accepted: Accepted[], knownFailure?: Error): Promise<boolean> {
    for (const [index, entry] of accepted.entries()) {
      let failure = index === 0 ? knownFailure : undefined;
      if (!failure) {
        try {
          await this.handleAndAck([entry]);
          continue;
        } catch (error) {
          if (error instanceof ConsumerResetRequested) {
            await this.reset();
            return false;
          }
          failure = error as Error;
        }
      }
      const deliveries = entry.message.info.deliveryCount;
      if (deliveries >= this.maxDeliver || failure instanceof UnprocessableEvent) {
        const reason =
          failure instanceof UnprocessableEvent
            ? `handler refused it: ${failure.message}`
            : `handler failed ${deliveries} times: ${failure.message}`;
        try {
          await this.deadLetters.deadLetter(entry.message, reason);
          continue;
        } catch (error) {
          failure = error as Error;
        }
      }
      this.report(failure);
      for (const rest of accepted.slice(index)) rest.message.nak();
      await this.pause(this.backoffFor(deliveries));
      return false;
    }
    return true;
  }

  private async handleAndAck(batch: Accepted[]): Promise<void> {
    // Long handlers keep their messages from being redelivered behind their back.
    const heartbeat = setInterval(
      () => batch.forEach((entry) => entry.message.working()),
      Math.max(100, Math.floor(this.ackWaitMs / 3)),
    );
    try {
      await this.options.handle(batch.map((entry) => entry.event));
    } finally {
      clearInterval(heartbeat);
    }
    for (const entry of batch.slice(0, -1)) entry.message.ack();
    // Acks are processed in order: once the server confirms the last, lag() reflects the whole batch.
    await batch[batch.length - 1].message.ackAck({ timeout: 5_000 }).catch((error: Error) => this.report(error));
  }

  private decode(message: JsMsg): ConsumeResult {
    try {
      return this.validate(decodeStoredEvent(message.data, message.seq));
    } catch (error) {
      return { ok: false, reason: (error as Error).message };
    }
  }

  private async ensure(): Promise<void> {
    const existing = await this.jsm.consumers.info(this.streamName, this.name).catch(ignoreNotFound);
    if (!existing) return this.createConsumer();
    const wanted = this.mutableConfig();
    const current = existing.config;
    const currentFilter = current.filter_subjects ?? (current.filter_subject ? [current.filter_subject] : []);
    if (
      !sameMembers(currentFilter, wanted.filter_subjects) ||
      current.max_ack_pending !== wanted.max_ack_pending ||
      current.ack_wait !== wanted.ack_wait
    ) {
      await this.jsm.consumers.update(this.streamName, this.name, wanted);
    }
  }

  private async createConsumer(): Promise<void> {
    const resumeAfter = (await this.options.resumePosition?.()) ?? 0;
    const config: CairnConsumerConfig = {
      durable_name: this.name,
      ...this.mutableConfig(),
      ack_policy: AckPolicy.Explicit,
      max_deliver: -1,
      ...(resumeAfter > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: resumeAfter + 1 }
        : { deliver_policy: DeliverPolicy.All }),
      ...(this.singleActive
        ? { priority_groups: [PRIORITY_GROUP], priority_policy: 'pinned_client', priority_timeout: nanos(this.pinnedTtlMs) }
        : {}),
      ...(this.options.inactiveThresholdMs ? { inactive_threshold: nanos(this.options.inactiveThresholdMs) } : {}),
    };
    await this.jsm.consumers.add(this.streamName, config).catch((error: Error) => {
      // Another replica created it in the meantime, from the same checkpoint.
      if (!/already exists|already in use/i.test(error.message)) throw error;
    });
  }

  private mutableConfig(): { filter_subjects: string[]; max_ack_pending: number; ack_wait: number } {
    return {
      filter_subjects: categoryFilterSubjects(this.options.categories, this.subjectPrefix),
      max_ack_pending: this.batchSize,
      ack_wait: nanos(this.ackWaitMs),
    };
  }

  private backoffFor(deliveries: number): number {
    return this.backoffMs[Math.min(Math.max(deliveries, 1), this.backoffMs.length) - 1] ?? 0;
  }

  private pause(ms: number): Promise<void> {
    const signal = this.stopping.signal;
    if (signal.aborted || ms <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
      function done() {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      }
    });
  }

  private notify(position: number): void {
    for (const listener of this.listeners) listener(position);
  }

  private report(error: Error): void {
    if (this.options.onError) this.options.onError(error);
    else console.error(`[consumer ${this.name}]`, error.message);
  }
}

function lagOf(info: ConsumerInfo): ConsumerLag {
  return {
    pending: info.num_pending,
    ackPending: info.num_ack_pending,
    lastDeliveredPosition: info.delivered.stream_seq,
    ackFloorPosition: info.ack_floor.stream_seq,
  };
}

function sameMembers(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}

function ignoreNoMessage(error: Error): undefined {
  if (/no message found/i.test(error.message)) return undefined;
  throw error;
}

function ignoreNotFound(error: Error): undefined {
  if (/not found/i.test(error.message)) return undefined;
  throw error;
}
