import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import { JetStreamEventStore } from '@cairn/event-store';
import { freePort } from '@cairn/testing';
import { startPlatform, type RunningPlatform } from '@cairn/local-platform';
import { JobsHistory } from '../logbook/jobs';

/**
 * Step 5 of the facility guide through the edge, every service its own process: after Bob reran
 * Alice's render, he records his rerun as the latest best job with a reason, and Carol comments on it
 * mentioning @bob. The jobs themselves are appended as the jobs service's events until that service
 * runs here too; everything else goes over HTTP.
 */
describe('the logbook step of the jobs walkthrough, as separate processes', () => {
  let platform: RunningPlatform;
  let store: JetStreamEventStore;
  let seen = 0;
  const token = (username: string, admin = false) => signDevToken({ username, admin, email: `${username}@example.org` }, LOCAL_DEV_JWT_SECRET);
  /** One person's calls through the edge, each waiting for everything seen so far, as a browser session would. */
  const as = (bearer: string) => {
    const send = (call: request.Test) =>
      call
        .set('authorization', `Bearer ${bearer}`)
        .set('Cairn-Min-Position', String(seen))
        .on('response', (response: { headers: Record<string, string> }) => {
          seen = Math.max(seen, Number(response.headers['cairn-position'] ?? 0));
        });
    return {
      get: (path: string) => send(request(platform.edgeUrl).get(path)),
      post: (path: string, body: object) => send(request(platform.edgeUrl).post(path)).send(body),
      put: (path: string, body: object) => send(request(platform.edgeUrl).put(path)).send(body),
    };
  };

  beforeAll(async () => {
    if (!existsSync(join(__dirname, '../../dist/services/logbook/src/main.js'))) {
      throw new Error('dist/ is missing: run `npx tsc -p tsconfig.build.json` (npm test does) before the e2e tests');
    }
    platform = await startPlatform({
      homeDir: mkdtempSync(join(tmpdir(), 'cairn-e2e-logbook-')),
      edgePort: await freePort(),
      env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET },
    });
    store = await JetStreamEventStore.connect({ servers: platform.natsUrl });
  }, 120_000);
  afterAll(async () => {
    await store?.close();
    await platform?.stop();
  });

  it('Bob records his rerun as the latest best job with a reason; Carol comments on it mentioning @bob', async () => {
    const [alice, bob, carol] = await Promise.all([token('alice', true), token('bob'), token('carol')]);
    await as(alice).post('/api/labs', { name: 'Crystallography' }).expect(201);
    // Any call signs a person in to the directory, so that they can be added by username.
    await Promise.all([bob, carol].map((bearer) => as(bearer).get('/api/labs/crystallography/members')));
    for (const user of ['bob', 'carol']) await as(alice).post('/api/labs/crystallography/members', { user }).expect(201);
    const project = (await as(alice).post('/api/projects', { lab: 'crystallography', name: 'Lysozyme 2026', scheme: 'facility' }).expect(201)).body.id;
    for (const user of ['bob', 'carol']) await as(alice).put(`/api/projects/${project}/access/users/${user}`, { role: 'member' }).expect(200);

    const jobs = new JobsHistory(store, (position) => (seen = Math.max(seen, position)));
    const render = await jobs.requested(project, 'u-alice');
    const rerun = await jobs.requested(project, 'u-bob', { rerunOf: render });
    await jobs.succeeded(project, rerun);

    const recorded = await as(bob).put(`/api/projects/${project}/logbook/best-jobs`, { jobIds: [rerun], reason: 'Best output: view=all + cartoon style' });
    expect(recorded.status).toBe(200);
    expect(recorded.body.jobs).toEqual([
      { jobId: rerun, reason: 'Best output: view=all + cartoon style', template: 'Render Molecule@1.2.0', triggeredBy: expect.objectContaining({ username: 'bob' }), status: 'succeeded' },
    ]);

    const commented = await as(carol).post(`/api/jobs/${rerun}/comments`, { body: 'Much sharper than the first render, @bob!' });
    expect(commented.status).toBe(201);
    expect(commented.body.mentions).toEqual([{ userId: 'u-bob', username: 'bob' }]);

    const logbook = await as(carol).get(`/api/projects/${project}/logbook`);
    expect(logbook.body.bestJobs).toMatchObject({ jobs: [{ jobId: rerun, status: 'succeeded' }], recordedBy: { username: 'bob' } });
    const thread = await as(alice).get(`/api/jobs/${rerun}/comments`);
    expect(thread.body).toMatchObject({ count: 1, items: [{ author: { username: 'carol' }, body: 'Much sharper than the first render, @bob!' }] });
    const activity = await as(alice).get(`/api/projects/${project}/activity?limit=5`);
    expect(activity.body.items.map((entry: { type: string }) => entry.type).slice(0, 2)).toEqual(['logbook.comment.added.v1', 'logbook.best-jobs.recorded.v1']);
  });
});
