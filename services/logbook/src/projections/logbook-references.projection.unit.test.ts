import type { JobRequestedData } from '@cairn/contracts';
import { projectionSpec, storedEvents } from '@cairn/testing';
import { logbookReferencesProjection } from './logbook-references.projection';

const log = storedEvents();
const request: JobRequestedData = {
  jobId: 'j2',
  projectId: 'p1',
  template: { name: 'Render Molecule', version: '1.3.0' },
  inputs: [],
  parameters: {},
  machine: { type: 'gpu', performance: 'standard' },
  command: ['render'],
  timeLimitSeconds: 60,
  outputFolder: 'processed/j2/',
  triggeredBy: 'u-bob',
  rerunOf: 'j1',
  rootJobId: 'j1',
  actor: 'u-bob',
};
const requested = log.event('jobs.job.requested.v1', request);
const started = log.event('jobs.job.started.v1', { jobId: 'j2', projectId: 'p1', runnerId: 'runner-1' });
const succeeded = log.event('jobs.job.succeeded.v1', { jobId: 'j2', projectId: 'p1', runnerId: 'runner-1', exitCode: 0 });
const linked = log.event('projects.experiment.linked.v1', { projectId: 'p1', lab: 'sundog', experimentIds: ['x1', 'x2'], actor: 'u-olga' });
const linkedElsewhere = log.event('projects.experiment.linked.v1', { projectId: 'p2', lab: 'sundog', experimentIds: ['x1'], actor: 'u-olga' });
const unlinked = log.event('projects.experiment.unlinked.v1', { projectId: 'p1', lab: 'sundog', experimentIds: ['x1'], confirmedWidening: false, actor: 'u-olga' });

describe('logbook_references: the jobs and experiments the logbook refers to, from their own services’ events', () => {
  it('"The logbook view shows each best job’s template name@version, triggerer and status, kept current from jobs events"', () => {
    projectionSpec(logbookReferencesProjection)
      .given([requested, started])
      .when([succeeded])
      .then([
        {
          _id: 'job/j2',
          kind: 'job',
          jobId: 'j2',
          projectId: 'p1',
          template: 'Render Molecule@1.3.0',
          triggeredBy: 'u-bob',
          status: 'succeeded',
          requestedAt: requested.time,
          rerunOf: 'j1',
        },
      ]);
  });

  it('an experiment is in the projects that link it, until they unlink it', () => {
    projectionSpec(logbookReferencesProjection)
      .given([linked, linkedElsewhere])
      .when([unlinked])
      .then([
        { _id: 'experiment/x1', kind: 'experiment', projects: ['p2'] },
        { _id: 'experiment/x2', kind: 'experiment', projects: ['p1'] },
      ]);
  });
});
