import { AuthorizationProjection } from '@cairn/auth';
import type { ServiceDefinition } from '@cairn/runtime';
import { workQueueReactor } from './application/work-queue.reactor';
import { JobsModule } from './jobs.module';
import { jobsProjections } from './projections';

/** The jobs service as one process runs it (main.ts) and as tests start it: HTTP, and the runner protocol over NATS. */
export const jobsService: ServiceDefinition = {
  name: 'jobs',
  projections: jobsProjections,
  reactors: [workQueueReactor],
  natsQueue: 'cairn-jobs',
  module: async (runtime, host) => {
    const authorization = host.stopWith(await AuthorizationProjection.start(runtime.store));
    return JobsModule.register(runtime, host, authorization);
  },
};
