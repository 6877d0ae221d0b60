import type { ProjectAccessEvent } from '@cairn/contracts';
import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '../access.definition';
import { projectAccessStream } from '../application/project-access.service';
import { projectInitializationReactor } from '../application/project-initialization.reactor';
import { as, createInitializedProject, createLab, createProject, signIn, type TestPerson } from './testing/access-test-kit';

/**
 * Project access over HTTP, as the two guides tell it (docs/requirements.md F-5, F-6, F-7, F-8, F-9, F-11, L-7, L-8, L-12, L-13, L-14, L-20, L-21, L-22): the Sundog projects guide (lab scheme: levels,
 * base level, users page) and the facility jobs guide (facility scheme: four roles, one owner).
 * One service for the whole file; each story has its own project.
 */
describe('project access over HTTP', () => {
  let service: ServiceUnderTest;
  // Sundog lab.
  let alice: TestPerson, bob: TestPerson, carol: TestPerson, dave: TestPerson, erin: TestPerson, oscar: TestPerson;
  // Facility lab.
  let olivia: TestPerson, manon: TestPerson, mehdi: TestPerson, vikram: TestPerson, nadia: TestPerson;

  beforeAll(async () => {
    service = await startServiceUnderTest(accessService);
    [alice, bob, carol, dave, erin, oscar] = await Promise.all(
      ['alice', 'bob', 'carol', 'dave', 'erin', 'oscar'].map((name) => signIn(service, name, name[0].toUpperCase() + name.slice(1))),
    );
    [olivia, manon, mehdi, vikram, nadia] = await Promise.all(['olivia', 'manon', 'mehdi', 'vikram', 'nadia'].map((name) => signIn(service, name)));
    // Oscar signed in but belongs to no lab.
    await createLab(service, 'sundog', [alice, bob, carol, dave, erin]);
    await createLab(service, 'facility', [olivia, manon, mehdi, vikram, nadia]);
  });
  afterAll(() => service?.close());

  const access = (projectId: string, rest = '') => `/api/projects/${projectId}/access${rest}`;

  async function accessEvents(projectId: string): Promise<ProjectAccessEvent[]> {
    return (await service.runtime.store.readStream(projectAccessStream(projectId))) as unknown as ProjectAccessEvent[];
  }

  describe('project initialization by event', () => {
    it('"The project creator is its owner by default": on projects.project.created.v1 the creator becomes owner, and their read waits for it with Cairn-Min-Position', async () => {
      const position = await createProject(service, { projectId: 'p-init', lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', creator: alice });

      const mine = await as(service, alice).get(access('p-init', '/me'), position);

      expect(mine.status).toBe(200);
      expect(mine.body).toMatchObject({ projectId: 'p-init', user: alice.userId, scheme: 'lab', role: 'owner', via: 'explicit' });
      const [initialized] = await accessEvents('p-init');
      expect(initialized).toMatchObject({
        type: 'access.project.initialized.v1',
        data: { projectId: 'p-init', lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', user: alice.userId, after: 'owner', actor: alice.userId },
      });
    });

    it('a redelivered or repeated creation event appends nothing', async () => {
      const [created] = await service.runtime.store.readStream({ context: 'projects', aggregate: 'project', id: 'p-init' });
      await projectInitializationReactor.react([created], service.runtime);
      const repeated = await createProject(service, { projectId: 'p-init', lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', creator: bob });
      await as(service, alice).get(access('p-init', '/me'), repeated).expect(200);

      expect(await accessEvents('p-init')).toHaveLength(1);
    });

    it('a creation the rules refuse is dead-lettered at once, and the projects after it are initialized without waiting', async () => {
      // "A project must have at least one owner" makes owners explicit: a base level of owner is refused.
      await createProject(service, { projectId: 'p-refused', lab: 'sundog', scheme: 'lab', baseLevel: 'owner', creator: alice });
      const next = await createProject(service, { projectId: 'p-after-refused', lab: 'sundog', scheme: 'lab', creator: alice });

      const mine = await as(service, alice).get(access('p-after-refused', '/me'), next);

      expect(mine.status).toBe(200);
      expect(await accessEvents('p-refused')).toEqual([]);
    });

    it("a project whose creation the access service has not seen is a 404 naming the rule", async () => {
      const response = await as(service, alice).get(access('p-never-created'));
      expect(response.status).toBe(404);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.rule).toBe('access.project-unknown');
    });
  });

  describe('Sundog: the user page for a project', () => {
    beforeAll(async () => {
      await createInitializedProject(service, { projectId: 'p-sundog', lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', creator: alice });
    });

    it('"Other users can be granted explicit permission to access the project, with a specific level" (by username)', async () => {
      const granted = await as(service, alice).put(access('p-sundog', '/users/bob'), { role: 'experimenter', reason: 'runs the scans' });

      expect(granted.status).toBe(200);
      expect(Number(granted.headers['cairn-position'])).toBeGreaterThan(0);
      expect(granted.body).toMatchObject({ projectId: 'p-sundog', user: bob.userId, role: 'experimenter', via: 'explicit' });
      expect((await accessEvents('p-sundog')).at(-1)).toMatchObject({
        type: 'access.role.granted.v1',
        data: { user: bob.userId, before: 'viewer', after: 'experimenter', actor: alice.userId, reason: 'runs the scans' },
      });
    });

    it('"lists everyone with access to a project: first, anyone with an explicit permission on the project, and then anyone else in the lab who has access via the base level"', async () => {
      const page = await as(service, bob).get(access('p-sundog'));

      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ projectId: 'p-sundog', lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', warnings: [] });
      expect(page.body.explicit).toEqual([
        { user: alice.userId, username: 'alice', displayName: 'Alice', role: 'owner', grantedBy: alice.userId, grantedAt: expect.any(String) },
        { user: bob.userId, username: 'bob', displayName: 'Bob', role: 'experimenter', grantedBy: alice.userId, grantedAt: expect.any(String) },
      ]);
      expect(page.body.viaBaseLevel).toEqual([
        { user: carol.userId, username: 'carol', displayName: 'Carol', role: 'viewer' },
        { user: dave.userId, username: 'dave', displayName: 'Dave', role: 'viewer' },
        { user: erin.userId, username: 'erin', displayName: 'Erin', role: 'viewer' },
      ]);
    });

    it('"Click change level to alter the level of an explicit permission"', async () => {
      const changed = await as(service, alice).put(access('p-sundog', '/users/u-bob'), { role: 'commenter' });

      expect(changed.status).toBe(200);
      expect(changed.body).toMatchObject({ user: bob.userId, role: 'commenter', via: 'explicit' });
      expect((await accessEvents('p-sundog')).at(-1)).toMatchObject({
        type: 'access.role.changed.v1',
        data: { user: bob.userId, before: 'experimenter', after: 'commenter' },
      });
    });

    it('"...or to create an explicit permission for someone with a base level" (by e-mail)', async () => {
      await as(service, alice).put(access('p-sundog', '/users/carol@example.org'), { role: 'experimenter' }).expect(200);

      const page = await as(service, alice).get(access('p-sundog'));
      expect(page.body.explicit.map((entry: { username: string; role: string }) => [entry.username, entry.role])).toEqual([
        ['alice', 'owner'],
        ['bob', 'commenter'],
        ['carol', 'experimenter'],
      ]);
      expect(page.body.viaBaseLevel.map((entry: { username: string }) => entry.username)).toEqual(['dave', 'erin']);
    });

    it('an explicit permission overrides the base level, even a lower one: "None: Cannot see the project at all"', async () => {
      await as(service, alice).put(access('p-sundog', '/users/dave'), { role: 'none' }).expect(200);

      // A project they cannot see is answered exactly as one that does not exist, on every route.
      for (const path of ['/me', '']) {
        const hidden = await as(service, dave).get(access('p-sundog', path));
        const missing = await as(service, dave).get(access('p-no-such', path));
        expect([hidden.status, hidden.body.type]).toEqual([missing.status, missing.body.type]);
        expect(hidden.body).toMatchObject({ status: 404, rule: 'access.project-unknown' });
      }
    });

    it('"Click remove to remove an explicit permission from a user": they keep what the base level gives', async () => {
      const removed = await as(service, alice).delete(access('p-sundog', '/users/bob'), { reason: 'left the scan team' });

      expect(removed.status).toBe(200);
      expect(removed.body).toMatchObject({ user: bob.userId, role: 'viewer', via: 'base-level' });
      const page = await as(service, alice).get(access('p-sundog'));
      expect(page.body.viaBaseLevel.map((entry: { username: string }) => entry.username)).toEqual(['bob', 'erin']);
    });

    it('"You can\'t remove base level access here"', async () => {
      const response = await as(service, alice).delete(access('p-sundog', '/users/erin'));
      expect(response.status).toBe(409);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(response.body.rule).toBe('lab.base-level-not-removable');
    });

    it('"You cannot remove your own permission"', async () => {
      const response = await as(service, alice).delete(access('p-sundog', '/users/alice'));
      expect(response.status).toBe(403);
      expect(response.body.rule).toBe('access.no-self-removal');
    });

    it('"A project must have at least one owner"', async () => {
      const response = await as(service, alice).put(access('p-sundog', '/users/alice'), { role: 'experimenter' });
      expect(response.status).toBe(409);
      expect(response.body.rule).toBe('lab.at-least-one-owner');
    });

    it('"Owner: Can add/remove people to/from the project and change their access levels" — and nobody else can', async () => {
      const response = await as(service, carol).put(access('p-sundog', '/users/erin'), { role: 'commenter' });
      expect(response.status).toBe(403);
      expect(response.body.rule).toBe('lab.only-owners-manage-access');
    });

    it('"Click add permission to add someone in the lab to the project": someone outside the lab is refused', async () => {
      const response = await as(service, alice).put(access('p-sundog', '/users/oscar'), { role: 'viewer' });
      expect(response.status).toBe(409);
      expect(response.body.rule).toBe('access.grantee-not-in-lab');
    });

    it('"a project owner must alter the project to change the base level"', async () => {
      const refused = await as(service, carol).put(access('p-sundog', '/base-level'), { level: 'commenter' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('lab.base-level-needs-base-level-manage');

      const changed = await as(service, alice).put(access('p-sundog', '/base-level'), { level: 'commenter', reason: 'everyone may annotate' });
      expect(changed.status).toBe(200);
      expect(changed.body).toEqual({ projectId: 'p-sundog', baseLevel: 'commenter' });
      const page = await as(service, alice).get(access('p-sundog'));
      expect(page.body.viaBaseLevel.map((entry: { username: string; role: string }) => [entry.username, entry.role])).toEqual([
        ['bob', 'commenter'],
        ['erin', 'commenter'],
      ]);
    });

    it('"The project creator is its owner by default, but other users can be given this permission"; then an owner may step down', async () => {
      await as(service, alice).put(access('p-sundog', '/users/erin'), { role: 'owner' }).expect(200);
      const steppedDown = await as(service, alice).put(access('p-sundog', '/users/alice'), { role: 'experimenter' });

      expect(steppedDown.status).toBe(200);
      expect((await as(service, erin).get(access('p-sundog', '/me'))).body).toMatchObject({ role: 'owner' });
      expect((await as(service, alice).get(access('p-sundog', '/me'))).body).toMatchObject({ role: 'experimenter' });
    });

    it('the lab scheme has no ownership transfer', async () => {
      const response = await as(service, erin).post(access('p-sundog', '/transfer-ownership'), { to: 'bob' });
      expect(response.status).toBe(400);
      expect(response.body.rule).toBe('lab.ownership-not-transferable');
    });

    it('"you can choose the base level for the project": without one, a project is private to its explicit permissions', async () => {
      await createInitializedProject(service, { projectId: 'p-private', lab: 'sundog', scheme: 'lab', creator: alice });

      const page = await as(service, alice).get(access('p-private'));
      expect(page.body).toMatchObject({ baseLevel: 'none', viaBaseLevel: [] });
      expect((await as(service, bob).get(access('p-private', '/me'))).body).toMatchObject({ status: 404, rule: 'access.project-unknown' });
      expect((await as(service, oscar).get(access('p-private', '/me'))).body).toMatchObject({ status: 404, rule: 'access.project-unknown' });
    });
  });

  describe('facility: "Projects can be shared with four different roles"', () => {
    beforeAll(async () => {
      await createInitializedProject(service, { projectId: 'p-facility', lab: 'facility', scheme: 'facility', creator: olivia });
    });

    it('the users page of a project whose owner has no backup carries the tip "Add at least one other Manager as backup (vacations, handover)"', async () => {
      const page = await as(service, olivia).get(access('p-facility'));

      expect(page.status).toBe(200);
      expect(page.body).toMatchObject({ scheme: 'facility', baseLevel: null, viaBaseLevel: [] });
      expect(page.body.explicit).toEqual([expect.objectContaining({ user: olivia.userId, role: 'owner' })]);
      expect(page.body.warnings).toEqual([
        {
          rule: 'facility.owner-backup-advised',
          message: 'Only the owner manages access to this project. Add at least one other manager as backup (vacations, handover).',
        },
      ]);
    });

    it('"Add people via their username or e-mail adress and assign them their intended role"; a manager as backup ends the warning', async () => {
      await as(service, olivia).put(access('p-facility', '/users/manon@example.org'), { role: 'manager' }).expect(200);
      await as(service, olivia).put(access('p-facility', '/users/mehdi'), { role: 'member' }).expect(200);

      const page = await as(service, olivia).get(access('p-facility'));
      expect(page.body.warnings).toEqual([]);
      expect(page.body.explicit.map((entry: { username: string; role: string }) => [entry.username, entry.role])).toEqual([
        ['olivia', 'owner'],
        ['manon', 'manager'],
        ['mehdi', 'member'],
      ]);
    });

    it('"Member: ... add Viewers. Cannot manage Managers"', async () => {
      await as(service, mehdi).put(access('p-facility', '/users/vikram'), { role: 'viewer' }).expect(200);

      const refused = await as(service, mehdi).put(access('p-facility', '/users/nadia'), { role: 'member' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('facility.member-adds-viewers-only');
    });

    it('"Manager: ... Can add or remove Members"; only the owner manages managers', async () => {
      await as(service, manon).put(access('p-facility', '/users/nadia'), { role: 'member' }).expect(200);
      const refused = await as(service, manon).put(access('p-facility', '/users/nadia'), { role: 'manager' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('facility.only-owner-manages-managers');
      await as(service, manon).delete(access('p-facility', '/users/nadia')).expect(200);
      expect((await as(service, nadia).get(access('p-facility', '/me'))).body).toMatchObject({ status: 404, rule: 'access.project-unknown' });
    });

    it('"Viewer: Read-only access ... cannot modify anything"', async () => {
      const refused = await as(service, vikram).put(access('p-facility', '/users/nadia'), { role: 'viewer' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('facility.viewer-read-only');
    });

    it('"There is exactly one Owner per project"', async () => {
      const refused = await as(service, olivia).put(access('p-facility', '/users/manon'), { role: 'owner' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('facility.single-owner-changed-only-by-transfer');
    });

    it('has no base level', async () => {
      const refused = await as(service, olivia).put(access('p-facility', '/base-level'), { level: 'viewer' });
      expect(refused.status).toBe(400);
      expect(refused.body.rule).toBe('facility.no-base-level');
    });

    it('"The project creator becomes Owner by default but can transfer ownership": only the owner hands over, and keeps the manager role', async () => {
      const refused = await as(service, manon).post(access('p-facility', '/transfer-ownership'), { to: 'mehdi' });
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('facility.only-owner-transfers');

      const transferred = await as(service, olivia).post(access('p-facility', '/transfer-ownership'), { to: 'manon', reason: 'olivia moves on' });
      expect(transferred.status).toBe(200);
      expect(transferred.body).toMatchObject({ projectId: 'p-facility', owner: manon.userId, previousOwner: { user: olivia.userId, role: 'manager' } });
      expect((await accessEvents('p-facility')).at(-1)).toMatchObject({
        type: 'access.ownership.transferred.v1',
        data: { previousOwner: olivia.userId, newOwner: manon.userId, newOwnerBefore: 'manager', previousOwnerAfter: 'manager', reason: 'olivia moves on' },
      });
      const page = await as(service, manon).get(access('p-facility'));
      expect(page.body.explicit.filter((entry: { role: string }) => entry.role === 'owner').map((entry: { user: string }) => entry.user)).toEqual([manon.userId]);
      expect(page.body.warnings).toEqual([]);
    });
  });

  describe('preview: who would gain or lose which capabilities', () => {
    beforeAll(async () => {
      await createInitializedProject(service, { projectId: 'p-preview', lab: 'sundog', scheme: 'lab', baseLevel: 'viewer', creator: alice });
    });

    it('a dry run of a base-level change lists each lab member it reaches, and changes nothing', async () => {
      const before = await accessEvents('p-preview');
      const preview = await as(service, alice).post(access('p-preview', '/preview'), { change: { kind: 'set-base-level', level: 'commenter' } });

      expect(preview.status).toBe(201);
      expect(preview.body).toMatchObject({ projectId: 'p-preview', change: { kind: 'set-base-level', level: 'commenter' }, previewId: expect.any(String) });
      expect(preview.body.effects.map((effect: { username: string }) => effect.username)).toEqual(['bob', 'carol', 'dave', 'erin']);
      expect(preview.body.effects[0]).toEqual({
        user: bob.userId,
        username: 'bob',
        displayName: 'Bob',
        before: 'viewer',
        after: 'commenter',
        gained: ['comments.write', 'stacks.annotate'],
        lost: [],
      });
      expect(await accessEvents('p-preview')).toHaveLength(before.length);
    });

    it('the change itself may carry the preview id, and its event records it as evidence', async () => {
      const { body: preview } = await as(service, alice).post(access('p-preview', '/preview'), { change: { kind: 'set-role', user: 'bob', role: 'experimenter' } });
      expect(preview.effects).toEqual([expect.objectContaining({ user: bob.userId, before: 'viewer', after: 'experimenter' })]);

      await as(service, alice).put(access('p-preview', '/users/bob'), { role: 'experimenter', previewId: preview.previewId }).expect(200);

      expect((await accessEvents('p-preview')).at(-1)).toMatchObject({ type: 'access.role.granted.v1', data: { user: bob.userId, previewId: preview.previewId } });
    });

    it('a change cites only a preview of itself, by its own actor, on the access as it still is', async () => {
      const { body: ofCarol } = await as(service, alice).post(access('p-preview', '/preview'), { change: { kind: 'set-role', user: 'carol', role: 'viewer' } });
      const mismatch = await as(service, alice).put(access('p-preview', '/users/carol'), { role: 'commenter', previewId: ofCarol.previewId });
      expect(mismatch.status).toBe(409);
      expect(mismatch.body.rule).toBe('access.preview-mismatch');

      await as(service, alice).put(access('p-preview', '/users/dave'), { role: 'commenter' }).expect(200);
      const stale = await as(service, alice).put(access('p-preview', '/users/carol'), { role: 'viewer', previewId: ofCarol.previewId });
      expect(stale.status).toBe(409);
      expect(stale.body.rule).toBe('access.preview-stale');

      const unknown = await as(service, alice).put(access('p-preview', '/users/carol'), { role: 'viewer', previewId: 'no-such-preview' });
      expect(unknown.status).toBe(404);
      expect(unknown.body.rule).toBe('access.preview-unknown');
    });

    it('a preview is refused exactly as the change would be', async () => {
      const response = await as(service, bob).post(access('p-preview', '/preview'), { change: { kind: 'remove-role', user: 'alice' } });
      expect(response.status).toBe(403);
      expect(response.body.rule).toBe('lab.only-owners-manage-access');
    });

    it('a change lacking a field of its kind, or carrying one of another kind, is a 400 naming the field', async () => {
      const missing = await as(service, alice).post(access('p-preview', '/preview'), { change: { kind: 'set-role', user: 'bob' } });
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'change.role' })]));
      const foreign = await as(service, alice).post(access('p-preview', '/preview'), { change: { kind: 'set-base-level', level: 'viewer', user: 'bob' } });
      expect(foreign.status).toBe(400);
      expect(foreign.body.errors).toEqual([{ field: 'change.user', message: 'a set-base-level change does not take user' }]);
    });
  });

  describe('check as user', () => {
    it('an owner checks what someone may do, and why', async () => {
      const response = await as(service, alice).get(access('p-preview', '/check?user=bob@example.org&capability=jobs.run'));

      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({
        projectId: 'p-preview',
        user: bob.userId,
        username: 'bob',
        capability: 'jobs.run',
        allowed: true,
        role: 'experimenter',
        via: 'explicit',
        grant: { grantedBy: alice.userId },
      });
      expect(response.body.reason).toMatch(/^u-bob has jobs.run: role experimenter through an explicit permission given by u-alice/);
    });

    it('someone whose role lacks access.check is refused', async () => {
      const response = await as(service, bob).get(access('p-preview', '/check?user=alice&capability=jobs.run'));
      expect(response.status).toBe(403);
      expect(response.body).toMatchObject({ rule: 'capability.access.check', role: 'experimenter', rolesWithCapability: ['owner'] });
    });

    it('an unknown capability or person is named in the answer', async () => {
      const badCapability = await as(service, alice).get(access('p-preview', '/check?user=bob&capability=jobs.fly'));
      expect(badCapability.status).toBe(400);
      expect(badCapability.body.errors[0].field).toBe('capability');
      const nobody = await as(service, alice).get(access('p-preview', '/check?user=nobody&capability=jobs.run'));
      expect(nobody.status).toBe(404);
      expect(nobody.body.rule).toBe('directory.unknown-user');
    });
  });

  describe('bad requests', () => {
    it('a role the scheme does not have, an unknown field, an unknown person', async () => {
      const role = await as(service, alice).put(access('p-preview', '/users/bob'), { role: 'manager' });
      expect(role.status).toBe(400);
      expect(role.body.rule).toBe('lab.unknown-role');
      const field = await as(service, alice).put(access('p-preview', '/users/bob'), { role: 'viewer', colour: 'red' });
      expect(field.status).toBe(400);
      expect(field.body.errors).toEqual([{ field: 'colour', message: 'property colour should not exist' }]);
      const person = await as(service, alice).put(access('p-preview', '/users/nobody@example.org'), { role: 'viewer' });
      expect(person.status).toBe(404);
      expect(person.body.rule).toBe('directory.unknown-user');
    });
  });
});
