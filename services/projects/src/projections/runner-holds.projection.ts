import { defineProjection, type WriteIntent } from '@cairn/read-models';

export const RUNNER_HOLDS = 'runner_holds';

/**
 * What a runner may touch for one job, learned from the jobs service's events: the job's inputs to
 * read and its output folder to write, while the runner that claimed it holds it.
 */
export interface RunnerHoldDocument {
  _id: string;
  projectId: string;
  inputFileIds: string[];
  outputFolder: string;
  triggeredBy: string;
  /** The runner holding the job, from its claim on. */
  runnerId?: string;
  /** Only a running job (or one being cancelled, until its runner stops) lets its runner in. */
  status: 'queued' | 'running';
}

/** A job that ended lets nobody in any more: its hold goes, so the model holds only the jobs not yet ended. */
const endOf = (jobId: string, position: number): WriteIntent[] => [{ kind: 'delete', id: jobId, position }];

/** A runner reading an input: its running job (of this project) that has the file among its inputs. */
export const HOLDS_BY_RUNNER_INDEX = { key: { runnerId: 1, projectId: 1, inputFileIds: 1 } };

export const runnerHoldsProjection = defineProjection({
  name: RUNNER_HOLDS,
  version: 1,
  indexes: [HOLDS_BY_RUNNER_INDEX],
  on: {
    'jobs.job.requested.v1': ({ data, position }) => {
      const document: Omit<RunnerHoldDocument, '_id'> = {
        projectId: data.projectId,
        inputFileIds: data.inputs.map((input) => input.fileId),
        outputFolder: data.outputFolder,
        triggeredBy: data.triggeredBy,
        status: 'queued',
      };
      return [{ kind: 'replace', id: data.jobId, position, document }];
    },
    'jobs.job.started.v1': ({ data, position }) => [
      { kind: 'update', id: data.jobId, position, update: { $set: { status: 'running', runnerId: data.runnerId } }, upsert: false },
    ],
    'jobs.job.succeeded.v1': ({ data, position }) => endOf(data.jobId, position),
    'jobs.job.failed.v1': ({ data, position }) => endOf(data.jobId, position),
    'jobs.job.cancelled.v1': ({ data, position }) => endOf(data.jobId, position),
  },
});
