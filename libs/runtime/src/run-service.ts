import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import { Transport } from '@nestjs/microservices';
import { createServiceApp, listen, type ServiceAppOptions } from '@cairn/http';
import type { Projection } from '@cairn/read-models';
import { serviceConfigFromEnv } from './config';
import type { Reactor } from './reactor';
import { ServiceRuntime } from './service-runtime';

/**
 * What a service's module may need beyond the runtime's connections: its environment (settings only
 * that service reads, such as a data folder) and a way to have background parts it starts itself (an
 * in-memory authorization model, a reactor) stopped with it, after HTTP and before the connections.
 */
export interface ServiceHost {
  env: NodeJS.ProcessEnv;
  /** Registers a part to stop; parts stop in reverse order of registration. Returns the part. */
  stopWith<T extends { stop(): Promise<void> }>(part: T): T;
}

export interface ServiceDefinition {
  name: string;
  projections: Projection[];
  reactors?: Reactor[];
  /**
   * A hybrid app: its `@MessagePattern` handlers also answer NATS requests, and its replicas share them
   * as this queue group (each request reaches one replica).
   */
  natsQueue?: string;
  module(runtime: ServiceRuntime, host: ServiceHost): DynamicModule | Promise<DynamicModule>;
}

/** The host given to a definition's module, and the stop of everything registered with it. */
export function createServiceHost(env: NodeJS.ProcessEnv): { host: ServiceHost; stopParts(): Promise<void> } {
  const parts: { stop(): Promise<void> }[] = [];
  const logger = new Logger('service-host');
  return {
    host: {
      env,
      stopWith: (part) => {
        parts.push(part);
        return part;
      },
    },
    stopParts: async () => {
      for (const part of parts.splice(0).reverse()) await part.stop().catch((error: Error) => logger.warn(error.message));
    },
  };
}

/**
 * The definition's Nest app on the runtime's connections, its NATS side listening when it has one (an
 * app's close stops that too). What `runService` and a service under test both start.
 */
export async function startServiceApp(
  definition: ServiceDefinition,
  runtime: ServiceRuntime,
  host: ServiceHost,
  options: Omit<ServiceAppOptions, 'name'> = {},
): Promise<INestApplication> {
  const app = await createServiceApp(await definition.module(runtime, host), { ...options, name: definition.name });
  if (definition.natsQueue !== undefined) {
    app.connectMicroservice({ transport: Transport.NATS, options: { servers: runtime.config.natsUrl, queue: definition.natsQueue, name: `cairn-${definition.name}-rpc` } });
    await app.startAllMicroservices();
  }
  return app;
}

/**
 * A service process's whole life: configuration from the environment, connections and projections,
 * the HTTP app, and an orderly stop on SIGTERM/SIGINT (HTTP first, so no request meets a closed store).
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const logger = new Logger(definition.name);
  try {
    const config = serviceConfigFromEnv(definition.name);
    const runtime = await ServiceRuntime.start({ config, projections: definition.projections, reactors: definition.reactors });
    const { host, stopParts } = createServiceHost(process.env);
    const app = await startServiceApp(definition, runtime, host);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: stopping`);
      await app.close();
      await stopParts();
      await runtime.close();
      process.exit(0);
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    await listen(app, config.port, config.host);
  } catch (error) {
    logger.error(`failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  }
}
