import type { StoredEventOf } from '@cairn/contracts';
import { defineProjection, type ReadModelCollections, type ReadModelDocument, type WriteIntent } from '@cairn/read-models';
import type { Collection } from 'mongodb';
import { targetKey } from './comments-view.projection';
import { documentById } from './queries';

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
export const logbookReferencesProjection = defineProjection({
  name: LOGBOOK_REFERENCES,
  version: 1,
  on: {
    'jobs.job.requested.v1': ({ data, position, time }) => {
      const job: Omit<JobReference, '_id'> = {
        kind: 'job',
        jobId: data.jobId,
        projectId: data.projectId,
        template: `${data.template.name}@${data.template.version}`,
        triggeredBy: data.triggeredBy,
        status: 'queued',
        requestedAt: time,
        ...(data.rerunOf === undefined ? {} : { rerunOf: data.rerunOf }),
      };
      return [{ kind: 'replace', id: targetKey('job', data.jobId), position, document: job }];
    },
    'jobs.job.started.v1': jobNowIn('running'),
    'jobs.job.cancel-requested.v1': jobNowIn('cancelling'),
    'jobs.job.succeeded.v1': jobNowIn('succeeded'),
    'jobs.job.failed.v1': jobNowIn('failed'),
    'jobs.job.cancelled.v1': jobNowIn('cancelled'),
    'projects.experiment.linked.v1': ({ data: { projectId, experimentIds }, position }) =>
      experimentIds.map((id): WriteIntent => ({
        kind: 'update',
        id: targetKey('experiment', id),
        position,
        update: { $addToSet: { projects: projectId }, $set: { kind: 'experiment' } },
      })),
    'projects.experiment.unlinked.v1': ({ data: { projectId, experimentIds }, position }) =>
      experimentIds.map((id): WriteIntent => ({ kind: 'update', id: targetKey('experiment', id), position, update: { $pull: { projects: projectId } }, upsert: false })),
  },
});

/** A later job event: the status it leaves the job in. */
function jobNowIn(status: JobStatus) {
  return ({ data, position }: StoredEventOf<'jobs.job.started.v1' | 'jobs.job.cancel-requested.v1' | JobEndType>): WriteIntent[] => [
    { kind: 'update', id: targetKey('job', data.jobId), position, update: { $set: { status } }, upsert: false },
  ];
}

type JobEndType = 'jobs.job.succeeded.v1' | 'jobs.job.failed.v1' | 'jobs.job.cancelled.v1';

/** The lookups the logbook makes of `logbook_references`, each by `_id`. */
export class LogbookReferences {
  constructor(private readonly collections: ReadModelCollections) {}

  async job(jobId: string): Promise<JobReference | undefined> {
    return documentById<JobReference>(await this.collection(), targetKey('job', jobId));
  }

  /** Those of the jobs the logbook has seen, by id; one lookup by `_id` each (a few dozen at most). */
  async jobs(jobIds: readonly string[]): Promise<Map<string, JobReference>> {
    const found = await Promise.all([...new Set(jobIds)].map((jobId) => this.job(jobId)));
    return new Map(found.filter((job) => job !== undefined).map((job) => [job.jobId, job]));
  }

  /** The projects the experiment is linked to now; none for an experiment unknown here. */
  async projectsOfExperiment(experimentId: string): Promise<string[]> {
    return (await documentById<ExperimentReference>(await this.collection(), targetKey('experiment', experimentId)))?.projects ?? [];
  }

  private collection(): Promise<Collection<ReadModelDocument>> {
    return this.collections.resolve<ReadModelDocument>(LOGBOOK_REFERENCES);
  }
}
