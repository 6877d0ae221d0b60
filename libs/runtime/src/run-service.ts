import { Logger, type DynamicModule } from '@nestjs/common';
import { createServiceApp, listen } from '@cairn/http';
import type { Projection } from '@cairn/read-models';
import { serviceConfigFromEnv } from './config';
import { ServiceRuntime } from './service-runtime';

export interface ServiceDefinition {
  name: string;
  projections: Projection[];
  module(runtime: ServiceRuntime): DynamicModule;
}

/**
 * A service process's whole life: configuration from the environment, connections and projections,
 * the HTTP app, and an orderly stop on SIGTERM/SIGINT (HTTP first, so no request meets a closed store).
 */
export async function runService(definition: ServiceDefinition): Promise<void> {
  const logger = new Logger(definition.name);
  try {
    const config = serviceConfigFromEnv(definition.name);
    const runtime = await ServiceRuntime.start({ config, projections: definition.projections });
    const app = await createServiceApp(definition.module(runtime), { name: definition.name });
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.log(`${signal}: stopping`);
      await app.close();
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
