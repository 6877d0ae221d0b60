import { Module, type DynamicModule } from '@nestjs/common';
import { AuthorizationModule, Authorizer, type AuthorizationProjection } from '@cairn/auth';
import { CairnHttpModule } from '@cairn/http';
import { ConfigurationError, type ServiceHost, type ServiceRuntime } from '@cairn/runtime';
import { resolve } from 'node:path';
import { ExperimentsController } from './api/experiments.controller';
import { FilesController, MAX_UPLOAD_BYTES } from './api/files.controller';
import { ProjectsController } from './api/projects.controller';
import { AccessView } from './application/access-view';
import { ProjectActivityFeed } from './application/activity-feed';
import { ExperimentsService } from './application/experiments.service';
import { FilesService } from './application/files.service';
import { LocalBlobStore } from './application/local-blob-store';
import { ProjectsService } from './application/projects.service';

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
    const http = runtime.httpOptions();
    const access = new AccessView(authorization, new Authorizer(authorization, { waitTimeoutMs }));
    const blobs = new LocalBlobStore(dataDir);
    // Reads wait for the read models and for the authorization model that filters them.
    const consistency = {
      waitFor: async (position: number, timeoutMs: number) =>
        (await Promise.all([runtime.waiter.waitFor(position, timeoutMs), authorization.waitFor(position, timeoutMs)])).every(Boolean),
    };
    return {
      module: ProjectsModule,
      imports: [
        CairnHttpModule.forRoot({
          ...http,
          consistency,
          readiness: [...(http.readiness ?? []), authorization.readinessProbe()],
        }),
        AuthorizationModule.forRoot(authorization, { waitTimeoutMs }),
      ],
      controllers: [ProjectsController, ExperimentsController, FilesController],
      providers: [
        { provide: MAX_UPLOAD_BYTES, useValue: maxUploadBytes },
        { provide: AccessView, useValue: access },
        { provide: ProjectsService, useValue: new ProjectsService(runtime.store, access, runtime.collections) },
        { provide: ExperimentsService, useValue: new ExperimentsService(runtime.store, access, runtime.collections) },
        { provide: FilesService, useValue: new FilesService(runtime.store, access, runtime.collections, blobs) },
        { provide: ProjectActivityFeed, useValue: new ProjectActivityFeed(() => runtime.bus(), access, runtime.collections, consistency, waitTimeoutMs) },
      ],
    };
  }
}
