import { Platform, type Person } from './platform';

/**
 * Experiments over HTTP (docs/requirements.md L-15, L-16, L-17), as the lab guide's "Experiments in a project" and "The experiment
 * manager for a project" tell them, with the visibility rule: an experiment in no project is visible to
 * the whole lab; in projects, to those who can read any of them.
 */
describe('experiments over HTTP', () => {
  let platform: Platform;
  let alice: Person, bob: Person, carol: Person, dave: Person, oscar: Person;
  let project: string;
  let otherProject: string;
  const experiments: Record<string, string> = {};
  const labMembersWithoutAccess = () => [carol.userId, dave.userId, 'u-facility-admin'].sort();

  const names = (body: { items: { name: string }[] }) => body.items.map((experiment) => experiment.name);

  beforeAll(async () => {
    platform = await Platform.start();
    [alice, bob, carol, dave, oscar] = await Promise.all(['alice', 'bob', 'carol', 'dave', 'oscar'].map((name) => platform.signIn(name)));
    await platform.lab('sundog', [alice, bob, carol, dave]);
    project = (await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Phasing', scheme: 'lab' })).body.id;
    otherProject = (await platform.as(alice).post('/api/projects', { lab: 'sundog', name: 'Open bench', scheme: 'lab', baseLevel: 'viewer' })).body.id;
    await platform.accessAs(alice).put(`/api/projects/${project}/access/users/bob`, { role: 'experimenter' }).expect(200);
  }, 30_000);
  afterAll(() => platform?.stop(), 30_000);

  it('"The buttons top right give you a shortcut to creating a new experiment": lab members create experiments in the lab', async () => {
    for (const name of ['Lysozyme A', 'Lysozyme B', 'Lysozyme C', 'Thaumatin', 'Insulin']) {
      const created = await platform.as(alice).post('/api/labs/sundog/experiments', { name, description: `${name} crystals` });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ name, lab: 'sundog', createdBy: alice.userId, projects: [] });
      experiments[name] = created.body.id;
    }
    const outsider = await platform.as(oscar).post('/api/labs/sundog/experiments', { name: 'Mine' });
    expect(outsider.status).toBe(403);
    const blank = await platform.as(alice).post('/api/labs/sundog/experiments', { name: '' });
    expect(blank.status).toBe(400);
    expect(blank.body.errors).toEqual([{ field: 'name', message: 'must not be blank' }]);
  });

  it('"The experiment manager lists all experiments in the lab"; "The filter textbox will search the lab for specific experiments"', async () => {
    const all = await platform.as(carol).get('/api/labs/sundog/experiments');
    expect(all.status).toBe(200);
    expect(names(all.body)).toEqual(['Insulin', 'Lysozyme A', 'Lysozyme B', 'Lysozyme C', 'Thaumatin']);
    const filtered = await platform.as(carol).get('/api/labs/sundog/experiments?q=lyso');
    expect(names(filtered.body)).toEqual(['Lysozyme A', 'Lysozyme B', 'Lysozyme C']);
    const outsider = await platform.as(oscar).get('/api/labs/sundog/experiments');
    expect(outsider.status).toBe(403);
  });

  it('"The bulk add/remove functionality is enabled by selecting rows": bulk add puts every selected experiment in the project at once', async () => {
    const added = await platform.as(bob).post(`/api/projects/${project}/experiments`, {
      experimentIds: [experiments['Lysozyme A'], experiments['Lysozyme B'], experiments['Lysozyme C']],
    });
    expect(added.status).toBe(200);
    expect(added.body.linked).toHaveLength(3);

    const page = await platform.as(bob).get(`/api/projects/${project}`);
    expect(page.body.latestExperiments.map((experiment: { name: string }) => experiment.name)).toEqual(['Lysozyme C', 'Lysozyme B', 'Lysozyme A']);
    expect(page.body.latestActivity[0]).toMatchObject({ type: 'projects.experiment.linked.v1', actor: bob.userId });
  });

  it('an experiment in a project is visible only to those who can read the project', async () => {
    const carolSees = await platform.as(carol).get('/api/labs/sundog/experiments');
    expect(names(carolSees.body)).toEqual(['Insulin', 'Thaumatin']);
    const bobSees = await platform.as(bob).get('/api/labs/sundog/experiments?q=lysozyme');
    expect(bobSees.body.items.map((experiment: { projects: string[] }) => experiment.projects)).toEqual([[project], [project], [project]]);
    const carolCannotOpen = await platform.as(carol).get(`/api/projects/${project}/experiments`);
    expect(carolCannotOpen.status).toBe(404);
  });

  it('an experiment someone cannot see cannot be pulled into their own project by its id: it is answered exactly as an unknown one', async () => {
    const own = (await platform.as(carol).post('/api/projects', { lab: 'sundog', name: 'Carol bench', scheme: 'lab' })).body.id;
    const hidden = await platform.as(carol).post(`/api/projects/${own}/experiments`, { experimentIds: [experiments['Lysozyme A']], confirmWidening: true });
    const unknown = await platform.as(carol).post(`/api/projects/${own}/experiments`, { experimentIds: ['0190a0b0-0000-7000-8000-000000000000'], confirmWidening: true });
    expect([hidden.status, hidden.body.rule, hidden.body.experimentIds]).toEqual([404, 'experiments.not-in-lab', [experiments['Lysozyme A']]]);
    expect([unknown.status, unknown.body.rule]).toEqual([404, 'experiments.not-in-lab']);
    const ownPage = await platform.as(carol).get(`/api/projects/${own}/experiments`).expect(200);
    expect(ownPage.body.total).toBe(0);
  });

  it('"The experiments page in a project lists and paginates all the experiments in a project"', async () => {
    const first = await platform.as(bob).get(`/api/projects/${project}/experiments?page=1&pageSize=2`);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, pageSize: 2, total: 3 });
    expect(names(first.body)).toEqual(['Lysozyme C', 'Lysozyme B']);
    const second = await platform.as(bob).get(`/api/projects/${project}/experiments?page=2&pageSize=2`);
    expect(names(second.body)).toEqual(['Lysozyme A']);
    const bad = await platform.as(bob).get(`/api/projects/${project}/experiments?page=0&pageSize=1000`);
    expect(bad.status).toBe(400);
  });

  it('a page number beyond what the document allows is a 400 naming page, never a failing query', async () => {
    // Found by generating requests from the OpenAPI document: an integer as large as a double goes was a 500.
    for (const page of ['1.7760196263279293e+308', '100001', '1.5']) {
      const refused = await platform.as(bob).get(`/api/projects/${project}/experiments?page=${page}`);
      expect({ page, status: refused.status, fields: [...new Set(refused.body.errors?.map((error: { field: string }) => error.field))] }).toEqual({ page, status: 400, fields: ['page'] });
    }
  });

  it('a bulk add naming an unknown experiment adds nothing and says which ids are unknown', async () => {
    const refused = await platform.as(bob).post(`/api/projects/${project}/experiments`, { experimentIds: [experiments.Thaumatin, 'no-such-experiment'] });
    expect(refused.status).toBe(404);
    expect(refused.body).toMatchObject({ rule: 'experiments.not-in-lab', experimentIds: ['no-such-experiment'] });
    const page = await platform.as(bob).get(`/api/projects/${project}/experiments`);
    expect(page.body.total).toBe(3);
    const empty = await platform.as(bob).post(`/api/projects/${project}/experiments`, { experimentIds: [] });
    expect(empty.status).toBe(400);
  });

  it('"Commenter: No rights to add/create experiments in the project"', async () => {
    await platform.accessAs(alice).put(`/api/projects/${project}/access/users/dave`, { role: 'commenter' }).expect(200);
    const refused = await platform.as(dave).post(`/api/projects/${project}/experiments`, { experimentIds: [experiments.Thaumatin] });
    expect(refused.status).toBe(403);
    expect(refused.body.rule).toBe('capability.datasets.link');
  });

  it('"Experimenter: ... no rights to alter the project": removing experiments is for owners', async () => {
    const refused = await platform.as(bob).delete(`/api/projects/${project}/experiments`, { experimentIds: [experiments['Lysozyme A']] });
    expect(refused.status).toBe(403);
    expect(refused.body.rule).toBe('capability.datasets.unlink');
  });

  it('"If doing so will make the experiment visible to more people than it previously was, you will be warned of this": 409 with who would newly see each, and nothing removed', async () => {
    const warned = await platform.as(alice).delete(`/api/projects/${project}/experiments`, {
      experimentIds: [experiments['Lysozyme A'], experiments['Lysozyme B']],
    });
    expect(warned.status).toBe(409);
    expect(warned.body.rule).toBe('experiments.unlink-widens-visibility');
    // Dave became a commenter, so he sees the experiments already; Carol and the lab's admin would newly see them.
    const newlyVisibleTo = labMembersWithoutAccess().filter((user) => user !== dave.userId);
    expect(warned.body.widening).toEqual([
      { experimentId: experiments['Lysozyme A'], newlyVisibleTo },
      { experimentId: experiments['Lysozyme B'], newlyVisibleTo },
    ]);
    const page = await platform.as(alice).get(`/api/projects/${project}/experiments`);
    expect(page.body.total).toBe(3);
  });

  it('"you\'ll be asked to confirm your action before it is removed": repeated with confirmWidening, the removal happens and the lab sees them again', async () => {
    const removed = await platform.as(alice).delete(`/api/projects/${project}/experiments`, {
      experimentIds: [experiments['Lysozyme A'], experiments['Lysozyme B']],
      confirmWidening: true,
    });
    expect(removed.status).toBe(200);
    expect(removed.body.unlinked).toEqual([experiments['Lysozyme A'], experiments['Lysozyme B']]);
    const carolSees = await platform.as(carol).get('/api/labs/sundog/experiments?q=lysozyme');
    expect(names(carolSees.body)).toEqual(['Lysozyme A', 'Lysozyme B']);
    const activity = await platform.as(alice).get(`/api/projects/${project}/activity?limit=1`);
    expect(activity.body.items[0]).toMatchObject({ type: 'projects.experiment.unlinked.v1', details: { confirmedWidening: true } });
  });

  it('"If doing so will make the experiment visible to more people than it previously was, you will be warned of this": adding to a more open project warns the same way', async () => {
    const warned = await platform.as(alice).post(`/api/projects/${otherProject}/experiments`, { experimentIds: [experiments['Lysozyme C']] });
    expect(warned.status).toBe(409);
    expect(warned.body.rule).toBe('experiments.link-widens-visibility');
    expect(warned.body.widening).toEqual([{ experimentId: experiments['Lysozyme C'], newlyVisibleTo: [carol.userId, 'u-facility-admin'].sort() }]);
    const carolSees = await platform.as(carol).get('/api/labs/sundog/experiments?q=lysozyme');
    expect(names(carolSees.body)).toEqual(['Lysozyme A', 'Lysozyme B']);
    await platform.as(alice).post(`/api/projects/${otherProject}/experiments`, { experimentIds: [experiments['Lysozyme C']], confirmWidening: true }).expect(200);
  });

  it('removing an experiment that stays in another project widens nothing and needs no confirmation', async () => {
    const removed = await platform.as(alice).delete(`/api/projects/${project}/experiments`, { experimentIds: [experiments['Lysozyme C']] });
    expect(removed.status).toBe(200);
    expect(removed.body.unlinked).toEqual([experiments['Lysozyme C']]);
  });
});
