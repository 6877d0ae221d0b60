import { logbookService } from '@cairn/logbook-service';
import { Platform, type Person } from '../projects/platform';
import { JobsHistory } from './jobs';

/**
 * Comments over HTTP (docs/requirements.md F-18, F-27, L-10, L-11): on jobs ("Add comments to jobs", facility guide Step 5; "Comments (if you have a
 * role of member or above)", Step 3) and on experiments (the lab guide's commenter "can see experiments
 * in the project and comment/annotate"), in both role schemes.
 */
describe('comments over HTTP', () => {
  let platform: Platform;
  let jobs: JobsHistory;
  let alice: Person, bob: Person, vera: Person, olga: Person, carl: Person, val: Person, eve: Person, oscar: Person;
  let facilityProject: string, labProject: string;
  let job: string, experiment: string, unlinkedExperiment: string;
  const commentsOf = (person: Person) => platform.to('logbook', person);
  const onJob = () => `/api/jobs/${job}/comments`;
  const onExperiment = () => `/api/experiments/${experiment}/comments`;

  beforeAll(async () => {
    platform = await Platform.start({ others: [logbookService] });
    jobs = new JobsHistory(await platform.storeAs('jobs'), (position) => platform.observe(position));
    [alice, bob, vera, olga, carl, val, eve, oscar] = await Promise.all(
      ['alice', 'bob', 'vera', 'olga', 'carl', 'val', 'eve', 'oscar'].map((name) => platform.signIn(name)),
    );
    await platform.lab('sundog', [alice, bob, vera, olga, carl, val, eve]);
    facilityProject = (await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Lysozyme movie', scheme: 'facility' }).expect(201)).body.id;
    await platform.accessAs(alice).put(`/api/projects/${facilityProject}/access/users/bob`, { role: 'member' }).expect(200);
    await platform.accessAs(alice).put(`/api/projects/${facilityProject}/access/users/vera`, { role: 'viewer' }).expect(200);
    labProject = (await platform.as(olga).post('/api/projects', { lab: 'sundog', name: 'Stacks', scheme: 'lab' }).expect(201)).body.id;
    for (const [person, role] of [
      [carl, 'commenter'],
      [val, 'viewer'],
      [eve, 'experimenter'],
    ] as const) {
      await platform.accessAs(olga).put(`/api/projects/${labProject}/access/users/${person.username}`, { role }).expect(200);
    }
    experiment = (await platform.as(olga).post('/api/labs/sundog/experiments', { name: 'Lysozyme stack 3' }).expect(201)).body.id;
    unlinkedExperiment = (await platform.as(olga).post('/api/labs/sundog/experiments', { name: 'Loose stack' }).expect(201)).body.id;
    await platform.as(olga).post(`/api/projects/${labProject}/experiments`, { experimentIds: [experiment] }).expect(200);
    job = await jobs.requested(facilityProject, bob.userId);
  }, 60_000);
  afterAll(() => platform?.stop(), 30_000);

  describe('facility scheme, on a job', () => {
    it('a facility member comments on a job of the project', async () => {
      const commented = await commentsOf(bob).post(onJob(), { body: 'This run used GPU for the movie render' });
      expect(commented.status).toBe(201);
      expect(Number(commented.headers['cairn-position'])).toBeGreaterThan(0);
      expect(commented.body).toMatchObject({
        projectId: facilityProject,
        on: { jobId: job },
        body: 'This run used GPU for the movie render',
        mentions: [],
        version: 1,
        author: { userId: bob.userId, username: 'bob' },
      });
      // "A create answers the same item, id included, that its list shows."
      const thread = await commentsOf(bob).get(onJob());
      expect(thread.body.items.find((comment: { id: string }) => comment.id === commented.body.id)).toEqual(commented.body);
    });

    it('a facility viewer reads the comments but cannot comment', async () => {
      const thread = await commentsOf(vera).get(onJob());
      expect(thread.status).toBe(200);
      expect(thread.body).toMatchObject({ count: 1, items: [{ body: 'This run used GPU for the movie render' }], nextCursor: null });
      const refused = await commentsOf(vera).post(onJob(), { body: 'Looks fine' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('capability.comments.write');
    });

    it('"@username mentions are resolved against the lab directory": the comment records who was mentioned; an unknown @name stays text', async () => {
      const commented = await commentsOf(alice).post(onJob(), { body: 'Best output: view=all + cartoon style, thanks @bob (cc @nobody)' });
      expect(commented.status).toBe(201);
      expect(commented.body.mentions).toEqual([{ userId: bob.userId, username: 'bob' }]);
      expect(commented.body.body).toBe('Best output: view=all + cartoon style, thanks @bob (cc @nobody)');
    });

    it('the thread reads oldest first and pages', async () => {
      const first = await commentsOf(vera).get(`${onJob()}?limit=1`);
      expect(first.body.items.map((comment: { author: { username: string } }) => comment.author.username)).toEqual(['bob']);
      const rest = await commentsOf(vera).get(`${onJob()}?limit=1&cursor=${first.body.nextCursor}`);
      expect(rest.body.items.map((comment: { author: { username: string } }) => comment.author.username)).toEqual(['alice']);
      expect(rest.body.count).toBe(2);
    });

    it('comments on a job the logbook has not seen, or by someone without a role, are refused, both alike', async () => {
      const missing = await commentsOf(bob).post('/api/jobs/job-that-never-ran/comments', { body: 'hello' });
      expect([missing.status, missing.body.rule]).toEqual([404, 'comments.target-unknown']);
      for (const hidden of [await commentsOf(oscar).get(onJob()), await commentsOf(oscar).post(onJob(), { body: 'hello' })]) {
        expect([hidden.status, hidden.body.rule]).toEqual([404, 'comments.target-unknown']);
      }
    });
  });

  describe('"An author may edit their comment, and every edit is kept"', () => {
    let comment: string;

    beforeAll(async () => {
      comment = (await commentsOf(bob).post(onJob(), { body: 'Fixed wrong input file type' }).expect(201)).body.id;
    });

    it('the author edits; the comment reads as edited and keeps every version', async () => {
      const edited = await commentsOf(bob).put(`${onJob()}/${comment}`, { body: 'Fixed wrong input file type (.xyz, not .pdb), see @alice' });
      expect(edited.status).toBe(200);
      expect(edited.body).toMatchObject({ version: 2, mentions: [{ userId: alice.userId, username: 'alice' }] });
      const read = await commentsOf(vera).get(`${onJob()}/${comment}`);
      expect(read.status).toBe(200);
      expect(read.body).toMatchObject({ body: 'Fixed wrong input file type (.xyz, not .pdb), see @alice', version: 2, editedAt: expect.any(String) });
      expect(read.body.versions.map((version: { version: number; body: string }) => [version.version, version.body])).toEqual([
        [1, 'Fixed wrong input file type'],
        [2, 'Fixed wrong input file type (.xyz, not .pdb), see @alice'],
      ]);
    });

    it('nobody else may edit it, not even the project owner', async () => {
      const refused = await commentsOf(alice).put(`${onJob()}/${comment}`, { body: 'Mine now' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('comments.author-only');
    });

    it('an unknown comment is 404', async () => {
      expect((await commentsOf(bob).put(`${onJob()}/no-such-comment`, { body: 'x' })).status).toBe(404);
      expect((await commentsOf(bob).get(`${onJob()}/no-such-comment`)).status).toBe(404);
    });
  });

  describe('lab scheme, on an experiment', () => {
    it('a lab commenter comments on an experiment of the project', async () => {
      const commented = await commentsOf(carl).post(onExperiment(), { body: 'Stack 3 looks blurred at the edges, @olga' });
      expect(commented.status).toBe(201);
      expect(commented.body).toMatchObject({ projectId: labProject, on: { experimentId: experiment }, mentions: [{ userId: olga.userId, username: 'olga' }] });
      const thread = await commentsOf(val).get(onExperiment());
      expect(thread.body.items.map((item: { body: string }) => item.body)).toEqual(['Stack 3 looks blurred at the edges, @olga']);
    });

    it('but a lab commenter cannot edit the logbook', async () => {
      const refused = await commentsOf(carl).post(`/api/projects/${labProject}/logbook/entries`, { title: 'Blur', body: 'Stack 3' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('capability.logbook.write');
      const experimenter = await commentsOf(eve).post(`/api/projects/${labProject}/logbook/entries`, { title: 'Blur', body: 'Stack 3 re-acquired' });
      expect(experimenter.status).toBe(201);
    });

    it('a lab viewer can do neither, but reads both', async () => {
      expect((await commentsOf(val).post(onExperiment(), { body: 'Agreed' })).status).toBe(403);
      expect((await commentsOf(val).post(`/api/projects/${labProject}/logbook/entries`, { title: 'T', body: 'x' })).status).toBe(403);
      expect((await commentsOf(val).get(`/api/projects/${labProject}/logbook`)).status).toBe(200);
      expect((await commentsOf(val).get(onExperiment())).status).toBe(200);
    });

    it('an experiment in no project has no comments to make', async () => {
      expect((await commentsOf(olga).post(`/api/experiments/${unlinkedExperiment}/comments`, { body: 'x' })).status).toBe(404);
    });

    it('a project that does not link the experiment cannot be named for it', async () => {
      const refused = await commentsOf(carl).post(onExperiment(), { body: 'x', projectId: facilityProject });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'projectId' })]);
    });
  });

  describe('bad input answers 400 naming the field', () => {
    it.each([
      ['an empty body', { body: '' }, 'body'],
      ['a body over 10,000 characters', { body: 'x'.repeat(10_001) }, 'body'],
      ['an unknown field', { body: 'ok', colour: 'red' }, 'colour'],
      ['no body', {}, 'body'],
    ])('a comment with %s', async (_case, body, field) => {
      const refused = await commentsOf(bob).post(onJob(), body);
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
    });

    it('accepts a body of exactly 10,000 characters', async () => {
      expect((await commentsOf(bob).post(onJob(), { body: 'x'.repeat(10_000) })).status).toBe(201);
    });
  });

  it('the activity feed of each project shows its comments', async () => {
    const facility = await platform.as(vera).get(`/api/projects/${facilityProject}/activity?limit=100`);
    const commented = facility.body.items.filter((entry: { type: string }) => entry.type === 'logbook.comment.added.v1');
    expect(commented.length).toBeGreaterThanOrEqual(3);
    expect(commented.find((entry: { actor: string }) => entry.actor === alice.userId)).toMatchObject({
      context: 'logbook',
      details: { jobId: job, mentions: [{ userId: bob.userId, username: 'bob' }] },
    });
    expect(facility.body.items.map((entry: { type: string }) => entry.type)).toContain('logbook.comment.edited.v1');
    const lab = await platform.as(val).get(`/api/projects/${labProject}/activity?limit=100`);
    expect(lab.body.items.find((entry: { type: string }) => entry.type === 'logbook.comment.added.v1')).toMatchObject({ actor: carl.userId, details: { experimentId: experiment } });
  });
});
