import { projectionSpec, storedEvents } from '@cairn/testing';
import { runnerHoldsProjection } from './runner-holds.projection';

const log = storedEvents();
const requested = log.event('jobs.job.requested.v1', {
  jobId: 'j1',
  projectId: 'p1',
  template: { name: 'File Statistics', version: '1.0.0' },
  inputs: [
    { fileId: 'f1', path: 'raw/a.csv' },
    { fileId: 'f2', path: 'raw/b.csv' },
  ],
  parameters: {},
  machine: { type: 'cpu', performance: 'standard' },
  command: ['stats', '{{inputs}}'],
  timeLimitSeconds: 60,
  outputFolder: 'processed/j1/',
  triggeredBy: 'u-carol',
  rootJobId: 'j1',
  actor: 'u-carol',
});
const started = log.event('jobs.job.started.v1', { jobId: 'j1', projectId: 'p1', runnerId: 'r1' });
const succeeded = log.event('jobs.job.succeeded.v1', { jobId: 'j1', projectId: 'p1', runnerId: 'r1', exitCode: 0 });

describe('runner_holds: "It may read only the inputs of a job it holds and write only into that job\'s output folder"', () => {
  it('a claimed job lets its runner at its inputs and its output folder', () => {
    projectionSpec(runnerHoldsProjection)
      .given([requested])
      .when([started])
      .then([{ _id: 'j1', projectId: 'p1', inputFileIds: ['f1', 'f2'], outputFolder: 'processed/j1/', triggeredBy: 'u-carol', runnerId: 'r1', status: 'running' }]);
  });

  it('a job that ended lets nobody in any more', () => {
    projectionSpec(runnerHoldsProjection).given([requested, started]).when([succeeded]).then([]);
  });
});
