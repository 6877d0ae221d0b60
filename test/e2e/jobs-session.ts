import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import request from 'supertest';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import type { RunningPlatform } from '@cairn/local-platform';

export const CPU = { type: 'cpu', performance: 'standard' };
export const GPU = { type: 'gpu', performance: 'standard' };

/** A template whose command misbehaves on purpose (`node` is on every command's PATH: the runner's own), on cpu/standard unless told. */
export function probeTemplate(name: string, command: string[], overrides: Record<string, unknown> = {}) {
  return { name, version: '1.0.0', description: name, parameters: { type: 'object', properties: {} }, inputTypes: ['*'], machineTypes: ['cpu/standard'], command, timeLimitSeconds: 300, ...overrides };
}

/** A job as `GET /api/jobs/:id` answers it: the specifications read its fields as docs/api.md names them. */
export type Job = request.Response['body'];

/**
 * The facility guide's cast on a running platform: alice (facility admin), Carol and Bob in lab
 * `facility`, Carol's project "Lysozyme 2026" shared with Bob as member, one uploaded CSV, and the
 * templates registered. Every call waits for the highest position seen so far, as a browser session would.
 */
export interface JobsSession {
  alice: string;
  carol: string;
  bob: string;
  project: string;
  csv: string;
  as(token: string): {
    get(path: string): request.Test;
    post(path: string, body?: object): request.Test;
    put(path: string, body?: object): request.Test;
    patch(path: string, body?: object): request.Test;
    delete(path: string, body?: object): request.Test;
    upload(path: string, filePath: string, content: string | Buffer): request.Test;
  };
  /** Runs a job in the project (the CSV as input on cpu/standard unless the body says otherwise); its id. */
  run(token: string, body: object): Promise<string>;
  /** The job once `done` says so, read as Carol. */
  until(jobId: string, done: (job: Job) => boolean, timeoutMs?: number): Promise<Job>;
  ended(jobId: string, timeoutMs?: number): Promise<Job>;
  /** The whole log of a job as the API pages it, read as Carol. */
  logText(jobId: string): Promise<string>;
}

