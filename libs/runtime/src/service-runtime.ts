import { Logger } from '@nestjs/common';
import { createTokenVerifierFromEnv, type TokenVerifier } from '@cairn/auth';
import { JetStreamEventStore, type EventStore } from '@cairn/event-store';
import type { CairnHttpOptions, ReadinessProbe } from '@cairn/http';
import { ConsistencyWaiter } from '@cairn/messaging';
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
  ) {
    this.logger = new Logger(`${config.service}-runtime`);
  }

  static async start(options: ServiceRuntimeOptions): Promise<ServiceRuntime> {
    const { config } = options;
    const logger = new Logger(`${config.service}-runtime`);
    const verifier = createTokenVerifierFromEnv(options.env ?? process.env);
    const nc = await connect({ servers: config.natsUrl, name: `cairn-${config.service}`, maxReconnectAttempts: -1 });
    const mongo = await MongoClient.connect(config.mongoUrl, { appName: `cairn-${config.service}` });
    const db = mongo.db(config.mongoDb);
    const store = await JetStreamEventStore.connect({ nc });
    const waiter = new ConsistencyWaiter();
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
    const runtime = new ServiceRuntime(config, store, nc, mongo, db, verifier, waiter, new ReadModelCollections(db), runners);
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

  /** What `CairnHttpModule.forRoot` needs, the same for every service. */
  httpOptions(): CairnHttpOptions {
    return {
      verifier: this.verifier,
      db: this.db,
      consistency: this.waiter,
      readiness: this.readiness(),
      minPositionTimeoutMs: this.config.minPositionTimeoutMs,
    };
  }

  readiness(): ReadinessProbe[] {
    return [
      { name: 'nats', check: async () => !this.nc.isClosed() },
      { name: 'mongodb', check: async () => (await this.db.command({ ping: 1 })).ok === 1 },
    ];
  }

  async close(): Promise<void> {
    for (const reactor of this.reactors) await reactor.stop().catch((error: Error) => this.logger.warn(error.message));
    for (const runner of this.runners) await runner.stop().catch((error: Error) => this.logger.warn(error.message));
    await this.store.close();
    await this.nc.drain().catch(() => undefined);
    await this.mongo.close();
  }
}
