import { Module, type DynamicModule } from '@nestjs/common';
import { Authorizer, type AuthorizationProjection } from '@cairn/auth';
import { authorizedHttpModules, type ServiceHost, type ServiceRuntime } from '@cairn/runtime';
import { JobTemplatesController } from './api/job-templates.controller';
import { JobsController } from './api/jobs.controller';
import { RunnerProtocolController } from './api/runner-protocol.controller';
import { HeartbeatWatchdog, Heartbeats } from './application/heartbeats';
import { JobLogs } from './application/job-logs';
import { JobLogsService } from './application/job-logs.service';
import { claimDetailsFrom } from './application/claim-details';
import { JobReader } from './application/job-reader';
import { JobsFeed } from './application/jobs-feed';
import { observeJobStates } from './application/job-state-metrics';
import { JobsService } from './application/jobs.service';
import { RunnerReports } from './application/runner-reports.service';
import { RunnerAnnouncements } from './application/runner-announcements';
import { TemplatesService } from './application/templates.service';
import { jobsConfigFromEnv } from './config';
import { EXPERIMENT_LINKS, PROJECT_FILES } from './projections';

@Module({})
export class JobsModule {
  static async register(runtime: ServiceRuntime, host: ServiceHost, authorization: AuthorizationProjection): Promise<DynamicModule> {
    const config = jobsConfigFromEnv(host.env);
    const waitTimeoutMs = runtime.config.minPositionTimeoutMs;
    const authorizer = new Authorizer(authorization, { waitTimeoutMs });
    const heartbeats = await Heartbeats.open(runtime.nc, runtime.config.streamReplicas);
    const logs = await JobLogs.open(runtime.nc, runtime.config.streamReplicas);
    const announcements = await RunnerAnnouncements.open(runtime.nc, runtime.config.streamReplicas);
    const templates = new TemplatesService(runtime.store, runtime.collections, () => announcements.mappedMachines());
    const reader = new JobReader(runtime.store, authorizer);
    // "Commands never decide on stale models": runs, reruns and cancels read who may act, which files exist and which experiments the project links.
    const fresh = () => runtime.freshState.of(authorization, runtime.readModel(PROJECT_FILES), runtime.readModel(EXPERIMENT_LINKS));
    observeJobStates(runtime.collections);
    const jobs = new JobsService(runtime.store, reader, authorizer, runtime.collections, templates, fresh, runtime.nc);
    const detailsOf = claimDetailsFrom(templates, runtime.collections, (userId) => jobs.personOf(userId));
    const reports = new RunnerReports(runtime.store, heartbeats, logs, config, (position) => runtime.busPositionOf(position), detailsOf);
    host.stopWith(
      new HeartbeatWatchdog(heartbeats, (lost) => reports.failLost(lost, config.heartbeatTimeoutMs), {
        intervalMs: config.watchdogIntervalMs,
        timeoutMs: config.heartbeatTimeoutMs,
      }).start(),
    );
    return {
      module: JobsModule,
      imports: authorizedHttpModules(runtime, authorization),
      controllers: [JobTemplatesController, JobsController, RunnerProtocolController],
      providers: [
        { provide: TemplatesService, useValue: templates },
        { provide: JobsService, useValue: jobs },
        { provide: JobLogsService, useValue: new JobLogsService(reader, logs, runtime.nc) },
        { provide: RunnerReports, useValue: reports },
        { provide: JobsFeed, useValue: new JobsFeed(() => runtime.bus(), authorizer) },
        { provide: RunnerAnnouncements, useValue: announcements },
      ],
    };
  }
}
