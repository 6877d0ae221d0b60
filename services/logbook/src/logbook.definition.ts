import { AuthorizationProjection } from '@cairn/auth';
import type { ServiceDefinition } from '@cairn/runtime';
import { LogbookModule } from './logbook.module';
import { logbookProjections } from './projections';

/** The logbook service as one process runs it (main.ts) and as tests start it. */
export const logbookService: ServiceDefinition = {
  name: 'logbook',
  projections: logbookProjections,
  module: async (runtime, host) => {
    const authorization = host.stopWith(await AuthorizationProjection.start(runtime.store));
    return LogbookModule.register(runtime, authorization);
  },
};
