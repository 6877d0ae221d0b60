import {
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  StreamNotFoundError,
  WrongExpectedVersionError as EsdbWrongExpectedVersionError,
  type AllStreamSubscription,
} from '@eventstore/db-client';
import { streamIdOf, type CairnEvent, type NewEvent, type StreamName } from '@cairn/contracts';
import { identify } from '../envelope';
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
  categoryPrefix,
  filterFor,
  isCairnEvent,
  readPositionAfter,
  toCairnEvent,
  toEventData,
  toExpectedRevision,
} from './esdb-mapping';

export interface EsdbEventStoreOptions {
  /** `esdb://host:2113?tls=false`; ignored when `client` is given. */
  connectionString?: string;
  /** An existing client; the store then leaves disposing of it to its owner. */
  client?: EventStoreDBClient;
}

/**
 * Event store on EventStoreDB: one stream per aggregate (`<context>_<aggregate>-<id>`, so categories
 * are stream-name prefixes), the event id as deduplication key, and the `$all` commit position as
 * global position. A commit is one append, which the server writes atomically.
 */
export class EsdbEventStore implements EventStore {
  private constructor(
    private readonly client: EventStoreDBClient,
    private readonly ownsClient: boolean,
  ) {}

  static async connect(options: EsdbEventStoreOptions): Promise<EsdbEventStore> {
    if (options.client) return new EsdbEventStore(options.client, false);
    if (!options.connectionString) throw new Error('EsdbEventStore needs a connectionString or a client');
    return new EsdbEventStore(EventStoreDBClient.connectionString(options.connectionString), true);
  }

  async append(stream: StreamName, events: NewEvent[], expected: ExpectedVersion): Promise<AppendResult> {
    const streamId = streamIdOf(stream);
    const time = new Date().toISOString();
    const commit = identify(events).map((event) => toEventData(stream, event, time));
    try {
      const result = await this.client.appendToStream(streamId, commit, {
        // Always explicit: the client's default, "any", would silently drop concurrency control.
        expectedRevision: toExpectedRevision(expected),
      });
      const nextVersion = Number(result.nextExpectedRevision);
      // A retried append that the server recognised as already written carries no position, and its
      // events carry the first attempt's time.
      if (!result.position) return { nextVersion, ...(await this.committed(streamId, result.nextExpectedRevision)) };
      return { nextVersion, position: Number(result.position.commit), time };
    } catch (error) {
      if (error instanceof EsdbWrongExpectedVersionError) {
        const actual = error.actualVersion === NO_STREAM ? 'no-stream' : Number(error.actualVersion);
        throw new WrongExpectedVersionError(streamId, expected, actual);
      }
      throw error;
    }
  }

  async readStream(stream: StreamName, options: { fromVersion?: number } = {}): Promise<CairnEvent[]> {
    const read = this.client.readStream(streamIdOf(stream), {
      direction: FORWARDS,
      fromRevision: options.fromVersion ? BigInt(options.fromVersion) : START,
    });
    const events: CairnEvent[] = [];
    try {
      for await (const resolved of read) {
        if (resolved.event) events.push(toCairnEvent(resolved.event));
      }
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
    return events;
  }

  /**
   * The client (6.x) reads `$all` without a server-side filter, so categories are matched here by the
   * same stream-name prefixes that `subscribe` hands the server.
   */
  async *readAll(options: ReadAllOptions = {}): AsyncIterable<CairnEvent> {
    const after = options.fromPosition ?? 0;
    const prefixes = options.categories?.map(categoryPrefix);
    if (prefixes?.length === 0) return;
    // A read from a position includes the event at that position; ours starts after it.
    const read = this.client.readAll({ direction: FORWARDS, fromPosition: readPositionAfter(after) });
    for await (const resolved of read) {
      const event = resolved.event;
      if (!event || !isCairnEvent(event) || Number(event.position.commit) <= after) continue;
      if (prefixes && !prefixes.some((prefix) => event.streamId.startsWith(prefix))) continue;
      yield toCairnEvent(event);
    }
  }

  /**
   * History is read with `readAll` up to the present, then a `$all` subscription takes over from the
   * last delivered position: the hand-over neither skips nor repeats an event, and "caught up" does not
   * depend on the server signalling it.
   */
  async subscribe(options: SubscribeOptions): Promise<Subscription> {
    let position = options.fromPosition ?? 0;
    if (options.categories?.length === 0) {
      options.onCaughtUp?.(position);
      return { position, close: async () => undefined };
    }
    let closed = false;
    let live: AllStreamSubscription | undefined;
    const deliver = async (event: CairnEvent) => {
      await options.onEvent(event);
      position = event.position;
    };

    const run = async () => {
      for await (const event of this.readAll({ fromPosition: position, categories: options.categories })) {
        if (closed) return;
        await deliver(event);
      }
      if (closed) return;
      options.onCaughtUp?.(position);
      live = this.client.subscribeToAll({
        fromPosition: readPositionAfter(position),
        filter: filterFor(options.categories),
      });
      for await (const resolved of live) {
        if (closed) return;
        const event = resolved.event;
        if (event && isCairnEvent(event) && Number(event.position.commit) > position) {
          await deliver(toCairnEvent(event));
        }
      }
    };
    const running = run().catch((error: Error) => {
      if (!closed) options.onError?.(error);
    });

    return {
      get position() {
        return position;
      },
      async close() {
        closed = true;
        await live?.unsubscribe();
        live?.destroy();
        await running;
      },
    };
  }

  async headPosition(): Promise<number> {
    const read = this.client.readAll({ direction: BACKWARDS, fromPosition: END });
    for await (const resolved of read) {
      if (resolved.event && isCairnEvent(resolved.event)) return Number(resolved.event.position.commit);
    }
    return 0;
  }

  /**
   * Whether the server answers within `timeoutMs` (for readiness): one read of the last entry of `$all`,
   * with that deadline, so a server that holds the connection but answers nothing fails the read.
   */
  async answers(timeoutMs: number): Promise<void> {
    for await (const _entry of this.client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1, deadline: timeoutMs })) return;
  }

  async firstPositionAfter(position: number, categories: string[]): Promise<number | undefined> {
    for await (const event of this.readAll({ fromPosition: position, categories })) return event.position;
    return undefined;
  }

  async close(): Promise<void> {
    if (this.ownsClient) await this.client.dispose();
  }

  private async committed(streamId: string, revision: bigint): Promise<{ position: number; time: string }> {
    const read = this.client.readStream(streamId, { direction: FORWARDS, fromRevision: revision, maxCount: 1 });
    for await (const resolved of read) {
      if (resolved.event?.position) {
        const { position, time } = toCairnEvent(resolved.event);
        return { position, time };
      }
    }
    throw new Error(`EventStoreDB gave no position for ${streamId}@${revision} (it needs server 22.6 or later)`);
  }
}
