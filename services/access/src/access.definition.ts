import type { ServiceDefinition } from '@cairn/runtime';
import { AccessModule } from './access.module';
import { projectInitializationReactor } from './application/project-initialization.reactor';
import { accessProjections } from './projections';

/** The access service as one process runs it (main.ts) and as tests start it. */
export const accessService: ServiceDefinition = {
  name: 'access',
  projections: accessProjections,
  reactors: [projectInitializationReactor],
  module: (runtime) => AccessModule.register(runtime),
};
