import { createHash } from 'node:crypto';
import { connect } from 'nats';
import request from 'supertest';
import { cancelSubjectOf, type CancelNotice } from '@cairn/contracts';
import { metricValue } from '@cairn/telemetry';
import { CPU, Facility, FILE_STATISTICS, GPU_RENDER } from './support/facility';
import type { HandRunner, HeldJob } from './support/hand-runner';

const sha256 = (content: string) => createHash('sha256').update(content).digest('hex');

/**
 * Issue #10, "The runner protocol": a runner claims work from the JetStream work queues and reports to
 * the jobs service over NATS request/reply (its @MessagePattern handlers); the jobs service appends the
 * events. A runner reads only its job's inputs and writes only its output folder, through the projects
 * service. Driven by a hand runner over the real nats-server and FerretDB.
 */
describe('the runner protocol, on the jobs service and the projects service', () => {
  let facility: Facility;
  let runner: HandRunner;
  let other: HandRunner;

  const startJob = async (parameters: object = { bins: 4 }): Promise<HeldJob> => {
    const run = await facility.run(facility.carol, { template: 'File Statistics@1.0.0', inputs: [facility.files.csv], parameters, machine: CPU });
    expect(run.status).toBe(201);
    const { job, item } = await runner.claimNext(CPU);
    expect(item.jobId).toBe(run.body.id);
    return job!;
  };
  const details = (jobId: string) => facility.platform.jobsAs(facility.vic).get(`/api/jobs/${jobId}`);

  beforeAll(async () => {
    facility = await Facility.start({ CAIRN_JOB_HEARTBEAT_INTERVAL_MS: '200', CAIRN_JOB_HEARTBEAT_TIMEOUT_MS: '1500' });
    runner = await facility.runner('runner-1');
    other = await facility.runner('runner-2');
  }, 90_000);
  afterAll(() => facility?.stop(), 30_000);

  it('"queued on the work queue of its machine type": the runner claims it and gets everything it needs', async () => {
    const run = await facility.run(facility.carol, { template: 'File Statistics', inputs: [facility.files.csv, facility.files.notes], machine: CPU });
    expect(run.body).toMatchObject({ status: 'queued', template: 'File Statistics@1.0.0', outputFolder: `processed/${run.body.id}/`, triggeredBy: { id: facility.carol.userId, username: 'carol' } });

    const { job } = await runner.claimNext(CPU);
    expect(job!.assignment).toMatchObject({
      jobId: run.body.id,
      projectId: facility.project,
      template: { name: 'File Statistics', version: '1.0.0' },
      command: FILE_STATISTICS.command,
      parameters: { bins: 16, title: 'File statistics' },
      inputs: [
        { fileId: facility.files.csv, path: 'raw/intensities.csv' },
        { fileId: facility.files.notes, path: 'raw/notes.txt' },
      ],
      machine: CPU,
      outputFolder: `processed/${run.body.id}/`,
      timeLimitSeconds: FILE_STATISTICS.timeLimitSeconds,
      heartbeatIntervalMs: 200,
      position: expect.any(Number),
      // What the job's crate says beyond the run: who asked for it, the template's schema, the inputs' content, its chain.
      provenance: {
        requestedAt: expect.any(String),
        startedAt: expect.any(String),
        triggeredBy: { id: facility.carol.userId, username: 'carol' },
        template: { description: FILE_STATISTICS.description, parameters: FILE_STATISTICS.parameters },
        inputs: [
          { fileId: facility.files.csv, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: expect.any(Number) },
          { fileId: facility.files.notes, sha256: expect.stringMatching(/^[0-9a-f]{64}$/), size: expect.any(Number) },
        ],
        rootJobId: run.body.id,
      },
    });
    expect((await details(run.body.id)).body).toMatchObject({ status: 'running', runnerId: 'runner-1' });
    await job!.succeeded();
  });

  it("a template's sandbox (network, limits) and site environment (modules, image) reach the runner with the assignment; one that asks nothing sends neither", async () => {
    const sandbox = { network: true, limits: { processes: 32, outputBytes: 1048576 } };
    const environment = { modules: ['dials'], image: 'dials-3.12' };
    const registered = await facility.platform.jobsAs(facility.platform.admin).post('/api/job-templates', { ...FILE_STATISTICS, name: 'Networked Statistics', sandbox, environment });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ name: 'Networked Statistics', sandbox, environment });
    const run = await facility.run(facility.carol, { template: 'Networked Statistics', inputs: [facility.files.csv], machine: CPU });
    expect(run.status).toBe(201);

    const { job } = await runner.claimNext(CPU);
    expect(job!.assignment).toMatchObject({ jobId: run.body.id, sandbox, environment });
    await job!.succeeded();

    const plain = await startJob();
    expect(plain.assignment.sandbox).toBeUndefined();
    expect(plain.assignment.environment).toBeUndefined();
    await plain.succeeded();
  });

  it('"gpu/*" is refused at registration while no runner maps it; a runner announcing it lets it in', async () => {
    const register = (version: string) => facility.platform.jobsAs(facility.platform.admin).post('/api/job-templates', { ...GPU_RENDER, name: 'Render on the A100s', version });
    // The facility's runner maps every type; this platform's announcements are wiped to start from none.
    const nc = await connect(facility.platform.nats.connectionOptions());
    const announced = await nc.jetstream().views.kv('CAIRN_RUNNERS');
    for await (const key of await announced.keys()) await announced.purge(key);
    await nc.close();
    const refused = await register('1.0.0');
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ rule: 'jobs.template-machine-unmapped', errors: [{ field: 'machineTypes.0', message: 'no runner maps gpu/standard now' }] });

    expect(await other.send('announce', { runnerId: other.runnerId, machines: ['cpu/standard', 'gpu/standard'] })).toEqual({ accepted: true });
    const stillOne = await register('1.0.0');
    expect(stillOne.body).toMatchObject({ rule: 'jobs.template-machine-unmapped', errors: [{ field: 'machineTypes.1', message: 'no runner maps gpu/turbo now' }] });
    await other.send('announce', { runnerId: other.runnerId, machines: ['gpu/standard', 'gpu/turbo'] });
    expect((await register('1.0.0')).status).toBe(201);
    // Another runner's token cannot announce for it.
    expect(await runner.send('announce', { runnerId: other.runnerId, machines: ['gpu/turbo'] })).toMatchObject({ refused: true, status: 403 });
  });

  it('a second claim of the same job finds it gone; the holder asking again keeps it', async () => {
    const job = await startJob();
    expect(await other.claim(job.assignment.jobId)).toEqual({ outcome: 'gone', reason: expect.stringContaining('another runner holds it') });
    expect(await runner.claim(job.assignment.jobId)).toMatchObject({ outcome: 'claimed', assignment: { jobId: job.assignment.jobId } });
    await job.succeeded();
  });

  describe('"A runner authenticates. It may read only the inputs of a job it holds and write only into that job\'s output folder"', () => {
    let job: HeldJob;
    beforeAll(async () => {
      job = await startJob();
    });
    afterAll(() => job.succeeded());

    it('reads its job\'s input, and nothing else', async () => {
      const files = runner.files(job.assignment);
      const input = await files.download(facility.files.csv).expect(200);
      expect(input.body.toString()).toBe('sample,intensity\nA1,0.42\nA2,0.57\n');
      await files.download(facility.files.pdb).expect(403);
      await files.download(facility.files.elsewherePdb, facility.elsewhere).expect(403);
      await other.files(job.assignment).download(facility.files.csv).expect(403);
    });

    it('writes into its job\'s output folder, recorded with size and SHA-256, added by the triggerer; nowhere else', async () => {
      const report = 'lines: 3\n';
      const { fileId, position, reply } = await job.output('report.txt', report);
      expect(reply).toEqual({ accepted: true });
      facility.platform.observe(position);
      const listed = await facility.platform.as(facility.vic).get(`/api/projects/${facility.project}/files?folder=processed/${job.assignment.jobId}`).expect(200);
      expect(listed.body.items).toEqual([
        expect.objectContaining({ id: fileId, path: `processed/${job.assignment.jobId}/report.txt`, kind: 'processed', size: report.length, sha256: sha256(report), addedBy: facility.carol.userId, jobId: job.assignment.jobId }),
      ]);

      const files = runner.files(job.assignment);
      await files.upload('raw/sneaky.txt', 'x').expect(403);
      await files.upload('processed/another-job/x.txt', 'x').expect(403);
      await files.upload(`processed/${job.assignment.jobId}/../x.txt`, 'x').expect(400);
      await other.files(job.assignment).upload(`processed/${job.assignment.jobId}/x.txt`, 'x').expect(403);
    });

    it('reaches no other route of the platform', async () => {
      const as = { authorization: `Bearer ${runner.token}` };
      const { platform } = facility;
      const refusals = await Promise.all([
        request(platform.projects.server).get(`/api/projects/${facility.project}`).set(as),
        request(platform.projects.server).get(`/api/projects/${facility.project}/files`).set(as),
        request(platform.jobs.server).get(`/api/jobs/${job.assignment.jobId}`).set(as),
        request(platform.access.server).get('/api/labs/facility/members').set(as),
      ]);
      expect(refusals.map((response) => [response.status, response.body.rule])).toEqual(Array(4).fill([403, 'auth.runner-not-allowed']));
    });

    it('a request without a runner token, or for another runner, is refused before it is looked at', async () => {
      const data = { jobId: job.assignment.jobId, runnerId: 'runner-1' };
      expect(await runner.send('heartbeat', data, null)).toMatchObject({ refused: true, status: 401 });
      expect(await runner.send('heartbeat', data, facility.carol.token)).toMatchObject({ refused: true, status: 403 });
      expect(await other.send('heartbeat', data)).toMatchObject({ refused: true, status: 403 });
      // Another runner holding runner-1's token (stolen) still speaks on its own subjects only: refused.
      expect(await other.send('heartbeat', data, runner.token)).toMatchObject({ refused: true, status: 403, reason: expect.stringContaining('runner-2') });
      expect(await runner.send('log', { ...data, seq: 0, stream: 'stdin', text: 1 })).toMatchObject({ refused: true, status: 400, reason: expect.stringContaining('seq') });
    });
  });

  describe('"A duplicate or late report changes nothing"', () => {
    it('a retried log chunk, output or end is recorded once and answered accepted: false', async () => {
      const job = await startJob();
      expect(await job.log('line 1\n', 'stdout', 1)).toEqual({ accepted: true });
      expect(await job.log('line 1\n', 'stdout', 1)).toEqual({ accepted: false, reason: 'chunk 1 was recorded already' });
      const { fileId } = await job.output('stats.json', '{}');
      expect(await runner.send('output', { jobId: job.assignment.jobId, runnerId: 'runner-1', fileId, path: `${job.assignment.outputFolder}stats.json`, size: 2, sha256: sha256('{}') })).toMatchObject({ accepted: false });
      expect(await job.succeeded()).toEqual({ accepted: true });
      expect(await job.succeeded()).toMatchObject({ accepted: false, reason: expect.stringContaining('jobs.job-ended') });
      expect(await job.log('late\n', 'stdout', 2)).toMatchObject({ accepted: false, reason: expect.stringContaining('jobs.job-ended') });

      const shown = (await details(job.assignment.jobId)).body;
      expect(shown.status).toBe('succeeded');
      expect(shown.outputs).toEqual([{ fileId, path: `${job.assignment.outputFolder}stats.json`, size: 2, sha256: sha256('{}') }]);
      expect(shown.timeline.map((entry: { state: string }) => entry.state)).toEqual(['queued', 'running', 'succeeded']);
      const logs = await facility.platform.jobsAs(facility.vic).get(`/api/jobs/${job.assignment.jobId}/logs`).expect(200);
      expect(logs.body).toMatchObject({ items: [{ seq: 1, stream: 'stdout', text: 'line 1\n' }], ended: true });
    });

    it('a report from a runner that does not hold the job changes nothing', async () => {
      const job = await startJob();
      const data = { jobId: job.assignment.jobId, runnerId: 'runner-2' };
      expect(await other.send('finished', { ...data, outcome: 'succeeded', exitCode: 0 })).toMatchObject({ accepted: false, reason: expect.stringContaining('jobs.not-held-by-runner') });
      expect(await other.send('heartbeat', data)).toMatchObject({ accepted: false });
      expect((await details(job.assignment.jobId)).body.status).toBe('running');
      await job.succeeded();
    });
  });

  it('"A command that exits non-zero ... fails with failure.kind: executor, its exit code and the last log lines"', async () => {
    const job = await startJob();
    await job.log('reading intensities.csv\n');
    await job.log('bad row 3\n', 'stderr');
    expect(await job.failed({ kind: 'executor', reason: 'the command exited with 3', exitCode: 3, lastLogLines: ['bad row 3'] })).toEqual({ accepted: true });
    const shown = (await details(job.assignment.jobId)).body;
    expect(shown).toMatchObject({ status: 'failed', failure: { kind: 'executor', exitCode: 3, lastLogLines: ['bad row 3'] }, failureKind: 'executor' });
    expect(shown.timeline[2]).toMatchObject({ state: 'failed', by: { runnerId: 'runner-1' }, message: 'executor failure: the command exited with 3 (exit code 3)' });
  });

  it('"A runner that stops heartbeating fails its job with failure.kind: system and a reason"; a later job still runs', async () => {
    const [heartbeats, lost] = [await metricValue('cairn_job_heartbeats_total'), await metricValue('cairn_jobs_lost_runner_total')];
    const job = await startJob();
    expect(await job.heartbeat()).toEqual({ accepted: true, cancel: false });
    // The hand runner also beats on its own at the claim's interval: at least this one was counted.
    expect(await metricValue('cairn_job_heartbeats_total')).toBeGreaterThanOrEqual(heartbeats + 1);
    job.goSilent();
    const deadline = Date.now() + 10_000;
    let shown = (await details(job.assignment.jobId)).body;
    while (shown.status === 'running' && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      shown = (await details(job.assignment.jobId)).body;
    }
    expect(shown).toMatchObject({ status: 'failed', failure: { kind: 'system', reason: expect.stringMatching(/^runner runner-1 stopped heartbeating/) } });
    expect(await metricValue('cairn_jobs_lost_runner_total')).toBe(lost + 1);
    expect(await job.succeeded()).toMatchObject({ accepted: false });

    const next = await startJob();
    expect(await next.succeeded()).toEqual({ accepted: true });
  });

  describe('Cancel: "Cancelling a queued job ends it at once. Cancelling a running job is cancelling until the runner confirms."', () => {
    it('a queued job is cancelled at once, and a runner that finds it later is told it is gone', async () => {
      const run = await facility.run(facility.carol, { template: 'File Statistics', inputs: [facility.files.csv], machine: CPU });
      const cancelled = await facility.platform.jobsAs(facility.carol).post(`/api/jobs/${run.body.id}/cancel`).expect(200);
      expect(cancelled.body).toEqual({ id: run.body.id, status: 'cancelled' });
      const { reply } = await runner.claimNext(CPU);
      expect(reply).toEqual({ outcome: 'gone', reason: expect.stringContaining('it was cancelled') });
    });

    it('a running job is cancelling: the runner hears it on its cancel subject and in its heartbeat\'s answer, and confirms', async () => {
      const job = await startJob();
      const listener = await connect(facility.platform.nats.connectionOptions());
      const notices: CancelNotice[] = [];
      listener.subscribe(cancelSubjectOf('runner-1'), { callback: (_error, message) => notices.push(message.json<CancelNotice>()) });
      await listener.flush();

      const asked = await facility.platform.jobsAs(facility.max).post(`/api/jobs/${job.assignment.jobId}/cancel`).expect(200);
      expect(asked.body.status).toBe('cancelling');
      expect(await job.heartbeat()).toEqual({ accepted: true, cancel: true });
      expect(await job.cancelled()).toEqual({ accepted: true });
      await listener.drain();
      expect(notices).toEqual([{ jobId: job.assignment.jobId }]);
      const shown = (await details(job.assignment.jobId)).body;
      expect(shown.timeline.map((entry: { state: string; by: object }) => [entry.state, entry.by])).toEqual([
        ['queued', { userId: facility.carol.userId }],
        ['running', { runnerId: 'runner-1' }],
        ['cancelling', { userId: facility.max.userId }],
        ['cancelled', { runnerId: 'runner-1' }],
      ]);
    });

    it('"for the triggerer, or manager+": another member and a viewer are refused; an ended job stays ended', async () => {
      const job = await startJob();
      await facility.platform.jobsAs(facility.bob).post(`/api/jobs/${job.assignment.jobId}/cancel`).expect(403);
      await facility.platform.jobsAs(facility.vic).post(`/api/jobs/${job.assignment.jobId}/cancel`).expect(403);
      await job.succeeded();
      const ended = await facility.platform.jobsAs(facility.carol).post(`/api/jobs/${job.assignment.jobId}/cancel`).expect(409);
      expect(ended.body.rule).toBe('jobs.job-ended');
    });
  });

  it('"Live logs arrive over SSE while the job runs", and the stream ends with the job', async () => {
    const job = await startJob();
    await job.log('first\n');
    const events: string[] = [];
    const streamed = new Promise<void>((resolve, reject) => {
      const call = request(facility.platform.jobs.server)
        .get(`/api/jobs/${job.assignment.jobId}/logs`)
        .set('authorization', `Bearer ${facility.vic.token}`)
        .set('accept', 'text/event-stream')
        .buffer(false)
        .parse((response, done) => {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => events.push(chunk));
          response.on('end', () => done(null, undefined));
        });
      call.then(() => resolve(), reject);
    });
    const until = async (text: string) => {
      const deadline = Date.now() + 5_000;
      while (!events.join('').includes(text) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(events.join('')).toContain(text);
    };
    await until('"text":"first\\n"');
    await job.log('second\n');
    await until('"text":"second\\n"');
    await job.succeeded();
    await streamed;
    const frames = events.join('').split('\n\n').filter((frame) => frame.trim() !== '');
    expect(frames).toEqual([
      expect.stringMatching(/^id: 1\nevent: chunk\ndata: .*"first\\n"/),
      expect.stringMatching(/^id: 2\nevent: chunk\ndata: .*"second\\n"/),
      'event: end\ndata: {"status":"succeeded"}',
    ]);
  });

  it('a revocation ends a live log stream as its event arrives, though the job runs on and logs nothing', async () => {
    const job = await startJob();
    await job.log('before\n');
    const { nadia, olga, project } = facility;
    await facility.platform.accessAs(olga).put(`/api/projects/${project}/access/users/${nadia.username}`, { role: 'viewer' }).expect(200);
    const events: string[] = [];
    let endedAt = 0;
    const streamed = new Promise<void>((resolve, reject) => {
      request(facility.platform.jobs.server)
        .get(`/api/jobs/${job.assignment.jobId}/logs`)
        .set('authorization', `Bearer ${nadia.token}`)
        .set('accept', 'text/event-stream')
        .buffer(false)
        .parse((response, done) => {
          response.setEncoding('utf8');
          response.on('data', (chunk: string) => events.push(chunk));
          response.on('end', () => {
            endedAt = Date.now();
            done(null, undefined);
          });
        })
        .then(() => resolve(), reject);
    });
    const deadline = Date.now() + 5_000;
    while (!events.join('').includes('"text":"before\n"') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));

    await facility.platform.accessAs(olga).delete(`/api/projects/${project}/access/users/${nadia.username}`, { reason: 'left' }).expect(200);
    const revokedAt = Date.now();
    // Aim 2 s; the bound is generous for a loaded machine. Nothing polls: without the revocation the stream would run until the job ends.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([streamed, new Promise((resolve) => (bound = setTimeout(resolve, 10_000)))]);
    clearTimeout(bound);
    expect(endedAt).toBeGreaterThan(0);
    console.info(`log stream closed ${endedAt - revokedAt} ms after the revocation was answered`);
    expect(events.join('').split('\n\n').filter((frame) => frame.trim() !== '').at(-1)).toBe(
      'event: end\ndata: {"rule":"capability.project.read","detail":"You can no longer read this project."}',
    );
    await job.succeeded();
  });

  it('"The project activity feed shows job events"', async () => {
    const job = await startJob();
    await job.succeeded();
    // The runner's reports answer no position: the feed is read as of everything stored by now.
    facility.platform.observe(await facility.platform.jobs.runtime.store.headPosition());
    const feed = await facility.platform.as(facility.vic).get(`/api/projects/${facility.project}/activity?limit=3`).expect(200);
    expect(feed.body.items.map((entry: { type: string }) => entry.type)).toEqual(['jobs.job.succeeded.v1', 'jobs.job.started.v1', 'jobs.job.requested.v1']);
    expect(feed.body.items[1]).toMatchObject({ context: 'jobs', actor: 'runner-1', details: { jobId: job.assignment.jobId, runnerId: 'runner-1' } });
  });

  it('/metrics shows the jobs by state, as job_search holds them, every state named', async () => {
    const settled = async () => facility.platform.jobs.runtime.waiter.waitFor(await facility.platform.jobs.runtime.store.headPosition(), 10_000);
    const scrape = async () => {
      const metrics = (await request(facility.platform.jobs.server).get('/metrics').expect(200)).text;
      const states = ['queued', 'running', 'cancelling', 'succeeded', 'failed', 'cancelled'];
      return Object.fromEntries(states.map((state) => [state, Number(new RegExp(`^cairn_jobs\\{state="${state}"\\} (\\d+)$`, 'm').exec(metrics)?.[1])]));
    };
    await settled();
    const before = await scrape();
    const job = await startJob();
    await settled();
    expect((await scrape()).running).toBe(before.running + 1);
    await job.succeeded();
    await settled();
    const after = await scrape();
    expect(after).toEqual({ ...before, succeeded: before.succeeded + 1 });
    expect(Object.values(after).every(Number.isInteger)).toBe(true);
  });
});
