import { isDeepStrictEqual } from 'node:util';
import {
  connect,
  DeliverPolicy,
  DiscardPolicy,
  nanos,
  RetentionPolicy,
  StorageType,
  type ConnectionOptions,
  type Consumers,
  type JetStreamManager,
  type NatsConnection,
  type OrderedConsumerOptions,
  type StreamConfig,
} from 'nats';
import { v4 as uuidv4 } from 'uuid';
import { readEventHeader, streamIdOf, type CairnEvent, type NewEvent, type StreamName } from '@cairn/contracts';
import { identify, newEnvelope, type IdentifiedEvent } from '../envelope';
import { namedConsumers } from './named-consumers';
import {
  WrongExpectedVersionError,
  type AppendResult,
  type EventStore,
  type ExpectedVersion,
  type ReadAllOptions,
  type SubscribeOptions,
  type Subscription,
} from '../port';
import {
  categoryFilterSubjects,
  decodeStoredEvent,
  DEFAULT_SUBJECT_PREFIX,
  encodeEvent,
  subjectOf,
  type EncodedEvent,
} from './codec';
import { directReader, sequenceOf, type DirectReader } from './direct-get';
import type { LogIndex } from '../log-index';
import { JetStreamLogTail } from './log-tail';
import { JetStreamPositions } from './positions';
import { isStoreUnavailable, StoreUnavailableError } from '../unavailable';

export interface JetStreamEventStoreOptions {
  /** Where and as whom to connect (servers, credentials, inbox prefix); ignored when `nc` is given. */
  connection?: ConnectionOptions;
  /** An existing connection; the store then leaves closing it to its owner. */
  nc?: NatsConnection;
  streamName?: string;
  subjectPrefix?: string;
  /** Copies of the stream in a JetStream cluster (production: 3); the server's default (1) when absent. */
  replicas?: number;
  /**
   * Follow the stream's tail (`JetStreamLogTail`), so that freshness checks and `Cairn-Min-Position`
   * waits answer recent ranges from it instead of asking the server (a service process does).
   */
  followTail?: boolean;
  /** Where the tail reports that it stopped (its index then answers nothing, and the server is asked). */
  onTailError?(error: Error): void;
}

/** The last event of a stream: its version (0-based) and its stream sequence. */
interface StreamHead {
  version: number;
  sequence: number;
}

interface PubAckReply {
  stream?: string;
  seq?: number;
  duplicate?: boolean;
  error?: { code: number; err_code: number; description: string };
}

/** `allow_atomic` (atomic batch publish, nats-server 2.12+) is newer than the `nats` v2 declarations. */
type CairnStreamConfig = Partial<StreamConfig> & { allow_atomic: boolean };

/** JetStream errors (`err_code`) that mean "the stream is not where this append expected it". */
const WRONG_LAST_SEQUENCE = 10071;
const BATCH_CONTAINS_DUPLICATE = 10201;
/** The server's limit on the messages of one atomic batch. */
const MAX_EVENTS_PER_COMMIT = 1000;
/** `any` and `stream-exists` re-read the head and try again when another writer got in first. */
const MAX_UNCHECKED_ATTEMPTS = 20;
const REQUEST_TIMEOUT_MS = 5000;
/** How long an append keeps publishing its commit again while the cluster cannot answer (a leader election takes seconds). */
const APPEND_OUTCOME_BOUND_MS = 10_000;
/** JetStream's answer while a stream has no leader (no quorum) or JetStream is not ready. */
const JETSTREAM_UNAVAILABLE = 503;
/** The sequence in JetStream's "wrong last sequence: 123". */
const LAST_SEQUENCE_IN_ERROR = /wrong last sequence: (\d+)/;
const HEAD_CACHE_SIZE = 10_000;
/**
 * Messages per pull: large enough that reads are not paced by round trips. A fresh object each time:
 * the client writes its own callback into the options it is given.
 */
const pullBatch = () => ({ max_messages: 1000 });

/**
 * Event store on one JetStream stream: a subject per aggregate, the stream sequence as global position,
 * optimistic concurrency by expected last subject sequence, deduplication by `Nats-Msg-Id`, and every
 * multi-event commit as one atomic batch.
 */
