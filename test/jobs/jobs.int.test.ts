import { CPU, Facility, FILE_STATISTICS, GPU, RENDER_MOLECULE } from './support/facility';
import type { HandRunner } from './support/hand-runner';

/**
 * The jobs API over HTTP with the access, projects and jobs services on real servers: templates, run
 * and its bad input, job details, search, rerun with lineage, changes and the rerun form, diff, and
 * what a viewer may do (docs/requirements.md F-14 to F-22).
 */
describe('the jobs API', () => {
  let facility: Facility;
  let runner: HandRunner;
  const jobsAs = (person: Facility['carol']) => facility.platform.jobsAs(person);
  const schemaOf = (parameter: string) => (FILE_STATISTICS.parameters.properties as Record<string, unknown>)[parameter];

  beforeAll(async () => {
    facility = await Facility.start();
    runner = await facility.runner('runner-1');
  }, 90_000);
  afterAll(() => facility?.stop(), 30_000);

  describe('job templates: "name@version ... Registered by a facility admin"', () => {
    it('lists every version, the newest registration first, for everyone; a registration answers its item of the list', async () => {
      const registered = await jobsAs(facility.platform.admin).post('/api/job-templates', { ...RENDER_MOLECULE, version: '1.1.0', description: 'Sharper bonds.' }).expect(201);
      const listed = await jobsAs(facility.vic).get('/api/job-templates?name=render').expect(200);
      expect(listed.body.items[0]).toEqual(registered.body);
      expect(listed.body.items.map((template: { ref: string }) => template.ref)).toEqual(['Render Molecule@1.1.0', `Render Molecule on GPU@${RENDER_MOLECULE.version}`, `Render Molecule@${RENDER_MOLECULE.version}`]);
      expect(listed.body.items[2]).toMatchObject({ parameters: RENDER_MOLECULE.parameters, inputTypes: ['xyz', 'pdb', 'mol', 'sdf'], machineTypes: RENDER_MOLECULE.machineTypes, command: RENDER_MOLECULE.command });
      expect(listed.body.items[2].deterministic).toBe(false);
    });

    it('a version may say what it needs of the site (modules, an image) and that its outputs are deterministic; the list shows both', async () => {
      const environment = { modules: ['dials/3.12'], image: 'dials-3.12' };
      const registered = await jobsAs(facility.platform.admin).post('/api/job-templates', { ...FILE_STATISTICS, name: 'Spot Finder', environment, deterministic: true }).expect(201);
      expect(registered.body).toMatchObject({ ref: 'Spot Finder@1.0.0', environment, deterministic: true });
      const listed = await jobsAs(facility.vic).get('/api/job-templates?name=spot').expect(200);
      expect(listed.body.items).toEqual([registered.body]);
    });

    it('"A version is immutable": registering it again is a conflict; only a facility admin registers', async () => {
      const again = await jobsAs(facility.platform.admin).post('/api/job-templates', FILE_STATISTICS).expect(409);
      expect(again.body).toMatchObject({ rule: 'jobs.template-version-immutable', errors: [{ field: 'version', message: expect.any(String) }] });
      const refused = await jobsAs(facility.olga).post('/api/job-templates', { ...FILE_STATISTICS, version: '9.0.0' }).expect(403);
      expect(refused.body.rule).toBe('jobs.templates-by-facility-admins');
    });

    it('a parameter schema Ajv cannot compile, a shell string or an unknown field is a 400 naming the field', async () => {
      const bad = (body: object) => jobsAs(facility.platform.admin).post('/api/job-templates', { ...FILE_STATISTICS, version: '2.0.0', ...body }).expect(400);
      expect((await bad({ parameters: { type: 'object', properties: { bins: { type: 'integr' } } } })).body.errors).toEqual([{ field: 'parameters', message: expect.stringContaining('is not a valid JSON Schema') }]);
      expect((await bad({ command: 'node stats.js | sh' })).body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field: 'command' })]));
      expect((await bad({ shell: true })).body.errors).toEqual([{ field: 'shell', message: 'property shell should not exist' }]);
      expect((await bad({ environment: { modules: ['dials; curl x'] } })).body.errors).toEqual([{ field: 'environment.modules', message: expect.stringContaining('module') }]);
      expect((await bad({ environment: { variables: { PATH: '/opt' } } })).body.errors).toEqual([{ field: 'environment.variables', message: expect.any(String) }]);
      expect((await bad({ deterministic: 'yes' })).body.errors).toEqual([{ field: 'deterministic', message: expect.any(String) }]);
    });
  });

  describe('run: "Bad input: unknown template, wrong input type, an input of another project, schema-invalid parameters naming the field, a machine type the template does not allow, unknown fields"', () => {
    const run = (body: object) => facility.run(facility.carol, { template: `Render Molecule@${RENDER_MOLECULE.version}`, inputs: [facility.files.pdb], machine: CPU, ...body });
    const fieldsOf = async (body: object) => {
      const response = await run(body);
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      return response.body.errors.map((error: { field: string }) => error.field);
    };

    // The table is built before the facility starts: each case names what it sends as a function of it.
    it.each<[string, (f: Facility) => object, string[]]>([
      ['an unknown template', () => ({ template: 'Render Protein' }), ['template']],
      ['an unknown version', () => ({ template: 'Render Molecule@7.0.0' }), ['template']],
      ['a wrong input type', (f) => ({ inputs: [f.files.notes] }), ['inputs.0']],
      ['an input of another project', (f) => ({ inputs: [f.files.elsewherePdb] }), ['inputs.0']],
      ['schema-invalid parameters', () => ({ parameters: { style: 'sketch', width: 'wide', zoom: 2 } }), ['parameters.zoom', 'parameters.style', 'parameters.width']],
      ['a machine type the template does not allow', () => ({ template: 'Render Molecule on GPU' }), ['machine']],
      ['a machine that is none', () => ({ machine: { type: 'tpu', performance: 'standard' } }), ['machine.type']],
      ['a machine that is a list, with a template that is none: the shape is refused first', () => ({ template: 'Render Protein', machine: [] }), ['machine']],
      ['unknown fields', () => ({ priority: 'high' }), ['priority']],
    ])('%s', async (_case, body, fields) => {
      expect(await fieldsOf(body(facility))).toEqual(fields);
    });

    it('a viewer "cannot run analysis"; someone without a role cannot either', async () => {
      expect((await facility.run(facility.vic, { template: 'File Statistics', inputs: [facility.files.csv], machine: CPU })).status).toBe(403);
      // Without a role the project is answered as if it did not exist.
      expect((await facility.run(facility.nadia, { template: 'File Statistics', inputs: [facility.files.csv], machine: CPU })).status).toBe(404);
    });
  });

  describe('Steps 2 to 4 with a hand-driven runner: find, inspect, rerun', () => {
    let carolsJob: string;
    let bobsRerun: string;
    let statsFile: string;

    beforeAll(async () => {
      const run = await facility.run(facility.carol, { template: 'File Statistics', inputs: [facility.files.csv], parameters: { bins: 8 }, machine: CPU }).expect(201);
      carolsJob = run.body.id;
      const { job } = await runner.claimNext(CPU);
      await job!.log('reading raw/intensities.csv\n');
      statsFile = (await job!.output('stats.json', '{"lines":3}')).fileId;
      await job!.succeeded();
      facility.platform.observe(await facility.platform.jobs.runtime.store.headPosition());
    });

    it('Step 2: "Search by triggerer (the person who ran the job)" by username or id, and "by job template name" as a case-insensitive prefix', async () => {
      for (const query of ['triggeredBy=carol', `triggeredBy=${facility.carol.userId}`, 'template=file%20stat', 'template=FILE', 'status=succeeded', 'machine=cpu', 'q=file', 'q=8']) {
        const found = await jobsAs(facility.bob).get(`/api/projects/${facility.project}/jobs?${query}`).expect(200);
        expect({ query, ids: found.body.items.map((item: { id: string }) => item.id) }).toEqual({ query, ids: [carolsJob] });
      }
      for (const query of ['triggeredBy=bob', 'template=render', 'status=running,queued', 'machine=gpu', 'q=cartoon', `from=${new Date(Date.now() + 60_000).toISOString()}`]) {
        const found = await jobsAs(facility.bob).get(`/api/projects/${facility.project}/jobs?${query}`).expect(200);
        expect({ query, ids: found.body.items }).toEqual({ query, ids: [] });
      }
      const everywhere = await jobsAs(facility.bob).get('/api/jobs?triggeredBy=carol').expect(200);
      expect(everywhere.body.items[0]).toMatchObject({ id: carolsJob, projectId: facility.project, template: 'File Statistics@1.0.0', status: 'succeeded', triggeredBy: { id: facility.carol.userId, username: 'carol', displayName: 'carol' } });
    });

    it('Step 2 across projects: "Search by triggerer" suggests those who ran jobs in projects one may read, by the start of their name, and nobody else', async () => {
      const suggested = await jobsAs(facility.bob).get('/api/jobs/triggerers?q=CAR').expect(200);
      expect(suggested.body).toEqual({ items: [{ id: facility.carol.userId, username: 'carol', displayName: 'carol' }] });
      expect((await jobsAs(facility.bob).get('/api/jobs/triggerers?q=olga').expect(200)).body.items).toEqual([]);
      // Nadia reads no project yet: Carol ran jobs, but none Nadia may see.
      expect((await jobsAs(facility.nadia).get('/api/jobs/triggerers?q=car').expect(200)).body.items).toEqual([]);
      expect((await jobsAs(facility.bob).get('/api/jobs/triggerers').expect(400)).body.errors.map((error: { field: string }) => error.field)).toContain('q');
    });

    it('Step 3: "Job Details (inputs, parameters, machine type), Output files, Logs" for a viewer', async () => {
      const details = await jobsAs(facility.vic).get(`/api/jobs/${carolsJob}`).expect(200);
      expect(details.body).toMatchObject({
        id: carolsJob,
        template: 'File Statistics@1.0.0',
        inputs: [{ fileId: facility.files.csv, path: 'raw/intensities.csv' }],
        parameters: { bins: 8 },
        machine: CPU,
        status: 'succeeded',
        triggeredBy: { id: facility.carol.userId, username: 'carol' },
        rootJobId: carolsJob,
        outputFolder: `processed/${carolsJob}/`,
        outputs: [{ fileId: statsFile, path: `processed/${carolsJob}/stats.json` }],
        comments: { count: 0 },
      });
      expect(details.body.rerunOf).toBeUndefined();
      expect(details.body.timeline).toEqual([
        { state: 'queued', at: expect.any(String), by: { userId: facility.carol.userId }, message: 'File Statistics@1.0.0 requested' },
        { state: 'running', at: expect.any(String), by: { runnerId: 'runner-1' }, message: 'claimed by runner runner-1' },
        { state: 'succeeded', at: expect.any(String), by: { runnerId: 'runner-1' }, message: 'exited with 0' },
      ]);
      const logs = await jobsAs(facility.vic).get(`/api/jobs/${carolsJob}/logs?after=0`).expect(200);
      expect(logs.body.items.map((chunk: { text: string }) => chunk.text)).toEqual(['reading raw/intensities.csv\n']);
      const output = await facility.platform.as(facility.vic).get(`/api/projects/${facility.project}/files/${statsFile}/content`).expect(200);
      expect(output.body.toString()).toBe('{"lines":3}');
    });

    it('"Job history is visible to people who joined the project after the jobs ran"', async () => {
      await jobsAs(facility.nadia).get(`/api/jobs/${carolsJob}`).expect(404);
      const granted = await facility.platform.accessAs(facility.olga).put(`/api/projects/${facility.project}/access/users/nadia`, { role: 'viewer' }).expect(200);
      facility.platform.observe(Number(granted.headers['cairn-position']));
      await jobsAs(facility.nadia).get(`/api/jobs/${carolsJob}`).expect(200);
      expect((await jobsAs(facility.nadia).get('/api/jobs').expect(200)).body.items.map((item: { id: string }) => item.id)).toContain(carolsJob);
    });

    it('Step 4: "Review the step-by-step flow: Inputs (verify file types are correct), Parameters, Machine type/performance"', async () => {
      const form = await jobsAs(facility.bob).get(`/api/jobs/${carolsJob}/rerun-form`).expect(200);
      expect(form.body).toEqual({
        jobId: carolsJob,
        template: { ref: 'File Statistics@1.0.0', name: 'File Statistics', version: '1.0.0', latestVersion: '1.0.0', versions: ['1.0.0'] },
        inputs: [{ fileId: facility.files.csv, path: 'raw/intensities.csv', present: true, acceptedType: true }],
        acceptedInputTypes: FILE_STATISTICS.inputTypes,
        parameters: [
          { name: 'bins', schema: schemaOf('bins'), value: 8, default: 16, differsFromDefault: true },
          { name: 'title', schema: schemaOf('title'), value: 'File statistics', default: 'File statistics', differsFromDefault: false },
        ],
        machine: CPU,
        allowedMachines: FILE_STATISTICS.machineTypes,
      });
    });

    it('Step 4: Bob reruns with a changed parameter on a GPU machine: a new job with Bob as triggerer, lineage, a new folder, and changes', async () => {
      const rerun = await jobsAs(facility.bob).post(`/api/jobs/${carolsJob}/rerun`, { parameters: { bins: 32 }, machine: GPU }).expect(201);
      bobsRerun = rerun.body.id;
      expect(rerun.body).toMatchObject({ status: 'queued', rerunOf: carolsJob, rootJobId: carolsJob, outputFolder: `processed/${bobsRerun}/`, triggeredBy: { id: facility.bob.userId }, machine: GPU });
      const details = await jobsAs(facility.carol).get(`/api/jobs/${bobsRerun}`).expect(200);
      expect(details.body.changes).toEqual({ parameters: { bins: { from: 8, to: 32 } }, machine: { from: CPU, to: GPU } });
      expect(details.body.parameters).toEqual({ bins: 32, title: 'File statistics' });

      const original = await jobsAs(facility.carol).get(`/api/jobs/${carolsJob}`).expect(200);
      expect(original.body).toMatchObject({ status: 'succeeded', parameters: { bins: 8, title: 'File statistics' }, outputs: [{ fileId: statsFile }] });
      const listed = await jobsAs(facility.carol).get(`/api/projects/${facility.project}/jobs?template=file`).expect(200);
      expect(listed.body.items.map((item: { id: string; triggeredBy: { username: string } }) => [item.id, item.triggeredBy.username])).toEqual([
        [bobsRerun, 'bob'],
        [carolsJob, 'carol'],
      ]);
    });

    it('a rerun of the rerun keeps the root; another version of the template may be pinned, another template not', async () => {
      const again = await jobsAs(facility.carol).post(`/api/jobs/${bobsRerun}/rerun`, {}).expect(201);
      expect(again.body).toMatchObject({ rerunOf: bobsRerun, rootJobId: carolsJob });
      const other = await jobsAs(facility.carol).post(`/api/jobs/${bobsRerun}/rerun`, { template: `Render Molecule@${RENDER_MOLECULE.version}` }).expect(400);
      expect(other.body.errors).toEqual([{ field: 'template', message: expect.stringContaining('keeps the template File Statistics') }]);
      const unknownVersion = await jobsAs(facility.carol).post(`/api/jobs/${bobsRerun}/rerun`, { template: '3.0.0' }).expect(400);
      expect(unknownVersion.body.errors).toEqual([{ field: 'template', message: 'File Statistics has no version 3.0.0 (it has 1.0.0)' }]);
      const listedMachine = await jobsAs(facility.carol).post(`/api/jobs/${bobsRerun}/rerun`, { template: '3.0.0', machine: [] }).expect(400);
      expect(listedMachine.body.errors.map((error: { field: string }) => error.field)).toEqual(['machine']);
    });

    it('the lineage: the root and every rerun under it, oldest first, who ran each, status and what changed; the same answer from any job of the tree; hidden answers as missing', async () => {
      const lineage = await jobsAs(facility.vic).get(`/api/jobs/${bobsRerun}/lineage`).expect(200);
      expect(lineage.body).toMatchObject({ jobId: bobsRerun, rootJobId: carolsJob, truncated: false });
      const items: { id: string; rerunOf?: string; status: string; triggeredBy: { username: string }; changes?: unknown }[] = lineage.body.items;
      expect(items.slice(0, 3).map(({ id, rerunOf, status, triggeredBy }) => ({ id, rerunOf, status, by: triggeredBy.username }))).toEqual([
        { id: carolsJob, rerunOf: undefined, status: 'succeeded', by: 'carol' },
        { id: bobsRerun, rerunOf: carolsJob, status: 'queued', by: 'bob' },
        { id: expect.any(String), rerunOf: bobsRerun, status: 'queued', by: 'carol' },
      ]);
      expect(items[0].changes).toBeUndefined();
      expect(items[1].changes).toEqual({ parameters: { bins: { from: 8, to: 32 } }, machine: { from: CPU, to: GPU } });
      expect(items[2].changes).toEqual({});
      expect(items.every((item) => item.id === carolsJob || item.rerunOf !== undefined)).toBe(true);

      const fromRoot = await jobsAs(facility.carol).get(`/api/jobs/${carolsJob}/lineage`).expect(200);
      expect(fromRoot.body.items.map((item: { id: string }) => item.id)).toEqual(items.map((item) => item.id));
      const theirs = (await facility.run(facility.olga, { template: 'File Statistics', inputs: [facility.files.elsewherePdb], machine: CPU }, facility.elsewhere).expect(201)).body.id;
      expect((await jobsAs(facility.olga).get(`/api/jobs/${theirs}/lineage`).expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([theirs]);
      const hidden = await jobsAs(facility.carol).get(`/api/jobs/${theirs}/lineage`).expect(404);
      const missing = await jobsAs(facility.carol).get('/api/jobs/01a00000-0000-7000-8000-000000000000/lineage').expect(404);
      expect(hidden.body).toEqual({ ...missing.body, detail: missing.body.detail.replace('01a00000-0000-7000-8000-000000000000', theirs) });
    });

    it('"GET /api/jobs/:a/diff?against=:b gives the same comparison for any two jobs of one project"', async () => {
      const diff = await jobsAs(facility.vic).get(`/api/jobs/${bobsRerun}/diff?against=${carolsJob}`).expect(200);
      expect(diff.body).toEqual({ jobId: bobsRerun, against: carolsJob, changes: { parameters: { bins: { from: 8, to: 32 } }, machine: { from: CPU, to: GPU } } });
      const elsewhere = await facility.run(facility.olga, { template: 'File Statistics', inputs: [facility.files.elsewherePdb], machine: CPU }, facility.elsewhere).expect(201);
      const across = await jobsAs(facility.olga).get(`/api/jobs/${bobsRerun}/diff?against=${elsewhere.body.id}`).expect(400);
      expect(across.body.errors).toEqual([{ field: 'against', message: 'must be a job of the same project' }]);
    });

    it('"A viewer inspects but cannot run, rerun or cancel"', async () => {
      await jobsAs(facility.vic).get(`/api/jobs/${bobsRerun}/rerun-form`).expect(200);
      expect((await jobsAs(facility.vic).post(`/api/jobs/${carolsJob}/rerun`, {}).expect(403)).body.rule).toBe('requires.jobs.run');
      expect((await jobsAs(facility.vic).post(`/api/jobs/${bobsRerun}/cancel`).expect(403)).body.rule).toBe('requires.jobs.cancel');
    });

    it('pages newest first with a keyset cursor', async () => {
      const first = await jobsAs(facility.bob).get(`/api/projects/${facility.project}/jobs?limit=2`).expect(200);
      const second = await jobsAs(facility.bob).get(`/api/projects/${facility.project}/jobs?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      const all = await jobsAs(facility.bob).get(`/api/projects/${facility.project}/jobs?limit=500`).expect(200);
      expect([...first.body.items, ...second.body.items].map((item: { id: string }) => item.id)).toEqual(all.body.items.slice(0, 4).map((item: { id: string }) => item.id));
      const times = all.body.items.map((item: { createdAt: string }) => item.createdAt);
      expect(times).toEqual([...times].sort().reverse());
    });
  });

  it('a cursor this list did not hand out, a query operator in it included, is a 400 naming cursor', async () => {
    for (const forged of [[{ $ne: null }, ''], ['2026-01-01T00:00:00Z', { $regex: '.*' }], 3]) {
      const cursor = Buffer.from(JSON.stringify(forged)).toString('base64url');
      for (const list of [`/api/jobs?cursor=${cursor}`, `/api/projects/${facility.project}/jobs?cursor=${cursor}`]) {
        const answer = await jobsAs(facility.bob).get(list).expect(400);
        expect(answer.body.errors).toEqual([{ field: 'cursor', message: 'is not a cursor this list handed out' }]);
      }
    }
  });

  it('a job that does not exist is a 404; a search with a malformed filter is a 400 naming it', async () => {
    await jobsAs(facility.carol).get('/api/jobs/01a00000-0000-7000-8000-000000000000').expect(404);
    const bad = await jobsAs(facility.carol).get(`/api/projects/${facility.project}/jobs?status=lost&from=yesterday`).expect(400);
    expect(bad.body.errors.map((error: { field: string }) => error.field).sort()).toEqual(['from', 'status']);
  });
});
