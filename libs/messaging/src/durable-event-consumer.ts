import type { JsMsg, NatsConnection } from 'nats';
import { validateOnConsume, type ConsumeResult } from '@cairn/contracts';
import { categoryFilterSubjects, DEFAULT_SUBJECT_PREFIX } from '@cairn/event-store';
import { DEFAULT_EVENTS_STREAM, ConsumerProvisioning } from './consumer-provisioning';
import { ConsumerSettlement, type ConsumerLag } from './consumer-settlement';
import { DeadLetterPublisher } from './dead-letter';
import { DeliveryPolicy, type BatchHandler } from './delivery-policy';
import { DependencyOutage } from './dependency-outage';
import { PinnedPullLoop } from './pinned-pull-loop';
import { ConsumerGoneError } from './pull-batch';

/** How long `processAvailable` waits for a new consumer's replicas to elect a leader. */
const CONSUMER_LEADER_WAIT_MS = 10_000;

export { DEFAULT_EVENTS_STREAM } from './consumer-provisioning';
export type { ConsumerLag } from './consumer-settlement';
export { ConsumerResetRequested, UnprocessableEvent, type BatchHandler } from './delivery-policy';

export interface DurableEventConsumerOptions {
  nc: NatsConnection;
  /** Durable name: unique per stream (all services share one), also names `cairn.dlq.<name>`. */
  name: string;
  /** `<context>_<aggregate>` categories; each becomes one of the consumer's `filter_subjects`. */
  categories: string[];
  /**
   * Handles a batch in position order. Resolving acknowledges the batch; throwing makes it retried
   * (see `maxDeliver`, and `outageBackoffMs` for a dependency that does not answer); throwing
   * `ConsumerResetRequested` re-creates the consumer from `resumePosition`.
   * A single-active consumer passes a signal that aborts when this client may no longer be the only
   * one receiving: stop writing then (the batch is given back whole).
   */
  handle: BatchHandler;
  streamName?: string;
  subjectPrefix?: string;
  /** Messages per pull and the consumer's `max_ack_pending`. */
  batchSize?: number;
  /**
   * A message whose handler failed this many times is dead-lettered. Failures of an unreachable
   * dependency (`isTransientFailure`) do not count, however long it lasts.
   */
  maxDeliver?: number;
  /** Pause after a failed delivery n (1-based) before trying again: `backoffMs[n - 1]`, the last one repeating. */
  backoffMs?: number[];
  /**
   * While a dependency does not answer, the pause before the n-th try of the same events: the last one
   * repeating, it bounds how long after the dependency is back the consumer notices (default: up to 1 s;
   * a try against a MongoDB that is down waits out the driver's server selection besides).
   */
  outageBackoffMs?: number[];
  /** How long a delivered message may stay unacknowledged (the handler's heartbeat extends it) before it is redelivered. */
  ackWaitMs?: number;
  /**
   * Only one client of the consumer receives messages at a time (`pinned_client` priority group), so
   * every replica of a service may run it; another takes over once the active one has not pulled for
   * `pinnedTtlMs`. Off for private consumers such as a rebuild's.
   */
  singleActive?: boolean;
  /**
   * Below `ackWaitMs` (the default), a successor takes over a dead client's work before its messages
   * would be redelivered, by starting over from `resumePosition`. At least twice `longPollMs`, so that an
   * idle active client keeps its pin.
   */
  pinnedTtlMs?: number;
  /**
   * The owner's checkpoint: a new (or re-created) consumer starts after it. Without it a new consumer
   * starts at the beginning, and one re-created behind a previous client's leftovers where its
   * acknowledgements had got to (a reactor's place is its acknowledgements).
   */
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

type ProgressListener = (position: number) => void;

/**
 * A JetStream durable pull consumer that hands its handler batches of decoded, validated events, in
 * four parts: provisioning (the consumer on the server), the pull loop with the pin (one active client
 * at a time), the retry and dead-letter policy, and the settlement queries (what the server says about
 * its progress).
 *
 * Order per aggregate (per subject) holds because:
 * - one client is active at a time (the pinned client; or one process, when `singleActive` is off), and
 *   a successor never runs ahead of messages a predecessor left unacknowledged (`PinnedPullLoop`);
 * - that client has at most one batch outstanding: it pulls, handles and acknowledges before pulling
 *   again, and `max_ack_pending = batchSize` makes the server refuse to hand out more than one batch's
 *   worth even to a misbehaving client;
 * - a failed batch is given back in one piece, served again before anything new (`DeliveryPolicy`).
 */
export class DurableEventConsumer {
  private readonly listeners = new Set<ProgressListener>();
  private running?: Promise<void>;

  private constructor(
    readonly name: string,
    private readonly provisioning: ConsumerProvisioning,
    private readonly loop: PinnedPullLoop,
    private readonly policy: DeliveryPolicy,
    private readonly settlement: ConsumerSettlement,
    private readonly outage: DependencyOutage,
    private readonly stopping: AbortController,
  ) {}