export class JetStreamEventStore implements EventStore {
  /** Each stream's head as this process last saw it, so an append with a fresh version needs no read. */
  private readonly heads = new Map<string, StreamHead>();
  private readonly direct: DirectReader;
  private readonly positions: JetStreamPositions;
  /** The highest stream sequence this process knows to be stored: no read it makes may show less (see `directReader`). */
  private highestSeen = 0;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly ownsConnection: boolean,
    private readonly consumers: Consumers,
    private readonly jsm: JetStreamManager,
    readonly streamName: string,
    readonly subjectPrefix: string,
    private readonly tail?: JetStreamLogTail,
  ) {
    this.direct = directReader(nc, streamName, () => Math.max(this.highestSeen, this.tail?.index.position ?? 0));
    this.positions = new JetStreamPositions(jsm, streamName, subjectPrefix, tail?.index);
  }

  static async connect(options: JetStreamEventStoreOptions): Promise<JetStreamEventStore> {
    const { streamName = 'CAIRN_EVENTS', subjectPrefix = DEFAULT_SUBJECT_PREFIX } = options;
    const nc =
      options.nc ??
      (await connect({
        name: 'cairn-event-store',
        ...options.connection,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 250,
      }));
    try {
      const jsm = await nc.jetstreamManager();
      await ensureStream(jsm, streamName, subjectPrefix, options.replicas);
      const js = nc.jetstream();
      const tail = options.followTail ? await JetStreamLogTail.start({ js, jsm, stream: streamName, subjectPrefix, onError: options.onTailError }) : undefined;
      return new JetStreamEventStore(nc, !options.nc, namedConsumers(nc), jsm, streamName, subjectPrefix, tail);
    } catch (error) {
      if (!options.nc) await nc.close();
      throw error;
    }
  }

  async append(stream: StreamName, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const subject = subjectOf(stream, this.subjectPrefix);
    const commit = identify(events);
    if (commit.length > MAX_EVENTS_PER_COMMIT) {
      throw new Error(`a commit holds at most ${MAX_EVENTS_PER_COMMIT} events, not ${commit.length}`);
    }
    for (let attempt = 1; ; attempt++) {
      const head = await this.headFor(subject, expected);
      if (!satisfies(expected, head)) {
        return this.originalResultOrConflict(stream, subject, commit, expected);
      }
      const time = new Date().toISOString();
      const firstVersion = head ? head.version + 1 : 0;
      const encoded = commit.map((event, index) =>
        encodeEvent(newEnvelope(stream, event, firstVersion + index, time), this.subjectPrefix),
      );
      const ack = await this.publishUntilAnswered(subject, encoded, head?.sequence ?? 0);
      this.sawSequence(ack.seq ?? Number(LAST_SEQUENCE_IN_ERROR.exec(ack.error?.description ?? '')?.[1] ?? 0));
      if (ack.error === undefined && !ack.duplicate && ack.seq !== undefined) {
        const appended = { version: firstVersion + commit.length - 1, sequence: ack.seq };
        this.remember(subject, appended);
        return { nextVersion: appended.version, position: appended.sequence, time };
      }
      this.heads.delete(subject);
      const code = ack.error?.err_code;
      const alreadyStored = ack.duplicate === true || code === BATCH_CONTAINS_DUPLICATE;
      if (ack.error !== undefined && !alreadyStored && code !== WRONG_LAST_SEQUENCE) {
        throw new Error(`JetStream refused the append to ${subject}: ${ack.error.description} (${code})`);
      }
      // The server checks the expected sequence before deduplicating, so a retry of an append that did
      // get stored meets a "wrong last sequence" too: its events, if stored, follow the head it built on.
      // A duplicate means they are stored somewhere up to that head.
      const unchecked = expected === 'any' || expected === 'stream-exists';
      if (alreadyStored || !unchecked || attempt >= MAX_UNCHECKED_ATTEMPTS) {
        const searchFrom = alreadyStored ? 1 : (head?.sequence ?? 0) + 1;
        return this.originalResultOrConflict(stream, subject, commit, expected, searchFrom);
      }
      // `any` or `stream-exists` lost a race with another writer: build on the new head.
    }
  }

  async readStream(stream: StreamName, options: { fromVersion?: number } = {}): Promise<CairnEvent[]> {
    const subject = subjectOf(stream, this.subjectPrefix);
    const events = (await this.direct.readSubject(subject)).map((message) =>
      decodeStoredEvent(message.data, sequenceOf(message)),
    );
    const last = events[events.length - 1];
    if (last) this.remember(subject, { version: last.streamversion, sequence: last.position });
    if (last) this.sawSequence(last.position);
    const fromVersion = options.fromVersion ?? 0;
    return fromVersion > 0 ? events.filter((event) => event.streamversion >= fromVersion) : events;
  }

  async *readAll(options: ReadAllOptions = {}): AsyncIterable<CairnEvent> {
    const filter = this.filterFor(options.categories);
    if (filter.length === 0) return;
    const consumer = await this.consumers.get(this.streamName, orderedFrom(options.fromPosition, filter));
    const messages = await consumer.consume(pullBatch());
    try {
      // The consumer's pending count at creation says whether there is anything to wait for at all.
      if ((await consumer.info(true)).num_pending === 0) return;
      for await (const message of messages) {
        yield decodeStoredEvent(message.data, message.seq);
        if (message.info.pending === 0) return;
      }
    } finally {
      messages.stop();
      void consumer.delete().catch(() => undefined);
    }
  }

  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    const filter = this.filterFor(options.categories);
    let position = options.fromPosition ?? 0;
    if (filter.length === 0) {
      options.onCaughtUp?.(position);
      return { position, close: async () => undefined };
    }
    const consumer = await this.consumers.get(this.streamName, orderedFrom(position, filter));
    const messages = await consumer.consume(pullBatch());
    let caughtUp = false;
    const markCaughtUp = () => {
      if (caughtUp) return;
      caughtUp = true;
      options.onCaughtUp?.(position);
    };
    if ((await consumer.info(true)).num_pending === 0) markCaughtUp();
    const delivering = (async () => {
      for await (const message of messages) {
        await options.onEvent(decodeStoredEvent(message.data, message.seq));
        position = message.seq;
        if (message.info.pending === 0) markCaughtUp();
      }
    })().catch((error: Error) => {
      messages.stop();
      options.onError?.(error);
    });
    return {
      get position() {
        return position;
      },
      async close() {
        messages.stop();
        await delivering;
        void consumer.delete().catch(() => undefined);
      },
    };
  }

  async headPosition(): Promise<number> {
    const head = await this.positions.headPosition();
    this.sawSequence(head);
    return head;
  }

  firstPositionAfter(position: number, categories: string[]): Promise<number | undefined> {
    return this.positions.firstPositionAfter(position, categories);
  }

  get index(): LogIndex | undefined {
    return this.positions.index;
  }

  async close(): Promise<void> {
    await this.tail?.stop();
    if (this.ownsConnection && !this.nc.isClosed()) await this.nc.close();
  }

  /**
   * The head an append has to build on. `no-stream` needs none (expected last subject sequence 0 lets
   * the server check it); a cached head is trusted when it matches the expectation, since the server
   * rejects a stale one anyway.
   */
  private async headFor(subject: string, expected: ExpectedVersion): Promise<StreamHead | undefined> {
    if (expected === 'no-stream') return undefined;
    const cached = this.heads.get(subject);
    if (cached && (typeof expected !== 'number' || cached.version === expected)) return cached;
    return this.readHead(subject);
  }

  private async readHead(subject: string): Promise<StreamHead | undefined> {
    const last = await this.direct.last(subject);
    if (!last) {
      this.heads.delete(subject);
      return undefined;
    }
    const head = { version: Number(readEventHeader(last.headers, 'streamversion')), sequence: sequenceOf(last) };
    this.remember(subject, head);
    this.sawSequence(head.sequence);
    return head;
  }

  private remember(subject: string, head: StreamHead): void {
    this.heads.delete(subject);
    this.heads.set(subject, head);
    if (this.heads.size > HEAD_CACHE_SIZE) {
      const oldest = this.heads.keys().next().value;
      if (oldest !== undefined) this.heads.delete(oldest);
    }
  }

  private sawSequence(sequence: number): void {
    if (sequence > this.highestSeen) this.highestSeen = sequence;
  }

  /**
   * Publishes the commit, and the very same messages again while the cluster cannot answer (no stream
   * leader yet, or the acknowledgement lost with a server): deduplication by `Nats-Msg-Id` and the
   * expected last subject sequence store them at most once, so the answer that finally comes says
   * whether and where they are. Past the bound the outcome is unknown: `StoreUnavailableError` (503), and
   * the client's retry with its Idempotency-Key settles it.
   */
  private async publishUntilAnswered(subject: string, encoded: EncodedEvent[], expectedLastSequence: number): Promise<PubAckReply> {
    const deadline = Date.now() + APPEND_OUTCOME_BOUND_MS;
    for (let pauseMs = 100; ; pauseMs = Math.min(pauseMs * 2, 1_000)) {
      let unavailable: unknown;
      try {
        const ack = await this.publishCommit(encoded, expectedLastSequence);
        if (ack.error?.code !== JETSTREAM_UNAVAILABLE) return ack;
        unavailable = new Error(ack.error.description);
      } catch (error) {
        if (!isStoreUnavailable(error)) throw error;
        unavailable = error;
      }
      if (Date.now() + pauseMs > deadline) {
        throw new StoreUnavailableError(`the append to ${subject} got no answer within ${APPEND_OUTCOME_BOUND_MS} ms`, { cause: unavailable });
      }
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /**
   * One message for one event; several events as one atomic batch (ADR-50): the server stores all of
   * them or none, and checks the expected last subject sequence against the stream as it was before
   * the batch. Only the commit message asks for an acknowledgement, so a commit costs one round trip;
   * a lost message would surface as a gap, and the server then rejects the whole batch.
   */
  private async publishCommit(encoded: EncodedEvent[], expectedLastSequence: number): Promise<PubAckReply> {
    encoded[0].headers.set('Nats-Expected-Last-Subject-Sequence', String(expectedLastSequence));
    if (encoded.length > 1) {
      const batchId = uuidv4();
      encoded.forEach((message, index) => {
        message.headers.set('Nats-Batch-Id', batchId);
        message.headers.set('Nats-Batch-Sequence', String(index + 1));
      });
      encoded[encoded.length - 1].headers.set('Nats-Batch-Commit', '1');
    }
    const commit = encoded[encoded.length - 1];
    for (const message of encoded.slice(0, -1)) {
      this.nc.publish(message.subject, message.data, { headers: message.headers });
    }
    const reply = await this.nc.request(commit.subject, commit.data, {
      headers: commit.headers,
      timeout: REQUEST_TIMEOUT_MS,
    });
    return reply.json<PubAckReply>();
  }

  /**
   * A retried append whose events are already stored returns what the first attempt returned;
   * anything else that does not fit the expected version is a conflict.
   */
  private async originalResultOrConflict(
    stream: StreamName,
    subject: string,
    commit: IdentifiedEvent[],
    expected: ExpectedVersion,
    searchFromSequence = 1,
  ): Promise<AppendResult> {
    const original = await this.findCommitted(subject, commit, searchFromSequence);
    if (original) return original;
    const head = await this.readHead(subject);
    throw new WrongExpectedVersionError(streamIdOf(stream), expected, head ? head.version : 'no-stream');
  }

  private async findCommitted(
    subject: string,
    commit: IdentifiedEvent[],
    fromSequence: number,
  ): Promise<AppendResult | undefined> {
    const stored = await this.direct.readSubject(subject, fromSequence);
    const start = stored.findIndex((message) => message.headers?.get('Nats-Msg-Id') === commit[0].id);
    if (start < 0) return undefined;
    const committed = stored.slice(start, start + commit.length);
    const matches = commit.every((event, index) => committed[index]?.headers?.get('Nats-Msg-Id') === event.id);
    if (!matches) return undefined;
    const last = committed[committed.length - 1];
    const { streamversion, position, time } = decodeStoredEvent(last.data, sequenceOf(last));
    return { nextVersion: streamversion, position, time };
  }

  private filterFor(categories: string[] | undefined): string[] {
    return categories ? categoryFilterSubjects(categories, this.subjectPrefix) : [`${this.subjectPrefix}.>`];
  }
}

function satisfies(expected: ExpectedVersion, head: StreamHead | undefined): boolean {
  if (expected === 'any' || expected === 'no-stream') return true;
  if (expected === 'stream-exists') return head !== undefined;
  return head?.version === expected;
}

function orderedFrom(fromPosition: number | undefined, filter: string[]): Partial<OrderedConsumerOptions> {
  return {
    filterSubjects: filter.length === 1 ? filter[0] : filter,
    deliver_policy: DeliverPolicy.StartSequence,
    opt_start_seq: (fromPosition ?? 0) + 1,
  };
}

async function ensureStream(jsm: JetStreamManager, name: string, subjectPrefix: string, replicas?: number): Promise<void> {
  const wanted: CairnStreamConfig = {
    name,
    subjects: [`${subjectPrefix}.>`],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    duplicate_window: nanos(2 * 60 * 1000),
    allow_direct: true,
    allow_atomic: true,
    deny_delete: true,
    deny_purge: true,
    ...(replicas === undefined ? {} : { num_replicas: replicas }),
  };
  const existing = await jsm.streams.info(name).catch((error: Error) => {
    if (error.message === 'stream not found') return undefined;
    throw error;
  });
  if (!existing) {
    await jsm.streams.add(wanted);
    return;
  }
  // Services may create the stream but not change it (their NATS identities lack STREAM.UPDATE): only a
  // stream that differs from these settings is updated, which needs the operator's credentials.
  const updated = { ...existing.config, ...wanted };
  if (!isDeepStrictEqual(updated, { ...existing.config })) await jsm.streams.update(name, updated);
}
