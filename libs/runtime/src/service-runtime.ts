import { Logger } from '@nestjs/common';
import { createTokenVerifierFromEnv, type TokenVerifier } from '@cairn/auth';
import { JetStreamEventStore, type EventStore } from '@cairn/event-store';
import type { CairnHttpOptions, ReadinessProbe } from '@cairn/http';
import { ConsistencyWaiter } from '@cairn/messaging';
import { ProjectionRunner, ReadModelCollections, type Projection } from '@cairn/read-models';
import { MongoClient, type Db } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import type { ServiceConfig } from './config';

export interface ServiceRuntimeOptions {
  config: ServiceConfig;
  /** The service's read models, kept up to date while the service runs. */
  projections: Projection[];
  env?: NodeJS.ProcessEnv;
}

/**
 * The connections and background work one service process owns: the event store, NATS, MongoDB, the
 * token verifier and its projection runners. Nothing here is shared state between replicas: each
 * replica owns its connections, and projection consumers let one replica at a time be active.
 */
export class ServiceRuntime {
  private readonly logger: Logger;

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
    return new ServiceRuntime(config, store, nc, mongo, db, verifier, waiter, new ReadModelCollections(db), runners);
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
    for (const runner of this.runners) await runner.stop().catch((error: Error) => this.logger.warn(error.message));
    await this.store.close();
    await this.nc.drain().catch(() => undefined);
    await this.mongo.close();
  }
}
