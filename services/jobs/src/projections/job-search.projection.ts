import type { JobRequestedData } from '@cairn/contracts';
import { defineBatchedProjection, type WriteIntent } from '@cairn/read-models';
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

/**
 * One write per job per batch: a job's request, start and end often arrive in one batch (a rebuild
 * replays them together), and on a store that is slow per write that is a third of the writes. Only
 * whole documents and `$set`s are written, so the merge is exact: a replace takes the `$set`s after it,
 * `$set`s after one another take the later values, each at the position of the last event merged.
 */
function oncePerJob(writes: WriteIntent[]): WriteIntent[] {
  const merged = new Map<string, WriteIntent>();
  for (const write of writes) {
    const before = merged.get(write.id);
    merged.delete(write.id);
    merged.set(write.id, before ? mergedWrite(before, write) : write);
  }
  return [...merged.values()];
}

function mergedWrite(before: WriteIntent, after: WriteIntent): WriteIntent {
  if (after.kind !== 'update') return after;
  const changes = after.update.$set ?? {};
  if (before.kind === 'replace') return { ...before, position: after.position, document: { ...before.document, ...changes } };
  if (before.kind === 'update') return { ...before, position: after.position, update: { $set: { ...before.update.$set, ...changes } } };
  return after;
}

/** `job_search`: every job, by project, triggerer, template, status, machine, time and text (`job-search.queries.ts`). */
export const jobSearchProjection = defineBatchedProjection({
  name: JOB_SEARCH,
  version: 1,
  indexes: JOB_SEARCH_INDEXES,
  combine: oncePerJob,
  on: {
    'jobs.job.requested.v1': ({ data, position, time }): WriteIntent[] => [{ kind: 'replace', id: data.jobId, position, document: jobSummaryOf(data, time) }],
    'jobs.job.started.v1': ({ data, position, time }) => changeOf(data.jobId, position, { status: 'running', startedAt: time, runnerId: data.runnerId }),
    'jobs.job.cancel-requested.v1': ({ data, position }) => changeOf(data.jobId, position, { status: 'cancelling' }),
    'jobs.job.succeeded.v1': ({ data, position, time }) => changeOf(data.jobId, position, ended('succeeded', time)),
    'jobs.job.failed.v1': ({ data, position, time }) => changeOf(data.jobId, position, { ...ended('failed', time), failureKind: data.failure.kind }),
    'jobs.job.cancelled.v1': ({ data, position, time }) => changeOf(data.jobId, position, ended('cancelled', time)),
  },
});
