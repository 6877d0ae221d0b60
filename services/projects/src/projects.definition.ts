import { AuthorizationProjection } from '@cairn/auth';
import type { ServiceDefinition } from '@cairn/runtime';
import { ProjectsModule } from './projects.module';
import { projectsProjections } from './projections';

/** The projects service as one process runs it (main.ts) and as tests start it. */
export const projectsService: ServiceDefinition = {
  name: 'projects',
  projections: projectsProjections,
  module: async (runtime, host) => {
    const authorization = host.stopWith(await AuthorizationProjection.start(runtime.store));
    return ProjectsModule.register(runtime, host, authorization);
  },
};
