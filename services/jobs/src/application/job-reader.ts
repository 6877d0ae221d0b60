import type { Authorizer, Principal } from '@cairn/auth';
import { notFound } from '@cairn/contracts';
import type { EventStore } from '@cairn/event-store';
import { jobRecordOf, type JobRecord } from './job-record';
import { jobStream, STREAM_ID } from './streams';

/** A job read from its own stream, never from a read model: what is shown of it is what was decided. */
export class JobReader {
  constructor(
    private readonly store: EventStore,
    private readonly authorizer: Authorizer,
  ) {}

  async load(jobId: string): Promise<JobRecord | undefined> {
    if (!STREAM_ID.test(jobId)) return undefined;
    return jobRecordOf(await this.store.readStream(jobStream(jobId)));
  }

  /** Calls `onLost` once the caller may no longer read the job's project; returns the function that stops watching. */
  whenUnreadable(principal: Principal, record: JobRecord, onLost: () => void): () => void {
    return this.authorizer.whenLost(record.request.projectId, principal.userId, 'project.read', onLost);
  }

  /**
   * The job, once the caller may read its project: 404 for a job that does not exist, and the very same
   * for one in a project the caller cannot see. "Job history is visible to people who joined the project
   * after the jobs ran": what counts is the role now.
   */
  async readable(principal: Principal, jobId: string, minPosition?: number): Promise<JobRecord> {
    const record = await this.load(jobId);
    const missing = () => notFound('jobs.job-not-found', `there is no job ${jobId}`);
    if (!record) throw missing();
    await this.authorizer.requireConsistent(record.request.projectId, principal.userId, 'project.read', minPosition, missing);
    return record;
  }
}
