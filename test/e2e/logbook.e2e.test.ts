import type { RunningPlatform } from '@cairn/local-platform';
import { openJobsSession, type JobsSession } from './jobs-session';
import { startLocalPlatform } from './local-platform';
import { demoTemplates } from '@cairn/testing';

const DEMO_TEMPLATES = demoTemplates();

/**
 * Step 5 of the facility guide (docs/requirements.md F-24 to F-27) through the edge, every service and the reference runner their own
 * processes: after Bob reran Carol's job, he records his rerun as the latest best job with a reason, and
 * Carol comments on it mentioning @bob. The jobs are real: run by the runner, over HTTP only.
 */
describe('the logbook step of the jobs walkthrough, as separate processes', () => {
  let platform: RunningPlatform;
  let session: JobsSession;

  beforeAll(async () => {
    platform = await startLocalPlatform('e2e-logbook');
    session = await openJobsSession(platform, [...DEMO_TEMPLATES]);
  }, 180_000);
  afterAll(() => platform?.stop(), 60_000);

  it('Bob records his rerun as the latest best job with a reason; Carol comments on it mentioning @bob', async () => {
    const { carol, bob, project } = session;
    const as = (token: string) => session.as(token);
    const carols = await session.run(carol, { template: 'File Statistics', parameters: { bins: 4 } });
    expect(await session.ended(carols)).toMatchObject({ status: 'succeeded' });
    const rerun = (await as(bob).post(`/api/jobs/${carols}/rerun`, { parameters: { bins: 16 } }).expect(201)).body.id as string;
    expect(await session.ended(rerun)).toMatchObject({ status: 'succeeded', rerunOf: carols });

    const recorded = await as(bob).put(`/api/projects/${project}/logbook/best-jobs`, { jobIds: [rerun], reason: 'Best output: 16 bins' });
    expect(recorded.status).toBe(200);
    expect(recorded.body.jobs).toEqual([
      { jobId: rerun, reason: 'Best output: 16 bins', template: 'File Statistics@1.0.0', triggeredBy: expect.objectContaining({ username: 'bob' }), status: 'succeeded' },
    ]);

    const commented = await as(carol).post(`/api/jobs/${rerun}/comments`, { body: 'Much clearer than the first run, @bob!' });
    expect(commented.status).toBe(201);
    expect(commented.body.mentions).toEqual([{ userId: 'u-bob', username: 'bob' }]);

    const logbook = await as(carol).get(`/api/projects/${project}/logbook`);
    expect(logbook.body.bestJobs).toMatchObject({ jobs: [{ jobId: rerun, status: 'succeeded' }], recordedBy: { username: 'bob' } });
    const thread = await as(bob).get(`/api/jobs/${rerun}/comments`);
    expect(thread.body).toMatchObject({ count: 1, items: [{ author: { username: 'carol' }, body: 'Much clearer than the first run, @bob!' }] });
    const activity = await as(carol).get(`/api/projects/${project}/activity?limit=5`);
    expect(activity.body.items.map((entry: { type: string }) => entry.type).slice(0, 2)).toEqual(['logbook.comment.added.v1', 'logbook.best-jobs.recorded.v1']);
  });
});
