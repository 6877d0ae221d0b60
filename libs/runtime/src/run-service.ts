import { Logger, type DynamicModule, type INestApplication } from '@nestjs/common';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Transport } from '@nestjs/microservices';
import { createServiceApp, listen, type ServiceAppOptions } from '@cairn/http';
import type { Projection } from '@cairn/read-models';
import { collectProcessMetrics, configureLogging, logger, loggingFromEnv, startTracing } from '@cairn/telemetry';
import { serviceConfigFromEnv } from './config';
import { NestLog } from './nest-log';
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
 * Stops a service in the order that loses nothing: the HTTP server stops accepting connections and
 * waits for the requests in flight (their commands are appended or refused, never cut off half way:
 * a commit is atomic); then the service's own parts; then the runtime, whose consumers finish and
 * acknowledge the batch in hand and stop pulling, before the connections close.
 */
export async function drainService(app: INestApplication, stopParts: () => Promise<void>, runtime: ServiceRuntime): Promise<void> {
  const server = app.getHttpServer() as Server;
  // A busy keep-alive connection would go on bringing new requests: each answer from now on closes its
  // connection (first listener, so even an answer given at once says so).
  server.prependListener('request', (_request: IncomingMessage, response: ServerResponse) => {
    response.shouldKeepAlive = false;
  });
  // Nest's own close runs its shutdown hooks before it closes the server: close it first ourselves.
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await app.close();
  await stopParts();
  await runtime.close();
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
  const app = await createServiceApp(await definition.module(runtime, host), {
    ...options,
    name: definition.name,
    requestsPerMinutePerAddress: runtime.config.rateLimits.perAddress,
    trustedProxies: runtime.config.trustedProxies,
  });
  if (definition.natsQueue !== undefined) {
    app.connectMicroservice({ transport: Transport.NATS, options: { ...runtime.config.nats, queue: definition.natsQueue, name: `cairn-${definition.name}-rpc` } });
    await app.startAllMicroservices();
  }
  return app;
}

/**
 * A service process's whole life: logs, traces and metrics, configuration from the environment,
 * connections and projections, the HTTP app, and on SIGTERM/SIGINT a drain (`drainService`) that
 * exits 0 when done, or 1 if it has not finished within `CAIRN_DRAIN_TIMEOUT_MS`.
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const log = logger('service');
  let logging = false;
  try {
    configureLogging(loggingFromEnv(definition.name));
    logging = true;
    Logger.overrideLogger(new NestLog());
    const tracing = startTracing({ service: definition.name });
    collectProcessMetrics();
    const config = serviceConfigFromEnv(definition.name);
    const runtime = await ServiceRuntime.start({ config, projections: definition.projections, reactors: definition.reactors });
    const { host, stopParts } = createServiceHost(process.env);
    const app = await startServiceApp(definition, runtime, host, { logger: new NestLog() });
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      const started = Date.now();
      log.info({ signal, drainTimeoutMs: config.drainTimeoutMs }, 'draining');
      setTimeout(() => {
        log.error({ signal, drainTimeoutMs: config.drainTimeoutMs }, 'drain did not finish in time; exiting');
        process.exit(1);
      }, config.drainTimeoutMs).unref();
      try {
        await drainService(app, stopParts, runtime);
        await tracing.shutdown().catch((error: Error) => log.warn({ error: error.message }, 'traces not flushed'));
        log.info({ signal, durationMs: Date.now() - started }, 'stopped');
        process.exit(0);
      } catch (error) {
        log.error({ signal, error: (error as Error).stack }, 'drain failed');
        process.exit(1);
      }
    };
    process.once('SIGTERM', () => void stop('SIGTERM'));
    process.once('SIGINT', () => void stop('SIGINT'));
    await listen(app, config.port, config.host);
  } catch (error) {
    // Even a logging setting it cannot read is reported, as a line of the default format.
    if (!logging) configureLogging({ service: definition.name });
    log.error({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, 'failed to start');
    process.exit(1);
  }
}
