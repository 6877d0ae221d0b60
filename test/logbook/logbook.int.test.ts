import { logbookService } from '@cairn/logbook-service';
import { Platform, type Person } from '../projects/platform';
import { JobsHistory } from './jobs';

/**
 * The project logbook over HTTP (docs/requirements.md F-24, F-25, F-26), as Step 5 of the facility guide ("Coordinate inside the project") tells
 * it: entries with every revision kept, the suggested template, the latest best jobs. Access comes from
 * the access service and the jobs from the jobs service's events, as in production.
 */
describe('the project logbook over HTTP', () => {
  let platform: Platform;
  let jobs: JobsHistory;
  let alice: Person, bob: Person, vera: Person, mallory: Person;
  let project: string;
  let otherProject: string;
  let firstJob: string, rerun: string, foreignJob: string;
  const logbook = () => `/api/projects/${project}/logbook`;
  /** Calls of one person to the logbook service. */
  const logbookOf = (person: Person) => platform.to('logbook', person);
  const today = () => new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    platform = await Platform.start({ others: [logbookService] });
    jobs = new JobsHistory(await platform.storeAs('jobs'), (position) => platform.observe(position));
    [alice, bob, vera, mallory] = await Promise.all(['alice', 'bob', 'vera', 'mallory'].map((name) => platform.signIn(name)));
    await platform.lab('sundog', [alice, bob, vera, mallory]);
    project = (await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Lysozyme movie', scheme: 'facility' }).expect(201)).body.id;
    otherProject = (await platform.as(mallory).post('/api/projects', { lab: 'sundog', name: 'Elsewhere', scheme: 'facility' }).expect(201)).body.id;
    await platform.accessAs(alice).put(`/api/projects/${project}/access/users/bob`, { role: 'member' }).expect(200);
    await platform.accessAs(alice).put(`/api/projects/${project}/access/users/vera`, { role: 'viewer' }).expect(200);
    firstJob = await jobs.requested(project, bob.userId);
    rerun = await jobs.requested(project, bob.userId, { template: { name: 'Render Molecule', version: '1.3.0' }, rerunOf: firstJob });
    foreignJob = await jobs.requested(otherProject, mallory.userId);
  }, 60_000);
  afterAll(() => platform?.stop(), 30_000);

  describe('"Suggested logbook template"', () => {
    it('the empty logbook offers the guide’s template as structured sections, with the owner and date filled in', async () => {
      const page = await logbookOf(vera).get(logbook());
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ projectId: project, entries: { items: [], nextCursor: null }, bestJobs: null });
      expect(page.body.template.sections.map((section: { heading: string }) => section.heading)).toEqual([
        'Goal / Dataset',
        'Latest best job(s)',
        'What changed',
        'Next steps / open questions',
        'Owner & date',
      ]);
      expect(page.body.template.sections[4]).toMatchObject({ id: 'owner', text: `alice, ${today()}` });
    });

    it('"A project’s first entry can be created from the template, with the owner and date filled in"', async () => {
      const created = await logbookOf(bob).post(`${logbook()}/entries`, { title: 'Lysozyme movie: plan', fromTemplate: true });
      expect(created.status).toBe(201);
      expect(created.headers.etag).toBe('"1"');
      expect(created.body).toMatchObject({ title: 'Lysozyme movie: plan', version: 1, fromTemplate: true, createdBy: { userId: bob.userId, username: 'bob' } });
      expect(created.body.body).toContain('## Goal / Dataset');
      expect(created.body.body).toContain(`## Owner & date\n\nalice, ${today()}\n`);
    });
  });

  describe('"Each project has a Logbook where the team can write"', () => {
    it('a facility member writes markdown entries referring to jobs of the project; the logbook lists them newest first, paged', async () => {
      const why = await logbookOf(bob).post(`${logbook()}/entries`, { title: 'Why Vera was invited', body: 'Vera reviews the *render* settings.' });
      expect(why.status).toBe(201);
      // "A create answers the same item, id included, that its list shows."
      expect((await logbookOf(bob).get(logbook())).body.entries.items[0]).toEqual(why.body);
      const runs = await logbookOf(bob).post(`${logbook()}/entries`, { title: 'Runs', body: 'First render, then a rerun on 1.3.0.', jobRefs: [firstJob, rerun] });
      expect(runs.status).toBe(201);
      expect(runs.body.jobRefs).toEqual([firstJob, rerun]);

      const first = await logbookOf(vera).get(`${logbook()}?limit=2`);
      expect(first.body.entries.items.map((entry: { title: string }) => entry.title)).toEqual(['Runs', 'Why Vera was invited']);
      const rest = await logbookOf(vera).get(`${logbook()}?limit=2&cursor=${first.body.entries.nextCursor}`);
      expect(rest.body.entries).toMatchObject({ items: [{ title: 'Lysozyme movie: plan' }], nextCursor: null });
    });

    it('a facility viewer reads the logbook but cannot write in it', async () => {
      const reads = await logbookOf(vera).get(logbook());
      expect(reads.status).toBe(200);
      const refused = await logbookOf(vera).post(`${logbook()}/entries`, { title: 'Mine', body: 'text' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('capability.logbook.write');
      const bestJobs = await logbookOf(vera).put(`${logbook()}/best-jobs`, { jobIds: [rerun], reason: 'mine' });
      expect(bestJobs.status).toBe(403);
    });

    it('someone without a role on the project sees nothing of it', async () => {
      expect((await logbookOf(mallory).get(logbook())).status).toBe(404);
      expect((await logbookOf(bob).get('/api/projects/no-such-project/logbook')).status).toBe(404);
    });
  });

  describe('"Every revision is kept and listed: who, when, and a line diff against the previous revision"', () => {
    let entry: string;

    beforeAll(async () => {
      entry = (await logbookOf(bob).post(`${logbook()}/entries`, { title: 'Good parameter sets', body: 'view=all\nstyle=ribbon\nmachine=cpu' }).expect(201)).body.id;
    });

    it('revising takes If-Match with the entry’s ETag, or expectedVersion; each answers the new ETag', async () => {
      const read = await logbookOf(alice).get(`${logbook()}/entries/${entry}`);
      expect(read.headers.etag).toBe('"1"');
      const byIfMatch = await logbookOf(alice).put(`${logbook()}/entries/${entry}`, { body: 'view=all\nstyle=cartoon\nmachine=cpu' }).set('If-Match', read.headers.etag);
      expect(byIfMatch.status).toBe(200);
      expect(byIfMatch.headers.etag).toBe('"2"');
      expect(byIfMatch.body).toMatchObject({ version: 2, title: 'Good parameter sets' });
      const byBody = await logbookOf(bob).put(`${logbook()}/entries/${entry}`, { body: 'view=all\nstyle=cartoon\nmachine=gpu', expectedVersion: 2 });
      expect(byBody.status).toBe(200);
      expect(byBody.body.version).toBe(3);
    });

    it('lists every revision newest first: who, when, and the line diff against the one before', async () => {
      const revisions = await logbookOf(vera).get(`${logbook()}/entries/${entry}/revisions`);
      expect(revisions.status).toBe(200);
      expect(revisions.body.items.map((revision: { version: number; by: { username: string } }) => [revision.version, revision.by.username])).toEqual([
        [3, 'bob'],
        [2, 'alice'],
        [1, 'bob'],
      ]);
      expect(revisions.body.items[0].at).toEqual(expect.stringMatching(/^\d{4}-\d\d-\d\dT/));
      expect(revisions.body.items[0].diff).toEqual({
        added: 1,
        removed: 1,
        hunks: [{ oldStart: 1, oldLines: 3, newStart: 1, newLines: 3, lines: [' view=all', ' style=cartoon', '-machine=cpu', '+machine=gpu'] }],
      });
      expect(revisions.body.items[2].diff).toMatchObject({ added: 3, removed: 0 });

      const paged = await logbookOf(vera).get(`${logbook()}/entries/${entry}/revisions?limit=1&cursor=${(await logbookOf(vera).get(`${logbook()}/entries/${entry}/revisions?limit=1`)).body.nextCursor}`);
      expect(paged.body.items).toMatchObject([{ version: 2, diff: { added: 1, removed: 1 } }]);
    });

    it('a revision retried with the same Idempotency-Key gets the first answer again, its ETag and Cairn-Position included, and makes no second revision', async () => {
      const retried = await logbookOf(bob).post(`${logbook()}/entries`, { title: 'Retried', body: 'one' }).expect(201);
      const revise = () => logbookOf(bob).put(`${logbook()}/entries/${retried.body.id}`, { body: 'two' }).set('If-Match', '"1"').set('Idempotency-Key', `revise-${retried.body.id}`);
      const first = await revise().expect(200);
      const retry = await revise().expect(200);

      expect(first.headers.etag).toBe('"2"');
      expect({ etag: retry.headers.etag, position: retry.headers['cairn-position'], body: retry.body }).toEqual({
        etag: first.headers.etag,
        position: first.headers['cairn-position'],
        body: first.body,
      });
      expect((await logbookOf(bob).get(`${logbook()}/entries/${retried.body.id}`)).headers.etag).toBe('"2"');
    });

    it('concurrent revisions of one version: one wins, the other gets 412 (If-Match) with the current version', async () => {
      const [first, second] = await Promise.all(
        ['cartoon', 'surface'].map((style) => logbookOf(bob).put(`${logbook()}/entries/${entry}`, { body: `style=${style}` }).set('If-Match', '"3"')),
      );
      expect([first.status, second.status].sort()).toEqual([200, 412]);
      const loser = first.status === 412 ? first : second;
      expect(loser.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(loser.headers.etag).toBe('"4"');
      expect(loser.body).toMatchObject({ status: 412, rule: 'logbook.entry-version-stale', currentVersion: 4 });
    });

    it('concurrent revisions of one version: one wins, the other gets 409 (expectedVersion) with the current version', async () => {
      const [first, second] = await Promise.all(
        ['ribbon', 'sticks'].map((style) => logbookOf(bob).put(`${logbook()}/entries/${entry}`, { body: `style=${style}`, expectedVersion: 4 })),
      );
      expect([first.status, second.status].sort()).toEqual([200, 409]);
      const loser = first.status === 409 ? first : second;
      expect(loser.headers.etag).toBe('"5"');
      expect(loser.body).toMatchObject({ status: 409, rule: 'logbook.entry-version-stale', currentVersion: 5 });
    });

    it('revising another entry in the meantime does not make this one stale', async () => {
      const other = (await logbookOf(bob).post(`${logbook()}/entries`, { title: 'Other', body: 'x' }).expect(201)).body.id;
      await logbookOf(bob).put(`${logbook()}/entries/${other}`, { body: 'y', expectedVersion: 1 }).expect(200);
      await logbookOf(bob).put(`${logbook()}/entries/${entry}`, { body: 'style=cartoon', expectedVersion: 5 }).expect(200);
    });
  });

  describe('bad input answers 400 naming the field', () => {
    it.each([
      ['an empty body', { title: 'T', body: '' }, 'body'],
      ['a body over 50,000 characters', { title: 'T', body: 'x'.repeat(50_001) }, 'body'],
      ['a blank title', { title: ' ', body: 'text' }, 'title'],
      ['an unknown field', { title: 'T', body: 'text', colour: 'red' }, 'colour'],
      ['a body that is not text', { title: 'T', body: 7 }, 'body'],
    ])('a new entry with %s', async (_case, body, field) => {
      const refused = await logbookOf(bob).post(`${logbook()}/entries`, body);
      expect(refused.status).toBe(400);
      expect(refused.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field })]);
    });

    it('an unknown job reference, and a job of another project, each named', async () => {
      const refused = await logbookOf(bob).post(`${logbook()}/entries`, { title: 'T', body: 'text', jobRefs: [firstJob, 'job-that-never-ran', foreignJob] });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({
        rule: 'logbook.job-not-in-project',
        errors: [
          { field: 'jobRefs[1]', message: 'job job-that-never-ran is not a job of this project' },
          { field: 'jobRefs[2]', message: `job ${foreignJob} is not a job of this project` },
        ],
      });
    });

    it('a revision without If-Match or expectedVersion, or with a weak tag', async () => {
      const entry = (await logbookOf(bob).post(`${logbook()}/entries`, { title: 'T', body: 'text' }).expect(201)).body.id;
      const refused = await logbookOf(bob).put(`${logbook()}/entries/${entry}`, { body: 'new' });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'expectedVersion' })]);
      // A bad field is named first: the caller learns of it though the version is missing too.
      const badTitle = await logbookOf(bob).put(`${logbook()}/entries/${entry}`, { title: 't'.repeat(201) });
      expect(badTitle.status).toBe(400);
      expect(badTitle.body.errors).toEqual([expect.objectContaining({ field: 'title' })]);
      const malformed = await logbookOf(bob).put(`${logbook()}/entries/${entry}`, { body: 'new' }).set('If-Match', 'W/"1"');
      expect(malformed.body.errors).toEqual([expect.objectContaining({ field: 'If-Match' })]);
      // docs/api.md writes the header with the bare version.
      const bare = await logbookOf(bob).put(`${logbook()}/entries/${entry}`, { body: 'new' }).set('If-Match', '1');
      expect(bare.status).toBe(200);
    });
  });

  describe('"Latest best job(s): Job ID(s) + short reason"', () => {
    it('a member records the latest best job with a reason; the logbook shows its template name@version, triggerer and status', async () => {
      const recorded = await logbookOf(bob).put(`${logbook()}/best-jobs`, { jobIds: [rerun], reason: 'Best output: view=all + cartoon style' });
      expect(recorded.status).toBe(200);
      expect(recorded.body.jobs).toEqual([
        {
          jobId: rerun,
          reason: 'Best output: view=all + cartoon style',
          template: 'Render Molecule@1.3.0',
          triggeredBy: { userId: bob.userId, username: 'bob', displayName: 'bob' },
          status: 'queued',
        },
      ]);
    });

    it('the status is kept current from the jobs events', async () => {
      await jobs.succeeded(project, rerun);
      const page = await logbookOf(vera).get(logbook());
      expect(page.body.bestJobs).toMatchObject({ jobs: [{ jobId: rerun, status: 'succeeded' }], recordedBy: { username: 'bob' } });
      expect(page.body.template.sections[1].text).toBe(`- ${rerun}: Best output: view=all + cartoon style`);
    });

    it('the history of these records is kept, newest first', async () => {
      await logbookOf(alice).put(`${logbook()}/best-jobs`, { jobIds: [firstJob, rerun], reason: 'Both renders, for comparison' }).expect(200);
      const history = await logbookOf(vera).get(`${logbook()}/best-jobs`);
      expect(history.body.items.map((record: { jobs: { jobId: string }[] }) => record.jobs.map((job) => job.jobId))).toEqual([[firstJob, rerun], [rerun]]);
      expect((await logbookOf(vera).get(logbook())).body.bestJobs.jobs.map((job: { jobId: string }) => job.jobId)).toEqual([firstJob, rerun]);
    });

    it('a job of another project or an unknown one is refused with 400 naming it', async () => {
      const refused = await logbookOf(bob).put(`${logbook()}/best-jobs`, { jobIds: [foreignJob], reason: 'not ours' });
      expect(refused.status).toBe(400);
      expect(refused.body.errors).toEqual([{ field: 'jobIds[0]', message: `job ${foreignJob} is not a job of this project` }]);
      const unknown = await logbookOf(bob).put(`${logbook()}/best-jobs`, { jobIds: ['job-that-never-ran'], reason: 'ghost' });
      expect(unknown.status).toBe(400);
      const noReason = await logbookOf(bob).put(`${logbook()}/best-jobs`, { jobIds: [rerun] });
      expect(noReason.body.errors).toEqual([expect.objectContaining({ field: 'reason' })]);
    });

    it('a job the jobs service has just recorded can be named at once: the command waits for the logbook to have seen it', async () => {
      const fresh = await jobs.requested(project, bob.userId);
      const recorded = await logbookOf(bob).put(`${logbook()}/best-jobs`, { jobIds: [fresh], reason: 'newest' }).set('Cairn-Min-Position', '0');
      expect(recorded.status).toBe(200);
    });
  });

  it('the activity feed shows the logbook’s events', async () => {
    const activity = await platform.as(vera).get(`/api/projects/${project}/activity?limit=100`);
    const types = new Set(activity.body.items.map((entry: { type: string }) => entry.type));
    expect([...types]).toEqual(expect.arrayContaining(['logbook.entry.added.v1', 'logbook.entry.revised.v1', 'logbook.best-jobs.recorded.v1']));
    const bestJobs = activity.body.items.find((entry: { type: string }) => entry.type === 'logbook.best-jobs.recorded.v1');
    expect(bestJobs).toMatchObject({ context: 'logbook', actor: expect.any(String), details: { jobs: expect.any(Array) } });
  });
});
