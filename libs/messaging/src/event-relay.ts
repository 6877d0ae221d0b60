import { StorageType, type JetStreamClient, type JetStreamManager, type KV, type NatsConnection } from 'nats';
import type { CairnEvent } from '@cairn/contracts';
import {
  decodeStoredEvent,
  DEFAULT_SUBJECT_PREFIX,
  encodeEvent,
  JetStreamEventStore,
  type EventStore,
  type Subscription,
} from '@cairn/event-store';
import { DEFAULT_EVENTS_STREAM } from './durable-event-consumer';

export const RELAY_CHECKPOINT_BUCKET = 'cairn_relay_checkpoints';

/** Where a relay is: the last source event published, and the target position it got there. */
export interface RelayCheckpoint {
  sourcePosition: number;
  /**
   * Stream sequence of that event on JetStream. Positions are per store: this pair is what translates
   * a source position (a command's `Cairn-Position` under EventStoreDB) into a bus position.
   */
  targetPosition: number;
}

export interface EventRelayOptions {
  /** The store the service appends to (EventStoreDB in production). */
  source: EventStore;
  /** Connection to the JetStream server the consumers read. */
  nc: NatsConnection;
  /** The relay's name (the service's): its checkpoint key. */
  name: string;
  /** The service's own categories: a relay publishes only what its service wrote. */
  categories: string[];
  streamName?: string;
  subjectPrefix?: string;
  /** Copies of the events stream in a JetStream cluster, when the relay creates it. */
  replicas?: number;
  /** The checkpoint is stored after this many events, or this long after the last store. */
  checkpointEveryEvents?: number;
  checkpointEveryMs?: number;
  /** Pause before following the source again after an error. */
  retryAfterMs?: number;
  onError?(error: Error): void;
}

/** Another instance stored a checkpoint for the same relay: only one may run. */
export class RelayConflictError extends Error {
  constructor(name: string) {
    super(`relay ${name}: another instance stored its checkpoint; this one stops`);
    this.name = 'RelayConflictError';
  }
}

/**
 * EventStoreDB → JetStream (DESIGN §2). Follows the source store's subscription for the service's own
 * categories from a stored checkpoint and publishes every event, encoded exactly as the JetStream
 * store encodes it (so consumers cannot tell the two apart), with `Nats-Msg-Id` = event id.
 *
 * The checkpoint lives in a JetStream KV bucket next to the stream it describes: the relay needs no
 * other server, KV writes are as durable as the stream's (file storage, `sync_interval: always`), and
 * compare-and-set on the entry's revision lets only one relay instance advance it.
 *
 * It is stored only after the publishes it covers were acknowledged, so a restart never leaves a gap.
 * The events after the checkpoint may already be on the stream (stored, then crashed before the next
 * checkpoint); each of them is looked up on its subject before it is published again, until the first
 * one that is missing: from there on nothing can be there yet, since publishes happen in order. The
 * server's duplicate window (`Nats-Msg-Id`) is the second line, for the time between.
 */
export class EventRelay {
  private subscription?: Subscription;
  private stored: { checkpoint: RelayCheckpoint; revision: number };
  private published: RelayCheckpoint;
  private sinceStore = 0;
  private storeTimer?: NodeJS.Timeout;
  private storing: Promise<void> = Promise.resolve();
  /** True until the first event that is not on the stream yet has been found after (re)subscribing. */
  private verifying = true;
  private retryTimer?: NodeJS.Timeout;
  private stopped = false;
  private readonly streamName: string;
  private readonly subjectPrefix: string;

  private constructor(
    private readonly options: EventRelayOptions,
    private readonly js: JetStreamClient,
    private readonly jsm: JetStreamManager,
    private readonly kv: KV,
    stored: { checkpoint: RelayCheckpoint; revision: number },
  ) {
    this.streamName = options.streamName ?? DEFAULT_EVENTS_STREAM;
    this.subjectPrefix = options.subjectPrefix ?? DEFAULT_SUBJECT_PREFIX;
    this.stored = stored;
    this.published = stored.checkpoint;
  }

