import { projectionSpec, storedEvents } from '@cairn/testing';
import { commentsViewProjection } from './comments-view.projection';

const log = storedEvents();
const bob = { userId: 'u-bob', username: 'bob' };
const onJob = { aggregateId: 'job-j1' };
const first = log.event('logbook.comment.added.v1', { jobId: 'j1', projectId: 'p1', commentId: 'c1', version: 1, body: 'GPU render', mentions: [], actor: 'u-carol' }, onJob);
const edited = log.event('logbook.comment.edited.v1', { jobId: 'j1', projectId: 'p1', commentId: 'c1', version: 2, body: 'GPU render, @bob', mentions: [bob], actor: 'u-carol' }, onJob);
const onExperiment = log.event(
  'logbook.comment.added.v1',
  { experimentId: 'x1', projectId: 'p2', commentId: 'c2', version: 1, body: 'Stack 3 is blurred', mentions: [], actor: 'u-carl' },
  { aggregateId: 'experiment-x1' },
);

describe('comments_view: "An author may edit their comment, and every edit is kept"', () => {
  it('a comment reads as its latest edit, on the thread of its job; every version is kept whole', () => {
    projectionSpec(commentsViewProjection)
      .given([first])
      .when([edited])
      .then([
        {
          _id: 'c1',
          kind: 'comment',
          target: 'job/j1',
          projectId: 'p1',
          author: 'u-carol',
          body: 'GPU render, @bob',
          mentions: [bob],
          version: 2,
          createdAt: first.time,
          editedAt: edited.time,
          addedPosition: first.position,
        },
        { _id: 'c1/1', kind: 'version', commentId: 'c1', version: 1, body: 'GPU render', mentions: [], at: first.time },
        { _id: 'c1/2', kind: 'version', commentId: 'c1', version: 2, body: 'GPU render, @bob', mentions: [bob], at: edited.time },
      ]);
  });

  it('a comment on an experiment is on the experiment’s thread', () => {
    projectionSpec(commentsViewProjection)
      .when([onExperiment])
      .then((documents) => expect(documents.find((document) => document._id === 'c2')).toMatchObject({ target: 'experiment/x1', projectId: 'p2' }));
  });
});
