import type { CairnEvent } from '@cairn/contracts';
import { projectActivityProjection } from './project-activity.projection';

const envelope = (position: number, type: string, data: unknown): CairnEvent => ({
  specversion: '1.0',
  id: `event-${position}`,
  source: `cairn/${type.split('.')[0]}`,
  type,
  subject: 'x/1',
  time: '2025-01-06T09:00:00.000Z',
  datacontenttype: 'application/json',
  data,
  streamid: 'x_y-1',
  streamversion: 0,
  position,
});

describe('project activity: "latest activity from every context"', () => {
  it('every event that names a project becomes one entry of that project, whatever its context', async () => {
    const intents = await projectActivityProjection.handle([
      envelope(7, 'access.role.granted.v1', { projectId: 'p1', user: 'u-bob', before: null, after: 'viewer', actor: 'u-alice', at: 'now', prevHash: '0', hash: '1' }),
      envelope(8, 'jobs.job.succeeded.v1', { projectId: 'p1', jobId: 'j1', actor: 'u-bob' }),
      envelope(9, 'access.lab.member-added.v1', { lab: 'sundog', userId: 'u-carol' }),
    ]);
    expect(intents).toEqual([
      {
        kind: 'replace',
        id: 'event-7',
        position: 7,
        document: {
          projectId: 'p1',
          position: 7,
          at: '2025-01-06T09:00:00.000Z',
          type: 'access.role.granted.v1',
          context: 'access',
          actor: 'u-alice',
          // Hashes and the decision's own time are for auditors (the access audit), not the feed.
          details: { user: 'u-bob', before: null, after: 'viewer' },
        },
      },
      expect.objectContaining({ id: 'event-8', document: expect.objectContaining({ context: 'jobs', type: 'jobs.job.succeeded.v1', details: { jobId: 'j1' } }) }),
    ]);
  });

  it('the logbook’s entries and comments are read too, their markdown bodies left where they were written', async () => {
    expect(projectActivityProjection.categories).toEqual(expect.arrayContaining(['logbook_logbook', 'logbook_thread']));
    const mentions = [{ userId: 'u-bob', username: 'bob' }];
    const intents = await projectActivityProjection.handle([
      envelope(10, 'logbook.comment.added.v1', { projectId: 'p1', commentId: 'c1', jobId: 'j1', version: 1, body: 'Nice, @bob', mentions, actor: 'u-carol' }),
    ]);
    expect(intents).toEqual([
      {
        kind: 'replace',
        id: 'event-10',
        position: 10,
        document: {
          projectId: 'p1',
          position: 10,
          at: '2025-01-06T09:00:00.000Z',
          type: 'logbook.comment.added.v1',
          context: 'logbook',
          actor: 'u-carol',
          details: { commentId: 'c1', jobId: 'j1', version: 1, mentions },
        },
      },
    ]);
  });
});
