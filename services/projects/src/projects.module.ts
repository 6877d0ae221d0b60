import { Module, type DynamicModule } from '@nestjs/common';
import { Authorizer, type AuthorizationProjection } from '@cairn/auth';
import { authorizedHttpModules, ConfigurationError, type ServiceHost, type ServiceRuntime } from '@cairn/runtime';
import { resolve } from 'node:path';
import { AnnotationsController } from './api/annotations.controller';
import { ExperimentFilesController } from './api/experiment-files.controller';
import { ExperimentsController } from './api/experiments.controller';
import { StacksController } from './api/stacks.controller';
import { FilesController, MAX_UPLOAD_BYTES } from './api/files.controller';
import { JobCratesController } from './api/job-crates.controller';
import { ProjectsController } from './api/projects.controller';
import { AccessView } from './application/access-view';
import { ProjectActivityFeed } from './application/activity-feed';
import { AnnotationsService } from './application/annotations.service';
import { ExperimentsService } from './application/experiments.service';
import { FilesService } from './application/files.service';
import { LocalBlobStore } from './application/local-blob-store';
import { ProjectsService } from './application/projects.service';
import { RunnerHolds } from './application/runner-holds';
import { StacksService } from './application/stacks.service';
import { DELETION_REQUESTS, EXPERIMENT_DIRECTORY, EXPERIMENT_FILES, EXPERIMENT_STACKS, FILE_INDEX, RUNNER_HOLDS, STACK_ANNOTATIONS } from './projections';

const GIB = 1024 ** 3;

/** Settings only the projects service reads. */
export function filesConfigFromEnv(env: NodeJS.ProcessEnv) {
  const raw = env.CAIRN_MAX_UPLOAD_BYTES;
  const maxUploadBytes = raw === undefined || raw === '' ? GIB : Number(raw);
  if (!Number.isSafeInteger(maxUploadBytes) || maxUploadBytes <= 0) {
    throw new ConfigurationError(`CAIRN_MAX_UPLOAD_BYTES must be a positive whole number of bytes, got "${raw}"`);
  }
  return { dataDir: resolve(env.CAIRN_DATA_DIR ?? '.cairn/data'), maxUploadBytes };
}

@Module({})
export class ProjectsModule {
  static register(runtime: ServiceRuntime, host: ServiceHost, authorization: AuthorizationProjection): DynamicModule {
    const { dataDir, maxUploadBytes } = filesConfigFromEnv(host.env);
    const waitTimeoutMs = runtime.config.minPositionTimeoutMs;
    const access = new AccessView(authorization, new Authorizer(authorization, { waitTimeoutMs }));
    const blobs = new LocalBlobStore(dataDir);
    const fresh = runtime.freshState;
    const experiments = new ExperimentsService(runtime.store, access, runtime.collections, fresh, runtime.readModel(EXPERIMENT_DIRECTORY));
    const stacks = new StacksService(runtime.store, access, runtime.collections, blobs, fresh, experiments, [
      runtime.readModel(EXPERIMENT_DIRECTORY),
      runtime.readModel(EXPERIMENT_FILES),
      runtime.readModel(FILE_INDEX),
      runtime.readModel(EXPERIMENT_STACKS),
    ]);
    return {
      module: ProjectsModule,
      imports: authorizedHttpModules(runtime, authorization),
      controllers: [ProjectsController, ExperimentsController, FilesController, ExperimentFilesController, StacksController, AnnotationsController, JobCratesController],
      providers: [
        { provide: MAX_UPLOAD_BYTES, useValue: maxUploadBytes },
        { provide: AccessView, useValue: access },
        { provide: ProjectsService, useValue: new ProjectsService(runtime.store, access, runtime.collections, fresh) },
        { provide: ExperimentsService, useValue: experiments },
        { provide: StacksService, useValue: stacks },
        {
          provide: AnnotationsService,
          useValue: new AnnotationsService(runtime.store, access, runtime.collections, fresh, experiments, stacks, [
            runtime.readModel(EXPERIMENT_DIRECTORY),
            runtime.readModel(EXPERIMENT_STACKS),
            runtime.readModel(STACK_ANNOTATIONS),
          ]),
        },
        {
          provide: FilesService,
          useValue: new FilesService(
            runtime.store,
            access,
            runtime.collections,
            blobs,
            fresh,
            runtime.readModel(DELETION_REQUESTS),
            runtime.readModel(EXPERIMENT_DIRECTORY),
          ),
        },
        { provide: ProjectActivityFeed, useValue: new ProjectActivityFeed(() => runtime.bus(), access, runtime.collections, runtime.waiter, waitTimeoutMs) },
        { provide: RunnerHolds, useValue: new RunnerHolds(runtime.collections, () => fresh.of(runtime.readModel(RUNNER_HOLDS))) },
      ],
    };
  }
}
