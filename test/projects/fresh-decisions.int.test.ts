import { v7 as uuidv7 } from 'uuid';
import { Platform, type Person } from './platform';

const ROUNDS = 50;

/**
 * Commands decide on fresh state (docs/architecture.md §3, issue 9): a client that sends no `Cairn-Min-Position`
 * makes a change and at once a command whose decision depends on it, over and over, and the second is
 * always decided with the first counted, by whichever service made it. Setup calls send tokens; every
 * call measured here does not.
 */
describe('commands decide on the state the store held when they arrived, without Cairn-Min-Position', () => {
  let platform: Platform;
  let alice: Person, bob: Person, carol: Person, dave: Person;
  let projectA: string, projectB: string, facilityProject: string;

  const experimentsInLab = async (count: number, tag: string) => {
    const ids: string[] = [];
    for (let index = 0; index < count; index++) {
      ids.push((await platform.as(alice).post('/api/labs/fresh/experiments', { name: `${tag} ${index}` }).expect(201)).body.id);
    }
    return ids;
  };

  beforeAll(async () => {
    platform = await Platform.start();
    [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((name) => platform.signIn(name)));
    await platform.lab('fresh', [alice, bob, carol, dave]);
    // Private to alice (base level none): an experiment that leaves both is shown to the whole lab.
    projectA = (await platform.as(alice).post('/api/projects', { lab: 'fresh', name: 'Project A', scheme: 'lab' }).expect(201)).body.id;
    projectB = (await platform.as(alice).post('/api/projects', { lab: 'fresh', name: 'Project B', scheme: 'lab' }).expect(201)).body.id;
    facilityProject = (await platform.as(alice).post('/api/projects', { lab: 'fresh', name: 'Beamtime', scheme: 'facility' }).expect(201)).body.id;
    await platform.accessAs(alice).put(`/api/projects/${facilityProject}/access/users/bob`, { role: 'manager' }).expect(200);
  }, 60_000);
  afterAll(() => platform?.stop(), 30_000);

  it('link to B, then at once remove from A: never a widening (the experiment stays visible through B)', async () => {
    const experiments = await experimentsInLab(ROUNDS, 'Linked to B');
    await platform.as(alice).post(`/api/projects/${projectA}/experiments`, { experimentIds: experiments }).expect(200);
    const client = platform.withoutTokens(alice).projects;

    const removals: number[] = [];
    for (const experimentId of experiments) {
      await client.post(`/api/projects/${projectB}/experiments`, { experimentIds: [experimentId] }).expect(200);
      removals.push((await client.delete(`/api/projects/${projectA}/experiments`, { experimentIds: [experimentId] })).status);
    }

    expect(removals).toEqual(Array(ROUNDS).fill(200));
  }, 120_000);

  it('remove from B, then at once from A: the widening is always reported, naming who would newly see it', async () => {
    const experiments = await experimentsInLab(ROUNDS, 'In A and B');
    for (const project of [projectA, projectB]) {
      await platform.as(alice).post(`/api/projects/${project}/experiments`, { experimentIds: experiments }).expect(200);
    }
    const client = platform.withoutTokens(alice).projects;
    const newlyVisibleTo = [bob, carol, dave].map((person) => person.userId);

    const warnings: unknown[] = [];
    for (const experimentId of experiments) {
      await client.delete(`/api/projects/${projectB}/experiments`, { experimentIds: [experimentId] }).expect(200);
      const warned = await client.delete(`/api/projects/${projectA}/experiments`, { experimentIds: [experimentId] });
      warnings.push({ status: warned.status, rule: warned.body.rule, widening: warned.body.widening?.map((entry: { experimentId: string; newlyVisibleTo: string[] }) => ({ ...entry, newlyVisibleTo: entry.newlyVisibleTo.filter((user) => newlyVisibleTo.includes(user)) })) });
    }

    expect(warnings).toEqual(
      experiments.map((experimentId) => ({ status: 409, rule: 'experiments.unlink-widens-visibility', widening: [{ experimentId, newlyVisibleTo }] })),
    );
  }, 120_000);

  describe('four-eyes deletion: "Manager: ... request deletions of raw data", approved or rejected by the owner', () => {
    const uploads = async (count: number) => {
      const ids: string[] = [];
      for (let index = 0; index < count; index++) {
        ids.push((await platform.as(bob).upload(`/api/projects/${facilityProject}/files`, `raw/round-${uuidv7()}.txt`, `round ${index}`).expect(201)).body.id);
      }
      return ids;
    };

    it('request, then at once approve: the request is always found and its file deleted', async () => {
      const files = await uploads(ROUNDS);
      const [requester, owner] = [platform.withoutTokens(bob).projects, platform.withoutTokens(alice).projects];

      const decisions: unknown[] = [];
      for (const fileId of files) {
        const requested = await requester.post(`/api/projects/${facilityProject}/deletion-requests`, { fileIds: [fileId], reason: 'wrong plate' }).expect(201);
        const approved = await owner.post(`/api/deletion-requests/${requested.body.id}/approve`);
        decisions.push({ status: approved.status, deletedFileIds: approved.body.deletedFileIds });
      }

      expect(decisions).toEqual(files.map((fileId) => ({ status: 200, deletedFileIds: [fileId] })));
    }, 120_000);

    it('request, then at once reject: the request is always found and the file stays', async () => {
      const [fileId] = await uploads(1);
      const [requester, owner] = [platform.withoutTokens(bob).projects, platform.withoutTokens(alice).projects];

      const decisions: unknown[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const requested = await requester.post(`/api/projects/${facilityProject}/deletion-requests`, { fileIds: [fileId], reason: 'wrong plate' }).expect(201);
        const rejected = await owner.post(`/api/deletion-requests/${requested.body.id}/reject`, { reason: 'the plate was right' });
        decisions.push({ status: rejected.status, state: rejected.body.status });
      }

      expect(decisions).toEqual(Array(ROUNDS).fill({ status: 200, state: 'rejected' }));
    }, 120_000);

    it('a request whose id does not name its project (made before ids did) is found once the requests read model has everything the store held', async () => {
      const uploaded = await platform.as(bob).upload(`/api/projects/${facilityProject}/files`, `raw/old-${uuidv7()}.txt`, 'old request').expect(201);
      const fileId: string = uploaded.body.id;
      const files = await platform
        .as(alice)
        .get(`/api/projects/${facilityProject}/files?folder=raw`)
        .set('Cairn-Min-Position', uploaded.headers['cairn-position'])
        .expect(200);
      const { path } = files.body.items.find((file: { id: string }) => file.id === fileId);
      const requestId = uuidv7();
      const { position } = await platform.projects.runtime.store.append(
        { context: 'projects', aggregate: 'filespace', id: facilityProject },
        [{ type: 'projects.deletion.requested.v1', data: { projectId: facilityProject, requestId, files: [{ fileId, path, kind: 'raw' }], scope: 'raw', reason: 'wrong plate', actor: bob.userId } }],
        'any',
      );
      platform.observe(position);

      const approved = await platform.withoutTokens(alice).projects.post(`/api/deletion-requests/${requestId}/approve`);

      expect(approved.status).toBe(200);
      expect(approved.body).toMatchObject({ requestId, projectId: facilityProject, deletedFileIds: [fileId] });
    });
  });

  it('revoke, then at once upload as the revoked member: always refused, as if the project did not exist; grant, then at once upload: always accepted', async () => {
    const [owner, member] = [platform.withoutTokens(alice), platform.withoutTokens(dave)];

    const uploads: number[][] = [];
    for (let round = 0; round < ROUNDS; round++) {
      await owner.access.put(`/api/projects/${projectA}/access/users/dave`, { role: 'experimenter' }).expect(200);
      const granted = await member.projects.upload(`/api/projects/${projectA}/files`, `raw/granted-${round}.txt`, 'allowed');
      await owner.access.delete(`/api/projects/${projectA}/access/users/dave`, {}).expect(200);
      const revoked = await member.projects.upload(`/api/projects/${projectA}/files`, `raw/revoked-${round}.txt`, 'refused');
      uploads.push([granted.status, revoked.status]);
    }

    expect(uploads).toEqual(Array(ROUNDS).fill([201, 404]));
  }, 120_000);
});