  static async start(options: EventRelayOptions): Promise<EventRelay> {
    // The stream's configuration belongs to the JetStream store: let it create or update the stream.
    await (
      await JetStreamEventStore.connect({
        nc: options.nc,
        streamName: options.streamName,
        subjectPrefix: options.subjectPrefix,
        replicas: options.replicas,
      })
    ).close();
    const js = options.nc.jetstream();
    const kv = await js.views.kv(RELAY_CHECKPOINT_BUCKET, { history: 1, storage: StorageType.File });
    const entry = await kv.get(options.name);
    const stored =
      entry && entry.operation === 'PUT'
        ? { checkpoint: entry.json<RelayCheckpoint>(), revision: entry.revision }
        : { checkpoint: { sourcePosition: 0, targetPosition: 0 }, revision: 0 };
    const relay = new EventRelay(options, js, await options.nc.jetstreamManager(), kv, stored);
    await relay.follow();
    return relay;
  }

  /** The last event published (its checkpoint may not be stored yet). */
  get position(): RelayCheckpoint {
    return this.published;
  }

  /** Stops following, then stores the checkpoint of everything published. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    await this.subscription?.close();
    this.subscription = undefined;
    await this.storeCheckpoint();
  }

  private async follow(): Promise<void> {
    this.verifying = true;
    this.subscription = await this.options.source.subscribe({
      fromPosition: this.published.sourcePosition,
      categories: this.options.categories,
      onEvent: (event) => this.relay(event),
      onError: (error) => this.recover(error),
    });
  }

  private async relay(event: CairnEvent): Promise<void> {
    const { position, ...envelope } = event;
    const encoded = encodeEvent(envelope, this.subjectPrefix);
    const alreadyThere = this.verifying ? await this.findOnStream(encoded.subject, event) : undefined;
    if (alreadyThere === undefined) {
      this.verifying = false;
      const ack = await this.js.publish(encoded.subject, encoded.data, { headers: encoded.headers });
      this.published = { sourcePosition: position, targetPosition: ack.seq };
    } else {
      this.published = { sourcePosition: position, targetPosition: alreadyThere };
    }
    this.sinceStore++;
    if (this.sinceStore >= (this.options.checkpointEveryEvents ?? 100)) {
      await this.storeCheckpoint();
    } else {
      this.storeTimer ??= setTimeout(
        () => void this.storeCheckpoint().catch((error: Error) => this.recover(error)),
        this.options.checkpointEveryMs ?? 250,
      );
    }
  }

  /** The stream sequence of this event if its stream on JetStream already holds it. */
  private async findOnStream(subject: string, event: CairnEvent): Promise<number | undefined> {
    const last = await this.jsm.streams.getMessage(this.streamName, { last_by_subj: subject }).catch((error: Error) => {
      if (/no message found/i.test(error.message)) return undefined;
      throw error;
    });
    if (!last) return undefined;
    const newest = decodeStoredEvent(last.data, last.seq);
    if (newest.streamversion < event.streamversion) return undefined;
    // Older versions of the subject are earlier on the stream; the exact sequence matters only for
    // the checkpoint's translation, and the last one is an upper bound that keeps it monotonic.
    return last.seq;
  }

  /** Serialized: the timer's store and the count-triggered one never race each other. */
  private storeCheckpoint(): Promise<void> {
    this.storing = this.storing.catch(() => undefined).then(async () => {
      clearTimeout(this.storeTimer);
      this.storeTimer = undefined;
      const checkpoint = this.published;
      if (checkpoint.sourcePosition === this.stored.checkpoint.sourcePosition) return;
      const value = JSON.stringify(checkpoint);
      const revision = await (this.stored.revision === 0
        ? this.kv.create(this.options.name, value)
        : this.kv.update(this.options.name, value, this.stored.revision)
      ).catch((error: Error) => {
        if (/wrong last sequence|key exists/i.test(error.message)) throw new RelayConflictError(this.options.name);
        throw error;
      });
      this.stored = { checkpoint, revision };
      this.sinceStore = 0;
    });
    return this.storing;
  }

  private recover(error: Error): void {
    this.report(error);
    if (this.stopped) return;
    if (error instanceof RelayConflictError) {
      void this.stop().catch(() => undefined);
      return;
    }
    const subscription = this.subscription;
    this.subscription = undefined;
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      void (async () => {
        await subscription?.close().catch(() => undefined);
        if (this.stopped) return;
        await this.follow();
      })().catch((followError: Error) => this.recover(followError));
    }, this.options.retryAfterMs ?? 1_000);
  }

  private report(error: Error): void {
    if (this.options.onError) this.options.onError(error);
    else console.error(`[relay ${this.options.name}]`, error.message);
  }
}