export async function openJobsSession(platform: RunningPlatform, templates: object[]): Promise<JobsSession> {
  let position = 0;
  const as: JobsSession['as'] = (token) => {
    const send = (call: request.Test) =>
      call
        .set('authorization', `Bearer ${token}`)
        .set('Cairn-Min-Position', String(position))
        .on('response', (response: { headers: Record<string, string> }) => {
          const seen = Number(response.headers['cairn-position']);
          if (Number.isSafeInteger(seen)) position = Math.max(position, seen);
        });
    return {
      get: (path) => send(request(platform.edgeUrl).get(path)),
      post: (path, body = {}) => send(request(platform.edgeUrl).post(path)).send(body),
      put: (path, body = {}) => send(request(platform.edgeUrl).put(path)).send(body),
      patch: (path, body = {}) => send(request(platform.edgeUrl).patch(path)).send(body),
      delete: (path, body = {}) => send(request(platform.edgeUrl).delete(path)).send(body),
      upload: (path, filePath, content) => send(request(platform.edgeUrl).post(path)).field('path', filePath).attach('file', Buffer.from(content), filePath.split('/').pop()),
    };
  };
  const sign = (username: string, admin = false) => signDevToken({ username, admin, email: `${username}@example.org`, name: username[0].toUpperCase() + username.slice(1) }, LOCAL_DEV_JWT_SECRET);
  const [alice, carol, bob] = await Promise.all([sign('alice', true), sign('carol'), sign('bob')]);
  for (const token of [carol, bob]) await as(token).get('/api/users?lab=none');
  await as(alice).post('/api/labs', { name: 'Facility', slug: 'facility' }).expect(201);
  for (const user of ['carol', 'bob']) await as(alice).post('/api/labs/facility/members', { user }).expect(201);
  const project = (await as(carol).post('/api/projects', { lab: 'facility', name: 'Lysozyme 2026', scheme: 'facility' }).expect(201)).body.id as string;
  await as(carol).put(`/api/projects/${project}/access/users/bob`, { role: 'member' }).expect(200);
  const csv = (await as(carol).upload(`/api/projects/${project}/files`, 'raw/intensities.csv', 'sample,intensity\nA1,0.42\nA2,0.57\n').expect(201)).body.id as string;
  for (const template of templates) {
    const registered = await as(alice).post('/api/job-templates', template);
    if (registered.status !== 201) throw new Error(`registering ${JSON.stringify(template)}: ${registered.status} ${JSON.stringify(registered.body)}`);
  }

  const until: JobsSession['until'] = async (jobId, done, timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const response = await as(carol).get(`/api/jobs/${jobId}`);
      // "Not caught up yet, retry shortly" (503 with Retry-After) is an answer a client waits out, within the same deadline.
      const notYet = response.status === 503 && response.headers['retry-after'] !== undefined && Date.now() < deadline;
      if (response.status !== 200 && !notYet) throw new Error(`GET /api/jobs/${jobId}: ${response.status} ${JSON.stringify(response.body)}`);
      const job = response.body as Job;
      if (!notYet && done(job)) return job;
      if (Date.now() > deadline) throw new Error(`job ${jobId} is still ${job.status} after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  return {
    alice,
    carol,
    bob,
    project,
    csv,
    as,
    run: async (token, body) => (await as(token).post(`/api/projects/${project}/jobs`, { inputs: [csv], machine: CPU, ...body }).expect(201)).body.id as string,
    until,
    ended: (jobId, timeoutMs) => until(jobId, (job) => ['succeeded', 'failed', 'cancelled'].includes(job.status), timeoutMs),
    logText: async (jobId) => {
      let text = '';
      for (let after = 0; ; ) {
        const page = (await as(carol).get(`/api/jobs/${jobId}/logs?after=${after}`).expect(200)).body as { items: { text: string }[]; next: number };
        if (page.items.length === 0) return text;
        text += page.items.map((chunk) => chunk.text).join('');
        after = page.next;
      }
    },
  };
}

const SAMPLES = join(__dirname, '../../services/runner/samples');

/**
 * The demo templates' real programs on a running platform (deploy/templates): Carol uploads a molecule and the
 * made CBF sweep (services/runner/samples/diffraction), runs Render Molecule (Open Babel) and DIALS on them, and
 * finds their outputs and the job's log in processed/<job>/.
 */
export function facilityPrograms(session: () => JobsSession) {
  const upload = async (path: string, file: string) => {
    const { as, carol, project } = session();
    return (await as(carol).upload(`/api/projects/${project}/files`, path, readFileSync(file)).expect(201)).body.id as string;
  };
  const outputsOf = async (jobId: string) => {
    const { as, carol, project } = session();
    const folder = await as(carol).get(`/api/projects/${project}/files?folder=processed/${jobId}&limit=100`).expect(200);
    return (folder.body.items as { name: string; size: number }[]).map((file) => [file.name, file.size > 0]);
  };
  return {
    async renderMolecule(machine: object) {
      const { carol, run, ended } = session();
      const molecule = await upload('raw/caffeine.xyz', join(SAMPLES, 'caffeine.xyz'));
      const jobId = await run(carol, { template: 'Render Molecule', inputs: [molecule], parameters: { view: 'all', style: 'cartoon' }, machine });
      expect(await ended(jobId, 120_000)).toMatchObject({ status: 'succeeded', template: expect.stringMatching(/^Render Molecule@2\./) });
      expect(await outputsOf(jobId)).toEqual([
        ['caffeine.png', true],
        ['caffeine.svg', true],
        ['job.log', true],
        ['ro-crate-metadata.json', true],
      ]);
      expect(await session().logText(jobId)).toContain('obabel -ixyz');
    },
    async dials(machine: object) {
      const { carol, run, ended } = session();
      const names = readdirSync(join(SAMPLES, 'diffraction')).filter((name) => name.endsWith('.cbf')).sort();
      const sweep = `raw/sweep-${Date.now()}`;
      const frames: string[] = [];
      for (const name of names) frames.push(await upload(`${sweep}/${name}`, join(SAMPLES, 'diffraction', name)));
      const jobId = await run(carol, { template: 'DIALS', inputs: frames, machine });
      const job = await ended(jobId, 240_000);
      expect(job).toMatchObject({ status: 'succeeded', parameters: { steps: 'find_spots', min_spot_size: 3, nproc: 1 } });
      expect(await outputsOf(jobId)).toEqual([
        ['dials.find_spots.log', true],
        ['dials.import.log', true],
        ['imported.expt', true],
        ['job.log', true],
        ['ro-crate-metadata.json', true],
        ['strong.refl', true],
      ]);
      expect(await session().logText(jobId)).toMatch(/Saved \d+ reflections to .*strong\.refl/);
    },
  };
}
