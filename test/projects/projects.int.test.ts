import { AccessView, ProjectsService, projectStream } from '@cairn/projects-service';
import { Platform, type Person } from './platform';

/**
 * Projects over HTTP (docs/requirements.md L-2, L-3, L-5, L-6, L-7, F-11), as the lab guide tells them ("Create project form", "Project list",
 * "An individual project") and the facility guide's "Step 1: share a project", seen from the project page.
 * The access service runs beside, as in production: it makes the creator owner when it sees the project.
 */
describe('projects over HTTP', () => {
  let platform: Platform;
  let alice: Person, bob: Person, carol: Person, oscar: Person;

  beforeAll(async () => {
    platform = await Platform.start();
    [alice, bob, carol, oscar] = await Promise.all(['alice', 'bob', 'carol', 'oscar'].map((name) => platform.signIn(name)));
    await platform.lab('sundog', [alice, bob, carol]);
  }, 30_000);
  afterAll(() => platform?.stop(), 30_000);

  describe('Create project form', () => {
    it('"Anyone can create a project": a lab member creates one and, as its creator, is its owner', async () => {
      const created = await platform.as(bob).post('/api/projects', { lab: 'sundog', name: 'Private notes', scheme: 'lab' });
      expect(created.status).toBe(201);
      expect(Number(created.headers['cairn-position'])).toBeGreaterThan(0);

      const page = await platform.as(bob).get(`/api/projects/${created.body.id}`);
      expect(page.status).toBe(200);
      expect(page.body.you).toMatchObject({ role: 'owner', via: 'explicit' });
      expect(page.body.people).toEqual([{ userId: bob.userId, username: 'bob', displayName: 'bob', role: 'owner', via: 'explicit' }]);
    });

    it('someone outside the lab cannot create a project in it', async () => {
      const refused = await platform.as(oscar).post('/api/projects', { lab: 'sundog', name: 'Intruder', scheme: 'lab' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('labs.members-only');
    });

    it('"you can name the project and write a description. The slug - used in the URL - will be auto-generated from the name"', async () => {
      const created = await platform.as(alice).post('/api/projects', {
        lab: 'sundog',
        name: 'Crème Brûlée — Straße 2025!',
        description: 'Caramelisation *kinetics*.',
        scheme: 'lab',
      });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ slug: 'creme-brulee-strasse-2025', name: 'Crème Brûlée — Straße 2025!', description: 'Caramelisation *kinetics*.', lab: 'sundog' });

      const bySlug = await platform.as(alice).get('/api/projects/creme-brulee-strasse-2025?lab=sundog');
      expect(bySlug.status).toBe(200);
      expect(bySlug.body).toMatchObject({ id: created.body.id, description: 'Caramelisation *kinetics*.' });
    });

    it('an auto-generated slug is unique in the lab: the same name again gets a numeric suffix', async () => {
      const again = await platform.as(bob).post('/api/projects', { lab: 'sundog', name: 'Crème brûlée, Straße 2025', scheme: 'lab' });
      expect(again.status).toBe(201);
      expect(again.body.slug).toBe('creme-brulee-strasse-2025-2');
    });

    it('"but you have an opportunity to edit it at creation if you\'d like"', async () => {
      const created = await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Lysozyme phasing', slug: 'lyso', scheme: 'lab' });
      expect(created.status).toBe(201);
      expect(created.body.slug).toBe('lyso');
    });

    it('a chosen slug already used in the lab is refused with 409 on the slug field, even when two people race for it', async () => {
      const [first, second] = await Promise.all(
        [alice, bob].map((person) => platform.as(person).post('/api/projects', { lab: 'sundog', name: 'Race', slug: 'race', scheme: 'lab' })),
      );
      expect([first.status, second.status].sort()).toEqual([201, 409]);
      const loser = first.status === 409 ? first : second;
      expect(loser.body).toMatchObject({ rule: 'slugs.taken-in-lab', errors: [{ field: 'slug', message: 'is already used by another project of the lab' }] });

      const duplicate = await platform.as(carol).post('/api/projects', { lab: 'sundog', name: 'Other', slug: 'lyso', scheme: 'lab' });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.rule).toBe('slugs.taken-in-lab');
    });

    it('"Finally, you can choose the base level for the project. This sets the default access level for anybody in the lab."', async () => {
      const created = await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Open bench', scheme: 'lab', baseLevel: 'viewer' });
      expect(created.status).toBe(201);

      const seenByCarol = await platform.as(carol).get(`/api/projects/${created.body.id}`);
      expect(seenByCarol.status).toBe(200);
      expect(seenByCarol.body.you).toMatchObject({ role: 'viewer', via: 'base-level' });
      expect(seenByCarol.body.people).toEqual([
        { userId: alice.userId, username: 'alice', displayName: 'alice', role: 'owner', via: 'explicit' },
        { userId: bob.userId, username: 'bob', displayName: 'bob', role: 'viewer', via: 'base-level' },
        { userId: carol.userId, username: 'carol', displayName: 'carol', role: 'viewer', via: 'base-level' },
        // The facility admin who created the lab is one of its members.
        { userId: 'u-facility-admin', username: 'facility-admin', displayName: 'facility-admin', role: 'viewer', via: 'base-level' },
      ]);
    });

    it.each([
      ['an empty name', { name: '   ' }, 'name', 'fields.name-required'],
      ['a name over 120 characters', { name: 'n'.repeat(121) }, 'name', 'fields.name-too-long'],
      ['a description over 5000 characters', { description: 'd'.repeat(5001) }, 'description', 'fields.description-too-long'],
      ['a malformed slug', { slug: 'Not A Slug' }, 'slug', 'slugs.format'],
      ['a reserved slug', { slug: 'new' }, 'slug', 'slugs.format'],
      ['an unknown scheme', { scheme: 'anarchy' }, 'scheme', 'projects.scheme'],
      ['a base level in the facility scheme', { scheme: 'facility', baseLevel: 'viewer' }, 'baseLevel', 'facility.no-base-level'],
      ['owner as base level', { baseLevel: 'owner' }, 'baseLevel', 'lab.base-level-below-owner'],
    ])('the form refuses %s with 400 naming the field', async (_case, change, field, rule) => {
      const refused = await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Valid', scheme: 'lab', ...change });
      expect(refused.status).toBe(400);
      expect(refused.body.rule).toBe(rule);
      expect(refused.body.errors).toEqual([expect.objectContaining({ field })]);
    });

    it('unknown fields and wrong types are refused with 400', async () => {
      const refused = await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 7, scheme: 'lab', colour: 'red' });
      expect(refused.status).toBe(400);
      expect(refused.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['colour', 'name']);
    });
  });

  describe('Project list', () => {
    it('"The lab\'s project page lists all the projects in a lab" that the caller may see, by name', async () => {
      const carolSees = await platform.as(carol).get('/api/projects?lab=sundog');
      expect(carolSees.status).toBe(200);
      expect(carolSees.body.items.map((project: { name: string }) => project.name)).toEqual(['Open bench']);

      const aliceSees = await platform.as(alice).get('/api/projects?lab=sundog');
      // Whether Alice or Bob won the race for "race" is up to the race.
      const aliceSlugs = aliceSees.body.items.map((project: { slug: string }) => project.slug).filter((slug: string) => slug !== 'race');
      expect(aliceSlugs).toEqual(['creme-brulee-strasse-2025', 'lyso', 'open-bench']);
    });

    it('q filters by a prefix of the name or of the slug, in any case; the list pages with a cursor', async () => {
      const byName = await platform.as(alice).get('/api/projects?lab=sundog&q=LYSO');
      expect(byName.body.items.map((project: { slug: string }) => project.slug)).toEqual(['lyso']);
      const bySlug = await platform.as(alice).get('/api/projects?q=creme-');
      expect(bySlug.body.items.map((project: { slug: string }) => project.slug)).toEqual(['creme-brulee-strasse-2025']);
      const regexCharacters = await platform.as(alice).get(`/api/projects?q=${encodeURIComponent('.*')}`);
      expect(regexCharacters.body.items).toEqual([]);

      const first = await platform.as(alice).get('/api/projects?lab=sundog&limit=2');
      expect(first.body.items).toHaveLength(2);
      const second = await platform.as(alice).get(`/api/projects?lab=sundog&limit=2&cursor=${first.body.nextCursor}`);
      expect(second.body.items[0].name > first.body.items[1].name).toBe(true);
    });
    it('a cursor this list did not hand out, a query operator in it included, is a 400 naming cursor', async () => {
      for (const forged of [[{ $ne: null }, ''], [{ $regex: '(a+)+$' }, ''], ['lyso', { $gt: '' }], 'lyso', 7]) {
        const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
        const answer = await platform.as(alice).get(`/api/projects?lab=sundog&cursor=${cursor}`);
        expect([answer.status, answer.body.errors]).toEqual([400, [{ field: 'cursor', message: 'is not a cursor this list handed out' }]]);
      }
    });
    it('someone who reads many projects gets the same list, read in name order and filtered as it is read', async () => {
      const { runtime, app } = platform.projects;
      const filtering = new ProjectsService(runtime.store, app.get(AccessView), runtime.collections, runtime.freshState, 0);
      const principal = { userId: alice.userId, username: alice.username, isFacilityAdmin: false };
      const byId = await platform.as(alice).get('/api/projects?lab=sundog&limit=2');
      const first = await filtering.list(principal, { lab: 'sundog', limit: 2 });
      expect(first.items.map((project) => project.id)).toEqual(byId.body.items.map((project: { id: string }) => project.id));
      const all = [...first.items];
      for (let cursor = first.nextCursor; cursor !== null; ) {
        const next = await filtering.list(principal, { lab: 'sundog', limit: 2, cursor });
        all.push(...next.items);
        cursor = next.nextCursor;
      }
      const everything = await platform.as(alice).get('/api/projects?lab=sundog');
      expect(all.map((project) => project.id)).toEqual(everything.body.items.map((project: { id: string }) => project.id));
    });
  });

  describe('An individual project', () => {
    let projectId: string;

    beforeAll(async () => {
      const created = await platform.as(alice).post('/api/projects', {
        lab: 'sundog',
        name: 'Ribosome tomography',
        description: 'Sub-tomogram averaging of 70S.',
        scheme: 'facility',
      });
      projectId = created.body.id;
    });

    it('"Step 1: Share a project with your team — add people via their username or e-mail adress and assign them their intended role": the project page shows them with their role', async () => {
      const shared = await platform.accessAs(alice).put(`/api/projects/${projectId}/access/users/bob@example.org`, { role: 'manager', reason: 'backup for handover' });
      expect(shared.status).toBe(200);

      const page = await platform.as(bob).get(`/api/projects/${projectId}`);
      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ name: 'Ribosome tomography', description: 'Sub-tomogram averaging of 70S.', scheme: 'facility' });
      expect(page.body.people).toEqual([
        { userId: alice.userId, username: 'alice', displayName: 'alice', role: 'owner', via: 'explicit' },
        { userId: bob.userId, username: 'bob', displayName: 'bob', role: 'manager', via: 'explicit' },
      ]);
      expect(page.body.latestActivity.map((entry: { type: string }) => entry.type)).toEqual(['access.role.granted.v1', 'access.project.initialized.v1', 'projects.project.created.v1']);
      expect(page.body.latestActivity[0]).toMatchObject({ actor: alice.userId, context: 'access', details: { user: bob.userId, before: null, after: 'manager', reason: 'backup for handover' } });
    });

    it('"Viewer: Read-only access" — someone without a role cannot see the project at all', async () => {
      const hidden = await platform.as(carol).get(`/api/projects/${projectId}`);
      const missing = await platform.as(carol).get('/api/projects/00000000-0000-5000-8000-000000000000');
      expect([hidden.status, hidden.body.type]).toEqual([404, missing.body.type]);
      const list = await platform.as(carol).get('/api/projects');
      expect(list.body.items.map((project: { id: string }) => project.id)).not.toContain(projectId);
    });

    it('"Owner: Full control" — the owner renames the project and edits its description; a manager may not', async () => {
      const refused = await platform.as(bob).patch(`/api/projects/${projectId}`, { name: 'Mine now' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('capability.project.update');

      const renamed = await platform.as(alice).patch(`/api/projects/${projectId}`, { name: 'Ribosome tomography 2025', description: 'Now with 80S.' });
      expect(renamed.status).toBe(200);
      expect(renamed.body).toMatchObject({ name: 'Ribosome tomography 2025', description: 'Now with 80S.', slug: 'ribosome-tomography' });
      const page = await platform.as(bob).get(`/api/projects/${projectId}`);
      expect(page.body).toMatchObject({ name: 'Ribosome tomography 2025', description: 'Now with 80S.' });
      expect(page.body.latestActivity[0]).toMatchObject({ type: 'projects.project.updated.v1', details: { name: 'Ribosome tomography 2025', description: 'Now with 80S.' } });
    });

    it('the activity feed is newest first and pages with a cursor', async () => {
      const first = await platform.as(bob).get(`/api/projects/${projectId}/activity?limit=2`);
      expect(first.status).toBe(200);
      expect(first.body.items.map((entry: { type: string }) => entry.type)).toEqual(['projects.project.updated.v1', 'access.role.granted.v1']);
      const rest = await platform.as(bob).get(`/api/projects/${projectId}/activity?limit=2&cursor=${first.body.nextCursor}`);
      expect(rest.body.items.map((entry: { type: string }) => entry.type)).toEqual(['access.project.initialized.v1', 'projects.project.created.v1']);
      expect(rest.body.nextCursor).toBeNull();
    });

    it('"Can alter the project itself, including deleting it": the owner deletes it; its history stays and its slug is not freed', async () => {
      const refused = await platform.as(bob).delete(`/api/projects/${projectId}`);
      expect(refused.status).toBe(403);

      const deleted = await platform.as(alice).delete(`/api/projects/${projectId}`);
      expect(deleted.status).toBe(200);

      const list = await platform.as(alice).get('/api/projects?lab=sundog');
      expect(list.body.items.map((project: { id: string }) => project.id)).not.toContain(projectId);
      const page = await platform.as(alice).get(`/api/projects/${projectId}`);
      expect(page.body).toMatchObject({ status: 'deleted', deletedBy: alice.userId });
      expect(page.body.latestActivity[0].type).toBe('projects.project.deleted.v1');
      const changeAfterDeletion = await platform.as(alice).patch(`/api/projects/${projectId}`, { name: 'Revived' });
      expect(changeAfterDeletion.status).toBe(409);
      expect(changeAfterDeletion.body.rule).toBe('projects.project-deleted');
      const sameSlug = await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Again', slug: 'ribosome-tomography', scheme: 'lab' });
      expect(sameSlug.status).toBe(409);
    });

    it('an unknown project is a 404', async () => {
      const missing = await platform.as(alice).get('/api/projects/no-such-slug?lab=sundog');
      expect(missing.status).toBe(404);
    });
  });

  describe("The project's version (docs/api.md: a strong ETag; If-Match answers 412 on a stale one, expectedVersion 409)", () => {
    let projectId: string;
    const versionOf = async () => (await platform.projects.runtime.store.readStream(projectStream(projectId))).at(-1)!.streamversion;
    const withIfMatch = (method: 'patch' | 'delete', tag: string, body: object = {}) => platform.as(alice)[method](`/api/projects/${projectId}`).set('If-Match', tag).send(body);

    beforeAll(async () => {
      projectId = (await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Versioned', description: 'first', scheme: 'lab' })).body.id;
    });

    it('the project page carries a strong ETag that is the version of the project\'s stream', async () => {
      const page = await platform.as(alice).get(`/api/projects/${projectId}`);
      expect(page.status).toBe(200);
      expect(page.headers.etag).toBe(`"${await versionOf()}"`);
    });

    it('an edit with the current version is made, and the page then carries the next version', async () => {
      const { headers } = await platform.as(alice).get(`/api/projects/${projectId}`);
      const edited = await withIfMatch('patch', headers.etag, { description: 'second' });
      expect(edited.status).toBe(200);
      const page = await platform.as(alice).get(`/api/projects/${projectId}`);
      expect(page.body.description).toBe('second');
      expect(page.headers.etag).toBe(`"${Number(JSON.parse(headers.etag)) + 1}"`);
    });

    it('an edit or a deletion with a stale If-Match answers 412 with the current version, and changes nothing', async () => {
      const current = await versionOf();
      const staleEdit = await withIfMatch('patch', `"${current - 1}"`, { name: 'Lost update' });
      expect(staleEdit.status).toBe(412);
      expect(staleEdit.body).toMatchObject({ rule: 'precondition.stale-version', currentVersion: current });
      const staleDeletion = await withIfMatch('delete', `"${current - 1}"`);
      expect(staleDeletion.status).toBe(412);

      const page = await platform.as(alice).get(`/api/projects/${projectId}`);
      expect(page.body).toMatchObject({ name: 'Versioned', status: 'active' });
      expect(await versionOf()).toBe(current);
    });

    it('an edit with a stale expectedVersion in its body answers 409 with the current version', async () => {
      const current = await versionOf();
      const stale = await platform.as(alice).patch(`/api/projects/${projectId}`, { name: 'Lost update', expectedVersion: current - 1 });
      expect(stale.status).toBe(409);
      expect(stale.body).toMatchObject({ rule: 'concurrency.stale-version', currentVersion: current });
      expect(await versionOf()).toBe(current);
    });

    it('a deletion with the current expectedVersion is made', async () => {
      const deleted = await platform.as(alice).delete(`/api/projects/${projectId}`, { expectedVersion: await versionOf() });
      expect(deleted.status).toBe(200);
    });

    it('the list is no version: it carries no ETag', async () => {
      const list = await platform.as(alice).get('/api/projects?lab=sundog');
      expect(list.status).toBe(200);
      expect(list.headers.etag).toBeUndefined();
    });
  });
});
