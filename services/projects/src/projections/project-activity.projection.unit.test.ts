import { projectionSpec, storedEvents } from '@cairn/testing';
import { projectActivityProjection } from './project-activity.projection';

const log = storedEvents();
const created = log.event('projects.project.created.v1', {
  projectId: 'p1',
  lab: 'sundog',
  name: 'Ribosome',
  description: '',
  slug: 'ribosome',
  scheme: 'facility',
  createdBy: 'u-alice',
  actor: 'u-alice',
});
const granted = log.event('access.role.granted.v1', {
  projectId: 'p1',
  user: 'u-bob',
  before: null,
  after: 'viewer',
  actor: 'u-alice',
  at: '2025-01-06T09:01:00.000Z',
  prevHash: '0'.repeat(64),
  hash: '1'.repeat(64),
});
const memberAdded = log.event('access.lab.member-added.v1', {
  lab: 'sundog',
  userId: 'u-carol',
  username: 'carol',
  displayName: 'Carol',
  admin: false,
  actor: 'u-alice',
});
const jobStarted = log.event('jobs.job.started.v1', { jobId: 'j1', projectId: 'p1', runnerId: 'runner-7' }, { actorid: 'runner-7' });
const renamedElsewhere = log.event('projects.project.updated.v1', { projectId: 'p2', name: 'Other', actor: 'u-dan' });
const mentions = [{ userId: 'u-bob', username: 'bob' }];
const commented = log.event('logbook.comment.added.v1', { jobId: 'j1', projectId: 'p1', commentId: 'c1', version: 1, body: 'Nice, @bob', mentions, actor: 'u-carol' }, { aggregateId: 'job-j1' });

describe('project activity: "latest activity and activity within the project", from every context', () => {
  it('every event that names a project becomes one entry of that project, whatever its context; others are not activity', () => {
    projectionSpec(projectActivityProjection)
      .given([created])
      .when([granted, memberAdded, jobStarted, renamedElsewhere])
      .then([
        {
          _id: created.id,
          projectId: 'p1',
          position: created.position,
          at: created.time,
          type: 'projects.project.created.v1',
          context: 'projects',
          actor: 'u-alice',
          details: { name: 'Ribosome', description: '', slug: 'ribosome', scheme: 'facility', createdBy: 'u-alice' },
        },
        {
          _id: granted.id,
          projectId: 'p1',
          position: granted.position,
          at: granted.time,
          type: 'access.role.granted.v1',
          context: 'access',
          actor: 'u-alice',
          // Hashes and the decision's own time are for auditors (the access audit), not the feed.
          details: { user: 'u-bob', before: null, after: 'viewer' },
        },
        {
          _id: jobStarted.id,
          projectId: 'p1',
          position: jobStarted.position,
          at: jobStarted.time,
          type: 'jobs.job.started.v1',
          context: 'jobs',
          // A runner's report names no person: the entry names the runner.
          actor: 'runner-7',
          details: { jobId: 'j1', runnerId: 'runner-7' },
        },
        {
          _id: renamedElsewhere.id,
          projectId: 'p2',
          position: renamedElsewhere.position,
          at: renamedElsewhere.time,
          type: 'projects.project.updated.v1',
          context: 'projects',
          actor: 'u-dan',
          details: { name: 'Other' },
        },
      ]);
  });

  it('a comment on a job of the project is an entry too; markdown bodies are read where they were written', () => {
    projectionSpec(projectActivityProjection)
      .when([commented])
      .then([
        {
          _id: commented.id,
          projectId: 'p1',
          position: commented.position,
          at: commented.time,
          type: 'logbook.comment.added.v1',
          context: 'logbook',
          actor: 'u-carol',
          details: { jobId: 'j1', commentId: 'c1', version: 1, mentions },
        },
      ]);
  });

  it('an annotation of a stack is an entry of the project it was written through (issue #23: "Annotations appear in the project\'s activity")', () => {
    const pin = { kind: 'point' as const, x: 3, y: 4 };
    const annotated = log.event(
      'projects.stack.annotated.v1',
      { stackId: 's1', experimentId: 'e1', projectId: 'p1', annotationId: 'a1', frame: 2, version: 1, body: 'Look, @bob', pin, mentions, actor: 'u-carol' },
      { aggregateId: 's1' },
    );
    projectionSpec(projectActivityProjection)
      .when([annotated])
      .then([
        {
          _id: annotated.id,
          projectId: 'p1',
          position: annotated.position,
          at: annotated.time,
          type: 'projects.stack.annotated.v1',
          context: 'projects',
          actor: 'u-carol',
          details: { stackId: 's1', experimentId: 'e1', annotationId: 'a1', frame: 2, version: 1, pin, mentions },
        },
      ]);
  });

  it('reads the streams of every type that names a project, and no others', () => {
    expect([...projectActivityProjection.categories].sort()).toEqual([
      'access_project',
      'jobs_job',
      'logbook_logbook',
      'logbook_thread',
      'projects_filespace',
      'projects_project',
      'projects_stack',
    ]);
  });
});
