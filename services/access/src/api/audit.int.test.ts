import { startServiceUnderTest, type ServiceUnderTest } from '@cairn/runtime';
import { accessService } from '../access.definition';
import { projectAccessStream } from '../application/project-access.service';
import { as, createInitializedProject, createLab, signIn, type TestPerson } from './testing/access-test-kit';
import { afterClockPasses, justBefore, recordStep } from './testing/audit-test-kit';

/**
 * The access history for auditors over HTTP: `GET /api/audit/access/at` answers who had which role at an
 * instant and why, across grants, changes, base-level changes, lab member removal, revocations and an
 * ownership transfer; `GET /api/audit/access` lists the changes with before and after.
 */
describe('access audit over HTTP', () => {
  let service: ServiceUnderTest;
  let admin: TestPerson, alice: TestPerson, bob: TestPerson, carol: TestPerson, dave: TestPerson;
  let olivia: TestPerson, manon: TestPerson, mehdi: TestPerson;
  /** The instant each step of the lab story was recorded at. */
  const lab: Record<'created' | 'bobGranted' | 'bobChanged' | 'baseLevelRaised' | 'carolLeft' | 'bobRevoked' | 'daveJoined', string> = {} as never;
  const facility: Record<'manonGranted' | 'transferred', string> = {} as never;
  /** When Bob, signed in as "Robert Baker" since, joined a second lab under that name. */
  let bobRenamed: string;
  let lastPosition = 0;

  async function step(call: PromiseLike<{ status: number; headers: Record<string, string>; body: unknown }>): Promise<string> {
    const { position, instant } = await recordStep(service, call);
    lastPosition = position;
    return instant;
  }

  const at = (person: TestPerson, project: string, instant: string) =>
    as(service, person).get(`/api/audit/access/at?project=${project}&at=${encodeURIComponent(instant)}`, lastPosition);
  const roles = async (project: string, instant: string) => {
    const response = await at(alice, project, instant);
    expect(response.status).toBe(200);
    return (response.body.people as { user: string; role: string; via: string }[]).map(({ user, role, via }) => `${user} ${role} ${via}`);
  };

  beforeAll(async () => {
    service = await startServiceUnderTest(accessService);
    admin = await signIn(service, 'audrey', 'Audrey Admin');
    admin.token = await service.token({ username: 'audrey', admin: true, email: admin.email, name: admin.displayName });
    [alice, bob, carol, dave, olivia, manon, mehdi] = await Promise.all(
      Object.entries({
        alice: 'Alice Archer',
        bob: 'Bob Baker',
        carol: 'Carol Chen',
        dave: 'Dave Diaz',
        olivia: 'Olivia Ortiz',
        manon: 'Manon Martin',
        mehdi: 'Mehdi Mansour',
      }).map(([username, displayName]) => signIn(service, username, displayName)),
    );

    // Lab scheme: the lab through its endpoints (Audrey, a facility admin, is its admin), then the story.
    await as(service, admin).post('/api/labs', { name: 'Audit lab', slug: 'audit-lab' }).expect(201);
    for (const member of [alice, bob, carol]) await as(service, admin).post('/api/labs/audit-lab/members', { user: member.username }).expect(201);
    await createInitializedProject(service, { projectId: 'p-lab', lab: 'audit-lab', scheme: 'lab', baseLevel: 'viewer', creator: alice });
    const [initialized] = await service.runtime.store.readStream(projectAccessStream('p-lab'));
    lab.created = (initialized.data as { at: string }).at;
    await afterClockPasses(lab.created);
    const projectAccess = (rest: string) => `/api/projects/p-lab/access${rest}`;
    lab.bobGranted = await step(as(service, alice).put(projectAccess('/users/bob'), { role: 'experimenter', reason: 'runs the scans' }));
    lab.bobChanged = await step(as(service, alice).put(projectAccess('/users/bob'), { role: 'commenter' }));
    lab.baseLevelRaised = await step(as(service, alice).put(projectAccess('/base-level'), { level: 'commenter', reason: 'everyone annotates' }));
    lab.carolLeft = await step(as(service, admin).delete('/api/labs/audit-lab/members/carol', { reason: 'moved to another group' }));
    lab.bobRevoked = await step(as(service, alice).delete(projectAccess('/users/bob'), { reason: 'scans done' }));
    lab.daveJoined = await step(as(service, admin).post('/api/labs/audit-lab/members', { user: 'dave' }));

    // Facility scheme: Olivia owns, makes Manon manager, then hands the project over to her.
    await createLab(service, 'audit-facility', [olivia, manon, mehdi]);
    await createInitializedProject(service, { projectId: 'p-fac', lab: 'audit-facility', scheme: 'facility', creator: olivia });
    const facilityAccess = (rest: string) => `/api/projects/p-fac/access${rest}`;
    facility.manonGranted = await step(as(service, olivia).put(facilityAccess('/users/manon'), { role: 'manager', reason: 'backup for vacations' }));
    await step(as(service, manon).put(facilityAccess('/users/mehdi'), { role: 'member' }));
    facility.transferred = await step(as(service, olivia).post(facilityAccess('/transfer-ownership'), { to: 'manon', reason: 'olivia moves on' }));

    // Bob's display name changes; the directory records it when he joins a second lab.
    await signIn(service, 'bob', 'Robert Baker');
    await as(service, admin).post('/api/labs', { name: 'Second lab', slug: 'second-lab' }).expect(201);
    bobRenamed = await step(as(service, admin).post('/api/labs/second-lab/members', { user: 'bob' }));
  });

  const named = (person: TestPerson, displayName = person.displayName) => ({ username: person.username, displayName });
  const called = (person: TestPerson) => `${person.displayName} (${person.username})`;
  afterAll(() => service?.close());

  describe('GET /api/audit/access/at: who had which role at that instant, and why', () => {
    it('before the project was created, nobody had access', async () => {
      const response = await at(alice, 'p-lab', justBefore(lab.created));
      expect(response.status).toBe(200);
      expect(response.body).toMatchObject({ project: 'p-lab', lab: 'audit-lab', scheme: 'lab', existed: false, people: [] });
    });

    it('at creation: the creator owns it, every lab member has the base level through their membership', async () => {
      const response = await at(alice, 'p-lab', lab.created);
      expect(response.body.baseLevel).toEqual({ level: 'viewer', setBy: alice.userId, setAt: lab.created });
      expect(response.body.people).toEqual([
        expect.objectContaining({ user: alice.userId, role: 'owner', via: 'explicit', since: lab.created, grant: expect.objectContaining({ event: 'initialized' }) }),
        expect.objectContaining({ user: admin.userId, role: 'viewer', via: 'base-level', since: lab.created, until: lab.baseLevelRaised }),
        expect.objectContaining({ user: bob.userId, role: 'viewer', via: 'base-level', since: lab.created, until: lab.bobGranted }),
        expect.objectContaining({ user: carol.userId, role: 'viewer', via: 'base-level', until: lab.baseLevelRaised }),
      ]);
      expect(response.body.people[2].membership).toMatchObject({ lab: 'audit-lab', addedBy: admin.userId });
    });

    it('a grant: who granted it, when, and the reason; it cuts the base-level interval', async () => {
      const response = await at(alice, 'p-lab', lab.bobGranted);
      const bobsAccess = response.body.people.find((person: { user: string }) => person.user === bob.userId);
      expect(bobsAccess).toEqual({
        user: bob.userId,
        role: 'experimenter',
        via: 'explicit',
        since: lab.bobGranted,
        until: lab.bobChanged,
        grant: { grantedBy: alice.userId, grantedAt: lab.bobGranted, event: 'granted', reason: 'runs the scans' },
        why: `experimenter by explicit permission, granted by ${called(alice)} at ${lab.bobGranted}, because "runs the scans"`,
      });
    });

    it('names everyone it mentions with username and display name, as the lab directory knew them at that instant', async () => {
      const response = await at(alice, 'p-lab', lab.bobGranted);
      const { people, baseLevel, names } = response.body as {
        people: { user: string; why: string; grant?: { grantedBy: string }; membership?: { addedBy: string } }[];
        baseLevel: { setBy: string };
        names: Record<string, { username: string; displayName: string }>;
      };
      const mentioned = [baseLevel.setBy, ...people.flatMap((person) => [person.user, person.grant?.grantedBy, person.membership?.addedBy])];
      expect(Object.keys(names).sort()).toEqual([...new Set(mentioned.filter((userId) => userId !== undefined))].sort());
      expect(names).toEqual({
        [alice.userId]: named(alice),
        [bob.userId]: named(bob),
        [carol.userId]: named(carol),
        [admin.userId]: named(admin),
      });
      expect(people.find((person) => person.user === carol.userId)?.why).toMatch(/^viewer: the project's base level \(set by Alice Archer \(alice\) at [^)]+\), as a member of lab audit-lab since \S+ \(added by Audrey Admin \(audrey\)\)$/);
    });

    it('a person renamed since is named as they were called then, and as they are called after the directory learned it', async () => {
      expect((await at(alice, 'p-lab', justBefore(bobRenamed))).body.names[bob.userId]).toEqual(named(bob, 'Bob Baker'));
      expect((await at(alice, 'p-lab', bobRenamed)).body.names[bob.userId]).toEqual(named(bob, 'Robert Baker'));
    });

    it('a change of the explicit permission', async () => {
      expect(await roles('p-lab', lab.bobChanged)).toContain(`${bob.userId} commenter explicit`);
      expect(await roles('p-lab', justBefore(lab.bobChanged))).toContain(`${bob.userId} experimenter explicit`);
    });

    it('a base-level change reaches every member without an explicit permission, with who changed it and why', async () => {
      const response = await at(alice, 'p-lab', lab.baseLevelRaised);
      expect(response.body.baseLevel).toEqual({ level: 'commenter', setBy: alice.userId, setAt: lab.baseLevelRaised, reason: 'everyone annotates' });
      expect(await roles('p-lab', lab.baseLevelRaised)).toEqual([
        `${alice.userId} owner explicit`,
        `${bob.userId} commenter explicit`,
        `${admin.userId} commenter base-level`,
        `${carol.userId} commenter base-level`,
      ]);
    });

    it('a lab member removed from the lab loses base-level access from that instant', async () => {
      expect(await roles('p-lab', justBefore(lab.carolLeft))).toContain(`${carol.userId} commenter base-level`);
      expect(await roles('p-lab', lab.carolLeft)).not.toContain(`${carol.userId} commenter base-level`);
    });

    it('a revocation restores the base level, from the revocation on', async () => {
      const response = await at(alice, 'p-lab', lab.bobRevoked);
      expect(response.body.people).toContainEqual(
        expect.objectContaining({ user: bob.userId, role: 'commenter', via: 'base-level', since: lab.bobRevoked, until: null }),
      );
    });

    it('someone who joins the lab later has the base level from when they joined; now looks the same', async () => {
      const expected = [`${alice.userId} owner explicit`, `${admin.userId} commenter base-level`, `${bob.userId} commenter base-level`, `${dave.userId} commenter base-level`];
      expect(await roles('p-lab', lab.daveJoined)).toEqual(expected);
      const now = await as(service, alice).get('/api/audit/access/at?project=p-lab', lastPosition);
      expect(now.body.people.map(({ user, role, via }: { user: string; role: string; via: string }) => `${user} ${role} ${via}`)).toEqual(expected);
    });

    it('an ownership transfer: the new owner by hand-over, the old owner keeps manager, each with the reason', async () => {
      const before = await at(manon, 'p-fac', justBefore(facility.transferred));
      expect(before.body.people.map(({ user, role }: { user: string; role: string }) => `${user} ${role}`)).toEqual([
        `${olivia.userId} owner`,
        `${manon.userId} manager`,
        `${mehdi.userId} member`,
      ]);
      const after = await at(manon, 'p-fac', facility.transferred);
      expect(after.body.baseLevel).toBeNull();
      expect(after.body.people.slice(0, 2)).toEqual([
        expect.objectContaining({
          user: manon.userId,
          role: 'owner',
          since: facility.transferred,
          grant: { grantedBy: olivia.userId, grantedAt: facility.transferred, event: 'ownership-transferred', reason: 'olivia moves on' },
        }),
        expect.objectContaining({ user: olivia.userId, role: 'manager', since: facility.transferred, why: expect.stringMatching(/^manager, kept when handing ownership over/) }),
      ]);
    });

    it('is open to facility admins and to those who manage the project\'s access, not to others', async () => {
      await at(admin, 'p-fac', facility.transferred).expect(200);
      const member = await at(mehdi, 'p-fac', facility.transferred);
      expect(member.status).toBe(403);
      expect(member.body).toMatchObject({ rule: 'audit.needs-access-manage' });
      expect(member.body.detail).toMatch(/facility admins and to those whose role manages its access \(manager, owner\); your role on it is member/);
      // On a lab-scheme project only owners manage access: base-level commenters may not audit it.
      expect((await at(bob, 'p-lab', lab.daveJoined)).status).toBe(403);
      // Olivia handed the project over but manages its access still, as manager.
      await at(olivia, 'p-fac', facility.manonGranted).expect(200);
    });

    it('bad dates are 400 with the field and the reason; an unknown project is 404', async () => {
      for (const bad of ['yesterday', '2025-13-01T00:00:00Z', '2025-01-06T09:30:00']) {
        const response = await at(alice, 'p-lab', bad);
        expect(response.status).toBe(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
        expect(response.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'at' })]));
      }
      const missing = await as(service, alice).get('/api/audit/access/at');
      expect(missing.status).toBe(400);
      expect(missing.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'project' })]));
      const unknown = await at(admin, 'p-unknown', lab.created);
      expect(unknown.status).toBe(404);
      expect(unknown.body.rule).toBe('audit.project-unknown');
    });
  });

  describe('GET /api/audit/access: the history, oldest first, with actor, reason, before and after', () => {
    const history = (person: TestPerson, query: string) => as(service, person).get(`/api/audit/access?${query}`, lastPosition);

    it("a project's history includes its lab's membership changes since its creation", async () => {
      const response = await history(alice, 'project=p-lab');
      expect(response.status).toBe(200);
      expect(response.body.nextCursor).toBeNull();
      const items = response.body.items as { type: string; position: number }[];
      expect(items.map(({ type }) => type)).toEqual([
        'access.project.initialized.v1',
        'access.role.granted.v1',
        'access.role.changed.v1',
        'access.base-level.changed.v1',
        'access.lab.member-removed.v1',
        'access.role.revoked.v1',
        'access.lab.member-added.v1',
      ]);
      expect(items.map(({ position }) => position)).toEqual([...items.map(({ position }) => position)].sort((a, b) => a - b));
      expect(response.body.items[1]).toMatchObject({
        subject: 'role',
        project: 'p-lab',
        actor: alice.userId,
        users: [bob.userId],
        before: 'viewer',
        after: 'experimenter',
        reason: 'runs the scans',
        at: lab.bobGranted,
        hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      });
      expect(response.body.items[3]).toMatchObject({ subject: 'base-level', before: 'viewer', after: 'commenter', reason: 'everyone annotates' });
      expect(response.body.items[4]).toMatchObject({ subject: 'lab-membership', lab: 'audit-lab', users: [carol.userId], before: 'member', after: null, actor: admin.userId, reason: 'moved to another group', at: lab.carolLeft });
      expect(response.body.items[5]).toMatchObject({ before: 'commenter', after: 'commenter', reason: 'scans done' });
    });

    it('names the actor and everyone an entry is about with username and display name, as the lab directory knew them then', async () => {
      const items = (await history(alice, 'project=p-lab')).body.items as { actor: string; users: string[]; names: Record<string, unknown> }[];
      for (const item of items) expect(Object.keys(item.names).sort()).toEqual([...new Set([item.actor, ...item.users])].sort());
      expect(items[1].names).toEqual({ [alice.userId]: named(alice), [bob.userId]: named(bob, 'Bob Baker') });
      expect(items[4].names).toEqual({ [admin.userId]: named(admin), [carol.userId]: named(carol) });

      const bobs = (await history(admin, 'user=bob')).body.items as { type: string; names: Record<string, { displayName: string }> }[];
      expect(bobs.map(({ type, names }) => [type, names[bob.userId].displayName])).toEqual([
        ['access.lab.member-added.v1', 'Bob Baker'],
        ['access.role.granted.v1', 'Bob Baker'],
        ['access.role.changed.v1', 'Bob Baker'],
        ['access.role.revoked.v1', 'Bob Baker'],
        // Joining the second lab, after signing in as Robert Baker.
        ['access.lab.member-added.v1', 'Robert Baker'],
      ]);
    });

    it('an ownership transfer names both owners', async () => {
      const response = await history(manon, 'project=p-fac');
      expect(response.body.items.at(-1)).toMatchObject({
        type: 'access.ownership.transferred.v1',
        subject: 'ownership',
        users: [manon.userId, olivia.userId],
        before: olivia.userId,
        after: manon.userId,
        newOwnerBefore: 'manager',
        previousOwnerAfter: 'manager',
        reason: 'olivia moves on',
      });
    });

    it('pages with limit and an opaque cursor', async () => {
      const all = (await history(alice, 'project=p-lab')).body.items;
      const seen: unknown[] = [];
      let cursor: string | null = null;
      do {
        const page: { body: { items: unknown[]; nextCursor: string | null } } = await history(alice, `project=p-lab&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
        expect(page.body.items.length).toBeLessThanOrEqual(3);
        seen.push(...page.body.items);
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(all);
    });

    it('filters by user (any userRef), by actor and by time range', async () => {
      const bobs = await history(alice, 'project=p-lab&user=bob');
      expect(bobs.body.items.map(({ type }: { type: string }) => type)).toEqual(['access.role.granted.v1', 'access.role.changed.v1', 'access.role.revoked.v1']);
      const byAdmin = await history(alice, `project=p-lab&actor=${admin.email}`);
      expect(byAdmin.body.items.map(({ type }: { type: string }) => type)).toEqual(['access.lab.member-removed.v1', 'access.lab.member-added.v1']);
      const window = await history(alice, `project=p-lab&from=${encodeURIComponent(lab.bobChanged)}&to=${encodeURIComponent(lab.baseLevelRaised)}`);
      expect(window.body.items.map(({ type }: { type: string }) => type)).toEqual(['access.role.changed.v1', 'access.base-level.changed.v1']);
    });

    it('across all projects for facility admins only; others name a project whose access they manage', async () => {
      const everything = await history(admin, 'actor=olivia');
      expect(everything.status).toBe(200);
      expect(everything.body.items.map(({ project }: { project: string }) => project)).toEqual(['p-fac', 'p-fac', 'p-fac']);
      const refused = await history(alice, 'user=bob');
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('audit.project-required');
      expect((await history(bob, 'project=p-lab')).status).toBe(403);
    });

    it('bad dates and a range that ends before it starts are 400 naming the field', async () => {
      const bad = await history(alice, 'project=p-lab&from=soon');
      expect(bad.status).toBe(400);
      expect(bad.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'from' })]));
      const reversed = await history(alice, 'project=p-lab&from=2025-02-01T00:00:00Z&to=2025-01-01T00:00:00Z');
      expect(reversed.status).toBe(400);
      expect(reversed.body.errors).toEqual([{ field: 'to', message: 'to must not be before from' }]);
    });
  });

  describe('verify and the previews shown (GET /api/audit/access/verify, .../previews/:previewId)', () => {
    it("says in words whether the project's access history is the one that was written, for its auditors only", async () => {
      const verified = await as(service, alice).get('/api/audit/access/verify?project=p-lab', lastPosition);
      expect(verified.status).toBe(200);
      expect(verified.body).toMatchObject({ project: 'p-lab', intact: true, length: 5, head: expect.stringMatching(/^[0-9a-f]{64}$/) });
      expect(verified.body.summary).toMatch(/^chain intact \(5 events\), head [0-9a-f]{64}$/);

      // Bob sees the project through the base level, without managing its access.
      const refused = await as(service, bob).get('/api/audit/access/verify?project=p-lab', lastPosition);
      expect(refused.status).toBe(403);
      expect(refused.body.rule).toBe('audit.needs-access-manage');
      // Carol left the lab: to her the project answers as one that does not exist.
      const unseen = await as(service, carol).get('/api/audit/access/verify?project=p-lab', lastPosition);
      const absent = await as(service, carol).get('/api/audit/access/verify?project=p-never-created', lastPosition);
      expect([unseen.status, unseen.body.type]).toEqual([404, absent.body.type]);
      const missing = await as(service, alice).get('/api/audit/access/verify', lastPosition);
      expect(missing.status).toBe(400);
      expect(missing.body.errors[0].field).toBe('project');
    });

    it('shows the preview a change cited as its actor saw it, long after the preview itself is gone', async () => {
      const change = { kind: 'set-role', user: 'dave', role: 'experimenter' };
      const preview = await as(service, alice).post('/api/projects/p-lab/access/preview', { change });
      expect(preview.status).toBe(201);
      const made = await as(service, alice).put('/api/projects/p-lab/access/users/dave', { role: 'experimenter', previewId: preview.body.previewId, reason: 'runs the next scans' });
      expect(made.status).toBe(200);
      lastPosition = Number(made.headers['cairn-position']);
      // The stored preview expires (24 h); what it showed is recomputed from the event store.
      await service.runtime.db.collection('access_previews').deleteMany({});

      const shown = await as(service, alice).get(`/api/audit/access/previews/${preview.body.previewId}?project=p-lab`, lastPosition);
      expect(shown.status).toBe(200);
      expect(shown.body).toMatchObject({ project: 'p-lab', type: 'access.role.granted.v1', actor: alice.userId });
      expect(shown.body.effects).toEqual(preview.body.effects);

      const unknown = await as(service, alice).get('/api/audit/access/previews/no-such-preview?project=p-lab', lastPosition);
      expect(unknown.status).toBe(404);
      expect(unknown.body.rule).toBe('audit.preview-unknown');
    });
  });
});
