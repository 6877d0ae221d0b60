import type { INestApplication } from '@nestjs/common';
import { MongoClient } from 'mongodb';
import { LOCAL_DEV_JWT_SECRET, signDevToken, type DevTokenRequest } from '@cairn/auth';
import type { ServiceContext } from '@cairn/messaging';
import { startNatsServer, testMongoUrl, uniqueDbName, type NatsServerHandle } from '@cairn/testing';
import { serviceConfigFromEnv } from './config';
import { createServiceHost, startServiceApp, type ServiceDefinition } from './run-service';
import { ServiceRuntime } from './service-runtime';

export interface ServiceUnderTest {
  app: INestApplication;
  /** For supertest: `request(service.server)`. */
  server: ReturnType<INestApplication['getHttpServer']>;
  runtime: ServiceRuntime;
  nats: NatsServerHandle;
  /** A dev token the service accepts. */
  token(request: DevTokenRequest): Promise<string>;
  close(): Promise<void>;
}

export interface ServiceUnderTestOptions {
  /** More environment for the service (e.g. its data folder or limits); the connections' own are set here. */
  env?: Record<string, string>;
}

/**
 * One service in this process, wired exactly as `main.ts` wires it, against a private nats-server and
 * its own database on the run's FerretDB: HTTP → decider → JetStream → projection → MongoDB → query.
 * Several services may share one nats-server (pass its handle): each gets its own database.
 */
export async function startServiceUnderTest(
  definition: ServiceDefinition,
  nats?: NatsServerHandle,
  options: ServiceUnderTestOptions = {},
): Promise<ServiceUnderTest> {
  const server = nats ?? (await startNatsServer());
  const env = {
    ...options.env,
    CAIRN_AUTH_MODE: 'dev',
    CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET,
    ...server.env({ kind: 'service', context: definition.name as ServiceContext }),
    MONGO_URL: testMongoUrl(),
    MONGO_DB: uniqueDbName(definition.name),
  };
  const runtime = await ServiceRuntime.start({ config: serviceConfigFromEnv(definition.name, env), projections: definition.projections, reactors: definition.reactors, env });
  const { host, stopParts } = createServiceHost(env);
  const app = await startServiceApp(definition, runtime, host, { logger: ['error'] });
  await app.init();
  return {
    app,
    server: app.getHttpServer(),
    runtime,
    nats: server,
    token: (request) => signDevToken(request, LOCAL_DEV_JWT_SECRET),
    close: async () => {
      await app.close();
      await stopParts();
      // Projections stop before their database goes, so nothing writes into a dropped database.
      await runtime.close().catch(() => undefined);
      await dropDatabase(env.MONGO_DB);
      if (!nats) await server.stop();
    },
  };
}

async function dropDatabase(name: string): Promise<void> {
  const client = await MongoClient.connect(testMongoUrl());
  try {
    await client.db(name).dropDatabase();
  } finally {
    await client.close();
  }
}
