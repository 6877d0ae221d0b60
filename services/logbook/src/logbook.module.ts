import { Module, type DynamicModule } from '@nestjs/common';
import { Authorizer, type AuthorizationProjection } from '@cairn/auth';
import { authorizedHttpModules, type ServiceRuntime } from '@cairn/runtime';
import { ExperimentCommentsController, JobCommentsController } from './api/comments.controller';
import { LogbookController } from './api/logbook.controller';
import { CommentsService } from './application/comments.service';
import { LogbookService } from './application/logbook.service';
import { CommentsView, LOGBOOK_REFERENCES, LogbookReferences, LogbookView } from './projections';

@Module({})
export class LogbookModule {
  static register(runtime: ServiceRuntime, authorization: AuthorizationProjection): DynamicModule {
    const waitTimeoutMs = runtime.config.minPositionTimeoutMs;
    const authorizer = new Authorizer(authorization, { waitTimeoutMs });
    const references = new LogbookReferences(runtime.collections);
    // A command decides on the authorization model and the references (jobs, experiment links) alone.
    const decideFresh = () => runtime.freshState.of(authorization, runtime.readModel(LOGBOOK_REFERENCES));
    return {
      module: LogbookModule,
      imports: authorizedHttpModules(runtime, authorization),
      controllers: [LogbookController, JobCommentsController, ExperimentCommentsController],
      providers: [
        { provide: LogbookService, useValue: new LogbookService(runtime.store, authorizer, new LogbookView(runtime.collections), references, decideFresh) },
        { provide: CommentsService, useValue: new CommentsService(runtime.store, authorizer, new CommentsView(runtime.collections), references, decideFresh) },
      ],
    };
  }
}
