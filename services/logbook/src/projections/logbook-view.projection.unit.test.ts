import { projectionSpec, storedEvents } from '@cairn/testing';
import { logbookViewProjection } from './logbook-view.projection';

const log = storedEvents();
const added = log.event('logbook.entry.added.v1', {
  projectId: 'p1',
  entryId: 'e1',
  version: 1,
  title: 'Good parameter sets',
  body: 'view=all\nstyle=ribbon',
  jobRefs: ['j1'],
  fromTemplate: false,
  actor: 'u-bob',
});
const revised = log.event('logbook.entry.revised.v1', {
  projectId: 'p1',
  entryId: 'e1',
  version: 2,
  title: 'Good parameter sets',
  body: 'view=all\nstyle=cartoon',
  jobRefs: ['j1', 'j2'],
  actor: 'u-alice',
});
const recorded = log.event('logbook.best-jobs.recorded.v1', { projectId: 'p1', jobs: [{ jobId: 'j2', reason: 'cartoon style' }], actor: 'u-bob' });

describe('logbook_view: "Every revision is kept and listed"', () => {
  it('an entry reads as its latest revision; every revision is kept whole beside it', () => {
    projectionSpec(logbookViewProjection)
      .given([added])
      .when([revised])
      .then([
        {
          _id: 'e1',
          kind: 'entry',
          projectId: 'p1',
          title: 'Good parameter sets',
          body: 'view=all\nstyle=cartoon',
          jobRefs: ['j1', 'j2'],
          version: 2,
          fromTemplate: false,
          createdBy: 'u-bob',
          createdAt: added.time,
          updatedBy: 'u-alice',
          updatedAt: revised.time,
          addedPosition: added.position,
        },
        { _id: 'e1/1', kind: 'revision', projectId: 'p1', entryId: 'e1', version: 1, title: 'Good parameter sets', body: 'view=all\nstyle=ribbon', jobRefs: ['j1'], by: 'u-bob', at: added.time },
        { _id: 'e1/2', kind: 'revision', projectId: 'p1', entryId: 'e1', version: 2, title: 'Good parameter sets', body: 'view=all\nstyle=cartoon', jobRefs: ['j1', 'j2'], by: 'u-alice', at: revised.time },
      ]);
  });

  it('"the history of these records is kept": each record of best jobs is a document of its own', () => {
    projectionSpec(logbookViewProjection)
      .when([recorded])
      .then([{ _id: recorded.id, kind: 'best-jobs', projectId: 'p1', jobs: [{ jobId: 'j2', reason: 'cartoon style' }], recordedBy: 'u-bob', recordedAt: recorded.time, position: recorded.position }]);
  });

  it('reads the logbook streams alone', () => {
    expect(logbookViewProjection.categories).toEqual(['logbook_logbook']);
  });
});