  /** Creates the durable consumer if needed (or brings its filter up to date) and returns a handle. */
  static async create(options: DurableEventConsumerOptions): Promise<DurableEventConsumer> {
    const stream = options.streamName ?? DEFAULT_EVENTS_STREAM;
    const batchSize = options.batchSize ?? 200;
    const ackWaitMs = options.ackWaitMs ?? 30_000;
    const singleActive = options.singleActive ?? true;
    const pinnedTtlMs = options.pinnedTtlMs ?? 10_000;
    const longPollMs = options.longPollMs ?? Math.min(5_000, Math.floor(pinnedTtlMs / 3));
    if (singleActive && pinnedTtlMs < 2 * longPollMs) {
      // An idle active client renews its pin with every pull; it must pull well within the pin's time.
      throw new Error(`pinnedTtlMs (${pinnedTtlMs}) must be at least twice longPollMs (${longPollMs})`);
    }
    const jsm = await options.nc.jetstreamManager();
    const filterSubjects = categoryFilterSubjects(options.categories, options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX);
    const provisioning = new ConsumerProvisioning(
      jsm,
      {
        stream,
        name: options.name,
        filterSubjects,
        batchSize,
        ackWaitMs,
        ...(singleActive ? { pinnedTtlMs } : {}),
        ...(options.inactiveThresholdMs ? { inactiveThresholdMs: options.inactiveThresholdMs } : {}),
      },
      options.resumePosition,
    );
    const report = (error: Error) => (options.onError ? options.onError(error) : console.error(`[consumer ${options.name}]`, error.message));
    const loop = new PinnedPullLoop({
      nc: options.nc,
      stream,
      consumer: options.name,
      provisioning,
      batchSize,
      longPollMs,
      ...(singleActive ? { pinnedTtlMs } : {}),
      onActivated: options.onActivated,
      report,
    });
    const stopping = new AbortController();
    const pause = (ms: number) => pauseUnlessStopped(ms, stopping.signal);
    const outage = new DependencyOutage({ consumer: options.name, backoffMs: options.outageBackoffMs ?? [250, 500, 1_000], pause });
    const policy = new DeliveryPolicy({
      consumer: options.name,
      handle: options.handle,
      validate: options.validate ?? validateOnConsume,
      deadLetters: new DeadLetterPublisher(options.nc.jetstream(), jsm, options.name),
      maxDeliver: options.maxDeliver ?? 5,
      backoffMs: options.backoffMs ?? [1_000, 5_000, 15_000, 30_000],
      ackWaitMs,
      handlingSignal: () => loop.handlingSignal(),
      outage,
      pause,
      report,
    });
    await provisioning.ensure();
    const settlement = new ConsumerSettlement(jsm, stream, options.name, filterSubjects);
    return new DurableEventConsumer(options.name, provisioning, loop, policy, settlement, outage, stopping);
  }

  /** Consumes in the background until `stop()`. */
  start(): void {
    this.running ??= this.loop.run((messages) => this.process(messages), this.stopping.signal, {
      backoffFor: (failures) => this.policy.backoffFor(failures),
      pause: (ms) => pauseUnlessStopped(ms, this.stopping.signal),
      outage: this.outage,
    });
  }

  /** Final: finishes the batch in hand, then hands the pin over so that another replica takes over at once. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
    await this.loop.releasePin();
  }

  /**
   * Handles everything available now, then resolves with the number of messages taken (rebuilds). A
   * consumer just created in a cluster answers no pull until its replicas have elected a leader: such a
   * pull is tried again for a while.
   */
  async processAvailable(): Promise<number> {
    let taken = 0;
    const leaderDeadline = Date.now() + CONSUMER_LEADER_WAIT_MS;
    for (;;) {
      let messages: JsMsg[];
      try {
        messages = await this.loop.pull(undefined, this.stopping.signal);
      } catch (error) {
        if (!(error instanceof ConsumerGoneError) || Date.now() > leaderDeadline) throw error;
        await this.provisioning.ensure();
        await pauseUnlessStopped(250, this.stopping.signal);
        continue;
      }
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

  /** See `PinnedPullLoop.isActive`. */
  get isActive(): boolean {
    return this.loop.isActive;
  }

  /** Waiting for a dependency that does not answer, to take the same events again (see `DependencyOutage`). */
  get isPaused(): boolean {
    return this.outage.inProgress;
  }

  /** Concurrent callers share one consumer-info request. */
  lag(): Promise<ConsumerLag> {
    return this.settlement.lag();
  }

  /** See `ConsumerSettlement.hasSettledThrough`. */
  hasSettledThrough(position: number): Promise<boolean> {
    return this.settlement.hasSettledThrough(position);
  }

  /** See `ConsumerSettlement.hasSettledBeyond`. */
  hasSettledBeyond(position: number): Promise<boolean> {
    return this.settlement.hasSettledBeyond(position);
  }

  /** Deletes the durable consumer (a finished rebuild's, say). */
  delete(): Promise<void> {
    return this.provisioning.delete();
  }

  /** Starts the consumer over from `resumePosition` (or its ack floor), dropping whatever it had outstanding. */
  reset(): Promise<void> {
    return this.loop.restart();
  }

  private async process(messages: JsMsg[]): Promise<void> {
    const outcome = await this.policy.process(messages);
    if (outcome === 'reset-requested') return this.reset();
    if (outcome === 'settled') this.notify(messages[messages.length - 1].seq);
  }

  private notify(position: number): void {
    for (const listener of this.listeners) listener(position);
  }
}

/** Waits `ms`, or less if the consumer stops meanwhile. */
function pauseUnlessStopped(ms: number, stopped: AbortSignal): Promise<void> {
  if (stopped.aborted || ms <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    stopped.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      stopped.removeEventListener('abort', done);
      resolve();
    }
  });
}
