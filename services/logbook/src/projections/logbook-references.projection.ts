import type { CairnEvent, ExperimentsLinkedData, ExperimentsUnlinkedData, JobRequestedData } from '@cairn/contracts';
import type { Projection, ReadModelCollections, ReadModelDocument, ReadModelUpdate, WriteIntent } from '@cairn/read-models';
import type { Collection } from 'mongodb';
import { targetKey } from './comments-view.projection';

export const LOGBOOK_REFERENCES = 'logbook_references';

export type JobStatus = 'queued' | 'running' | 'cancelling' | 'succeeded' | 'failed' | 'cancelled';

/** A job as the logbook shows a best job and checks a reference: its project, template, triggerer and status. */
export interface JobReference {
  /** `job/<jobId>`. */
  _id: string;
  kind: 'job';
  jobId: string;
  projectId: string;
  /** `name@version` of the pinned template. */
  template: string;
  triggeredBy: string;
  status: JobStatus;
  requestedAt: string;
  rerunOf?: string;
}

/** The status each later job event leaves the job in. */
const STATUS_AFTER: Record<string, JobStatus> = {
  'jobs.job.started.v1': 'running',
  'jobs.job.cancel-requested.v1': 'cancelling',
  'jobs.job.succeeded.v1': 'succeeded',
  'jobs.job.failed.v1': 'failed',
  'jobs.job.cancelled.v1': 'cancelled',
};

/** An experiment of a lab and the projects it is linked to: where comments on it may be made and read. */
export interface ExperimentReference {
  /** `experiment/<experimentId>`. */
  _id: string;
  kind: 'experiment';
  projects: string[];
}

/**
 * What the logbook refers to and comments on, as the other services' events tell it: each job's project,
 * template, triggerer and status, and which projects an experiment is linked to. The logbook checks a
 * job reference here, never by calling the jobs service. Every read is by `_id` (the one lookup FerretDB
 * indexes, too).
 */
export const logbookReferencesProjection: Projection = {
  name: LOGBOOK_REFERENCES,
  categories: ['jobs_job', 'projects_project'],
  version: 1,
  handle(events: CairnEvent[]): WriteIntent[] {
    return events.flatMap((event): WriteIntent[] => {
      const status = STATUS_AFTER[event.type];
      if (status !== undefined) {
        const { jobId } = event.data as { jobId: string };
        return [{ kind: 'update', id: targetKey('job', jobId), position: event.position, update: { $set: { status } }, upsert: false }];
      }
      switch (event.type) {
        case 'jobs.job.requested.v1': {
          const data = event.data as JobRequestedData;
          const job: Omit<JobReference, '_id'> = {
            kind: 'job',
            jobId: data.jobId,
            projectId: data.projectId,
            template: `${data.template.name}@${data.template.version}`,
            triggeredBy: data.triggeredBy,
            status: 'queued',
            requestedAt: event.time,
            ...(data.rerunOf === undefined ? {} : { rerunOf: data.rerunOf }),
          };
          return [{ kind: 'replace', id: targetKey('job', data.jobId), position: event.position, document: job }];
        }
        case 'projects.experiment.linked.v1': {
          const { projectId, experimentIds } = event.data as ExperimentsLinkedData;
          const update: ReadModelUpdate = { $addToSet: { projects: projectId }, $set: { kind: 'experiment' } };
          return experimentIds.map((id): WriteIntent => ({ kind: 'update', id: targetKey('experiment', id), position: event.position, update }));
        }
        case 'projects.experiment.unlinked.v1': {
          const { projectId, experimentIds } = event.data as ExperimentsUnlinkedData;
          // The driver types $pull for arrays of documents; `projects` holds strings.
          const update: ReadModelUpdate = { $pull: { projects: projectId } as unknown as ReadModelUpdate['$pull'] };
          return experimentIds.map((id): WriteIntent => ({ kind: 'update', id: targetKey('experiment', id), position: event.position, update, upsert: false }));
        }
        default:
          return [];
      }
    });
  },
};

/** The lookups the logbook makes of `logbook_references`, each by `_id`. */
export class LogbookReferences {
  constructor(private readonly collections: ReadModelCollections) {}

  async job(jobId: string): Promise<JobReference | undefined> {
    return ((await (await this.collection()).findOne({ _id: targetKey('job', jobId) })) as unknown as JobReference | null) ?? undefined;
  }

  /** Those of the jobs the logbook has seen, by id; one lookup by `_id` each (a few dozen at most). */
  async jobs(jobIds: readonly string[]): Promise<Map<string, JobReference>> {
    const found = await Promise.all([...new Set(jobIds)].map((jobId) => this.job(jobId)));
    return new Map(found.filter((job) => job !== undefined).map((job) => [job.jobId, job]));
  }

  /** The projects the experiment is linked to now; none for an experiment unknown here. */
  async projectsOfExperiment(experimentId: string): Promise<string[]> {
    const reference = (await (await this.collection()).findOne({ _id: targetKey('experiment', experimentId) })) as unknown as ExperimentReference | null;
    return reference?.projects ?? [];
  }

  private collection(): Promise<Collection<ReadModelDocument>> {
    return this.collections.resolve<ReadModelDocument>(LOGBOOK_REFERENCES);
  }
}
