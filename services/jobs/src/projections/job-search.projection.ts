import type { JobRequestedData } from '@cairn/contracts';
import { defineProjection, type WriteIntent } from '@cairn/read-models';
import { machineKeyOf } from '@cairn/contracts';
import type { JobStatus } from '../domain/job';
import { JOB_SEARCH, JOB_SEARCH_INDEXES, searchTermsOf, type JobSearchDocument } from './job-search.queries';

/** A job as the list shows it, from its request: what the search model stores and a run's answer carries. */
export function jobSummaryOf(data: JobRequestedData, requestedAt: string): Omit<JobSearchDocument, '_id'> {
  return {
    projectId: data.projectId,
    templateName: data.template.name,
    templateVersion: data.template.version,
    templateLower: data.template.name.toLowerCase(),
    status: 'queued',
    machine: machineKeyOf(data.machine),
    triggeredBy: data.triggeredBy,
    createdAt: requestedAt,
    ...(data.rerunOf !== undefined && { rerunOf: data.rerunOf }),
    rootJobId: data.rootJobId,
    outputFolder: data.outputFolder,
    searchTerms: searchTermsOf(data.template.name, data.parameters),
  };
}

const changeOf = (jobId: string, position: number, changes: Partial<JobSearchDocument>): WriteIntent[] => [
  { kind: 'update', id: jobId, position, update: { $set: changes }, upsert: false },
];
const ended = (status: JobStatus, time: string) => ({ status, endedAt: time });

/** `job_search`: every job, by project, triggerer, template, status, machine, time and text (`job-search.queries.ts`). */
export const jobSearchProjection = defineProjection({
  name: JOB_SEARCH,
  version: 1,
  indexes: JOB_SEARCH_INDEXES,
  on: {
    'jobs.job.requested.v1': ({ data, position, time }) => [{ kind: 'replace', id: data.jobId, position, document: jobSummaryOf(data, time) }],
    'jobs.job.started.v1': ({ data, position, time }) => changeOf(data.jobId, position, { status: 'running', startedAt: time, runnerId: data.runnerId }),
    'jobs.job.cancel-requested.v1': ({ data, position }) => changeOf(data.jobId, position, { status: 'cancelling' }),
    'jobs.job.succeeded.v1': ({ data, position, time }) => changeOf(data.jobId, position, ended('succeeded', time)),
    'jobs.job.failed.v1': ({ data, position, time }) => changeOf(data.jobId, position, { ...ended('failed', time), failureKind: data.failure.kind }),
    'jobs.job.cancelled.v1': ({ data, position, time }) => changeOf(data.jobId, position, ended('cancelled', time)),
  },
});
