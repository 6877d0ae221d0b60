import { Logger } from '@nestjs/common';
import { createTokenVerifierFromEnv, type AuthorizationProjection, type TokenVerifier } from '@cairn/auth';
import { eventCatalogue, parseEventType } from '@cairn/contracts';
import {
  EsdbEventStore,
  FreshState,
  JetStreamEventStore,
  JetStreamLogTail,
  JetStreamPositions,
  type EventStore,
  type FreshnessGate,
  type PositionProbe,
} from '@cairn/event-store';
import { READINESS_CHECK_TIMEOUT_MS, type CairnHttpOptions, type ReadinessProbe } from '@cairn/http';
import { ConsistencyWaiter, DEFAULT_EVENTS_STREAM, EventRelay, natsReadiness } from '@cairn/messaging';
import { ProjectionRunner, ReadModelCollections, type Projection } from '@cairn/read-models';
import { MongoClient, type Db } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import type { ServiceConfig } from './config';
import { ReactorRunner, type Reactor } from './reactor';

export interface ServiceRuntimeOptions {
  config: ServiceConfig;
  /** The service's read models, kept up to date while the service runs. */
  projections: Projection[];
  /** What the service does in answer to events, running while the service runs. */
  reactors?: Reactor[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The connections and background work one service process owns: the event store, NATS, MongoDB, the
 * token verifier, its projection runners and its reactors. Nothing here is shared state between replicas: each
 * replica owns its connections, and projection consumers let one replica at a time be active.
 */
export class ServiceRuntime {
  private readonly logger: Logger;
  readonly reactors: ReactorRunner[] = [];
  /** What a command waits for before it decides on a model (its bound is `Cairn-Min-Position`'s). */
  readonly freshState: FreshState;
  private busStore?: Promise<EventStore>;
  private readonly natsReadiness: ReadinessProbe;
  /** The environment the service was started with, for settings only one service reads (such as its Secrets' files). */
  env: NodeJS.ProcessEnv = process.env;

  private constructor(
    readonly config: ServiceConfig,
    readonly store: EventStore,
    readonly nc: NatsConnection,
    private readonly mongo: MongoClient,
    readonly db: Db,
    readonly verifier: TokenVerifier,
    readonly waiter: ConsistencyWaiter,
    readonly collections: ReadModelCollections,
    readonly runners: ProjectionRunner[],
    private readonly relay?: EventRelay,
    /** On EventStoreDB, the tail of the bus the read models follow (on JetStream the store keeps its own). */
    private readonly busTail?: JetStreamLogTail,
  ) {
    this.logger = new Logger(`${config.service}-runtime`);
    this.natsReadiness = natsReadiness(nc);
    this.freshState = new FreshState(config.minPositionTimeoutMs);
  }

  static async start(options: ServiceRuntimeOptions): Promise<ServiceRuntime> {
    const { config } = options;
    const logger = new Logger(`${config.service}-runtime`);
    const verifier = createTokenVerifierFromEnv(options.env ?? process.env);
    const nc = await connect({ ...config.nats, maxReconnectAttempts: -1 });
    const mongo = await MongoClient.connect(config.mongoUrl, { appName: `cairn-${config.service}`, serverSelectionTimeoutMS: config.mongoServerSelectionTimeoutMs });
    const db = mongo.db(config.mongoDb);
    const { store, bus, relay, tail } = await openEventStore(config, nc);
    const waiter = new ConsistencyWaiter(bus);
    const runners: ProjectionRunner[] = [];
    for (const projection of options.projections) {
      runners.push(
        await ProjectionRunner.start({
          nc,
          db,
          projection,
          waiter,
          onError: (error) => logger.error(`projection ${projection.name}: ${error.message}`),
        }),
      );
    }
    const runtime = new ServiceRuntime(config, store, nc, mongo, db, verifier, waiter, new ReadModelCollections(db), runners, relay, tail);
    runtime.env = options.env ?? process.env;
    for (const reactor of options.reactors ?? []) {
      runtime.reactors.push(
        await ReactorRunner.start({
          nc,
          reactor,
          runtime,
          waiter,
          onError: (error) => logger.error(`reactor ${reactor.name}: ${error.message}`),
        }),
      );
    }
    return runtime;
  }

  /** The read model `name` as a command's decision reads it: see `freshState`. */
  readModel(name: string): FreshnessGate {
    return this.waiter.gate(name);
  }

  /**
   * `httpOptions` of a service that keeps the authorization model: reads wait for the read models and
   * for the authorization model that filters them, and the service is ready once that model is.
   */
  httpOptionsWith(authorization: AuthorizationProjection): CairnHttpOptions {
    const http = this.httpOptions();
    return {
      ...http,
      consistency: {
        waitFor: async (position, timeoutMs) => (await Promise.all([this.waiter.waitFor(position, timeoutMs), authorization.waitFor(position, timeoutMs)])).every(Boolean),
      },
      readiness: [...(http.readiness ?? []), authorization.readinessProbe()],
    };
  }

  /** What `CairnHttpModule.forRoot` needs, the same for every service. */
  httpOptions(): CairnHttpOptions {
    return {
      verifier: this.verifier,
      db: this.db,
      consistency: this.waiter,
      readiness: this.readiness(),
      minPositionTimeoutMs: this.config.minPositionTimeoutMs,
      requestsPerMinutePerPrincipal: this.config.rateLimits.perPrincipal,
      busPositionOf: (position) => this.busPositionOf(position),
    };
  }

  /**
   * Consistency tokens are positions on the bus (JetStream), which every service's read models follow.
   * On JetStream the store is the bus. On EventStoreDB a store position becomes a bus position once the
   * relay has published that event: wait (bounded) for it, and hand out the bus position it reached,
   * which is at or after the event (so a read waiting for it is never early, at worst a little late).
   */
  async busPositionOf(storePosition: number): Promise<number> {
    if (!this.relay) return storePosition;
    const deadline = Date.now() + this.config.minPositionTimeoutMs;
    while (this.relay.position.sourcePosition < storePosition && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    if (this.relay.position.sourcePosition < storePosition) {
      this.logger.warn(`relay has not published store position ${storePosition} yet; the token may be early`);
    }
    return this.relay.position.targetPosition;
  }

  /**
   * The bus (JetStream's CAIRN_EVENTS) as an event store to follow, whichever store this service appends
   * to: its positions are the ones read models and consistency tokens speak of. On JetStream that is
   * the store itself; on EventStoreDB, the stream the relays publish into.
   */
  bus(): Promise<EventStore> {
    if (this.config.eventStore === 'jetstream') return Promise.resolve(this.store);
    this.busStore ??= JetStreamEventStore.connect({ nc: this.nc, replicas: this.config.streamReplicas });
    return this.busStore;
  }

  /** NATS, the event store and MongoDB, each named in a 503 when it does not answer (see `readinessOf`). */
  readiness(): ReadinessProbe[] {
    return [
      this.natsReadiness,
      eventStoreReadiness(this.store),
      { name: 'mongodb', check: async () => (await this.db.command({ ping: 1 })).ok === 1 },
    ];
  }

  async close(): Promise<void> {
    await this.relay?.stop().catch((error: Error) => this.logger.warn(error.message));
    for (const reactor of this.reactors) await reactor.stop().catch((error: Error) => this.logger.warn(error.message));
    for (const runner of this.runners) await runner.stop().catch((error: Error) => this.logger.warn(error.message));
    if (this.busStore) await (await this.busStore).close().catch((error: Error) => this.logger.warn(error.message));
    await this.busTail?.stop();
    await this.store.close();
    await this.nc.drain().catch(() => undefined);
    await this.mongo.close();
  }
}

/** The categories a service writes: those of every registered event type of its context. */
export function ownCategories(context: string): string[] {
  const { registry } = eventCatalogue();
  const categories = registry
    .all()
    .filter((definition) => parseEventType(definition.type).context === context)
    .map((definition) => `${context}_${registry.streamAggregateOf(definition.type)}`);
  return [...new Set(categories)];
}

/**
 * The event store answers one bounded request: on JetStream the stream's info (a NATS request, which
 * times out), on EventStoreDB a read with a deadline.
 */
export function eventStoreReadiness(store: EventStore, timeoutMs = READINESS_CHECK_TIMEOUT_MS): ReadinessProbe {
  return {
    name: 'event store',
    check: async () => {
      await (store instanceof EsdbEventStore ? store.answers(timeoutMs) : store.headPosition());
      return true;
    },
  };
}

/**
 * JetStream is store and bus at once; EventStoreDB needs a relay that publishes the service's own events,
 * and the read models, which follow the bus, ask the bus for its positions.
 */
async function openEventStore(config: ServiceConfig, nc: NatsConnection): Promise<{ store: EventStore; bus: PositionProbe; relay?: EventRelay; tail?: JetStreamLogTail }> {
  const onTailError = (error: Error) => new Logger(`${config.service}-log-tail`).warn(`the tail of the events stream stopped, freshness checks ask the server: ${error.message}`);
  if (config.eventStore === 'jetstream') {
    const store = await JetStreamEventStore.connect({ nc, replicas: config.streamReplicas, followTail: true, onTailError });
    return { store, bus: store };
  }
  const store = await EsdbEventStore.connect({ connectionString: config.esdbUrl });
  const relay = await EventRelay.start({
    source: store,
    nc,
    name: config.service,
    categories: ownCategories(config.service),
    replicas: config.streamReplicas,
    onError: (error) => new Logger(`${config.service}-relay`).error(error.message),
  });
  const jsm = await nc.jetstreamManager();
  const tail = await JetStreamLogTail.start({ js: nc.jetstream(), jsm, stream: DEFAULT_EVENTS_STREAM, onError: onTailError });
  return { store, bus: new JetStreamPositions(jsm, DEFAULT_EVENTS_STREAM, undefined, tail.index), relay, tail };
}
