import { projectionSpec, storedEvents } from '@cairn/testing';
import { deletionRequestsProjection } from './deletion-requests.projection';

/** "Deletion needs a request and an approval by someone else (four eyes)". */

const log = storedEvents();
const files = [{ fileId: 'f1', path: 'processed/j1/map.mrc', kind: 'processed' as const }];
const requested = log.event('projects.deletion.requested.v1', { projectId: 'p1', requestId: 'r1', files, scope: 'processed', reason: 'superseded', actor: 'u-mia' });
const pending = {
  _id: 'r1',
  projectId: 'p1',
  files,
  scope: 'processed',
  reason: 'superseded',
  requestedBy: 'u-mia',
  requestedAt: requested.time,
  status: 'pending',
};

describe('deletion requests: "POST /api/projects/:id/deletion-requests {fileIds, reason}"', () => {
  it('a request is pending with its files, scope, reason, who asked and when', () => {
    projectionSpec(deletionRequestsProjection).when([requested]).then([pending]);
  });
});

describe('deletion requests: approved or rejected by someone else', () => {
  it('an approval records who decided and when', () => {
    const approved = log.event('projects.deletion.approved.v1', { projectId: 'p1', requestId: 'r1', requestedBy: 'u-mia', actor: 'u-max' });
    projectionSpec(deletionRequestsProjection)
      .given([requested])
      .when([approved])
      .then([{ ...pending, status: 'approved', decidedBy: 'u-max', decidedAt: approved.time }]);
  });

  it('a rejection records who decided, when and why', () => {
    const rejected = log.event('projects.deletion.rejected.v1', { projectId: 'p1', requestId: 'r1', requestedBy: 'u-mia', reason: 'still cited', actor: 'u-max' });
    projectionSpec(deletionRequestsProjection)
      .given([requested])
      .when([rejected])
      .then([{ ...pending, status: 'rejected', decidedBy: 'u-max', decidedAt: rejected.time, decisionReason: 'still cited' }]);
  });

  it('a rejection without a reason records none', () => {
    const rejected = log.event('projects.deletion.rejected.v1', { projectId: 'p1', requestId: 'r1', requestedBy: 'u-mia', actor: 'u-max' });
    projectionSpec(deletionRequestsProjection)
      .given([requested])
      .when([rejected])
      .then([{ ...pending, status: 'rejected', decidedBy: 'u-max', decidedAt: rejected.time }]);
  });
});
