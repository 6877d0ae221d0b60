import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { LOCAL_DEV_JWT_SECRET, signDevToken } from '@cairn/auth';
import type { RunningPlatform } from '@cairn/local-platform';
import { demoTemplates, rocValidatorUnavailableReason, validateCrate, type CrateValidation } from '@cairn/testing';
import { GPU, openJobsSession, type Job, type JobsSession } from './jobs-session';
import { startLocalPlatform } from './local-platform';

jest.setTimeout(120_000);

const REPO = join(__dirname, '../..');
const unavailable = rocValidatorUnavailableReason();
if (unavailable) console.warn(`The RO-Crate validation is skipped: ${unavailable}`);
const describeWithValidator = unavailable ? describe.skip : describe;

type Graph = { '@id': string; [key: string]: unknown }[];

/**
 * Issue #24, a crate for every job, checked by the community's validator: the real demo programs run on
 * the reference runner; each job's crate is fetched over the API (one with `npm run cairn -- jobs crate`),
 * unpacked, and validated by `roc-validator` against the Process Run Crate profile, offline.
 */
describeWithValidator('a Process Run Crate for every job, valid by the community validator', () => {
  let platform: RunningPlatform;
  let session: JobsSession;

  beforeAll(async () => {
    platform = await startLocalPlatform('e2e-ro-crate');
    session = await openJobsSession(platform, demoTemplates());
  }, 180_000);
  afterAll(() => platform?.stop(), 60_000);

  /**
   * The crate's zip as the API answers Bob, unpacked into a folder of its own. The projects service's file
   * index may not have the crate's upload yet when the job reads as ended: a 404 is waited out, within a deadline.
   */
  async function unpacked(jobId: string): Promise<string> {
    const deadline = Date.now() + 15_000;
    let response = await fetch(`${platform.edgeUrl}/api/jobs/${jobId}/ro-crate`, { headers: { authorization: `Bearer ${session.bob}` } });
    while ((response.status === 404 || response.status === 503) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      response = await fetch(`${platform.edgeUrl}/api/jobs/${jobId}/ro-crate`, { headers: { authorization: `Bearer ${session.bob}` } });
    }
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const folder = mkdtempSync(join(tmpdir(), `cairn-crate-${jobId}-`));
    writeFileSync(join(folder, 'crate.zip'), Buffer.from(await response.arrayBuffer()));
    execFileSync('python3', ['-m', 'zipfile', '-e', join(folder, 'crate.zip'), join(folder, 'crate')]);
    return join(folder, 'crate');
  }

  const graphOf = (folder: string) => (JSON.parse(readFileSync(join(folder, 'ro-crate-metadata.json'), 'utf8')) as { '@graph': Graph })['@graph'];
  const entity = (graph: Graph, id: string) => graph.find((node) => node['@id'] === id);

  async function expectValid(label: string, folder: string): Promise<void> {
    const required: CrateValidation = await validateCrate(folder, 'required');
    const recommended = await validateCrate(folder, 'recommended');
    console.log(
      [`${label}: ${required.summary}`, `${label}: ${recommended.summary}`, ...recommended.issues.map((issue) => `  left at ${issue.severity}: [${issue.check}] ${issue.message}`)].join('\n'),
    );
    expect(required.issues).toEqual([]);
    // No check went unrun: the context came from the cache, so the JSON-LD checks ran too.
    expect(required.skipped).toEqual([]);
    expect(required.passed).toBe(true);
    expect(recommended.issues.filter((issue) => issue.severity === 'REQUIRED')).toEqual([]);
  }

  it('a succeeded File Statistics job: the action, its triggerer, the template, inputs by URL and outputs with sha256', async () => {
    const jobId = await session.run(session.carol, { template: 'File Statistics', parameters: { bins: 4 } });
    const job: Job = await session.ended(jobId);
    expect(job.status).toBe('succeeded');
    const folder = await unpacked(jobId);
    const graph = graphOf(folder);
    const action = entity(graph, `#run-${jobId}`)!;
    expect(action).toMatchObject({ '@type': 'CreateAction', actionStatus: 'http://schema.org/CompletedActionStatus', agent: { '@id': expect.stringMatching(/^#person-/) } });
    expect(entity(graph, (action.agent as { '@id': string })['@id'])).toMatchObject({ '@type': 'Person', name: 'Carol', alternateName: 'carol' });
    expect(entity(graph, (action.instrument as { '@id': string })['@id'])).toMatchObject({ '@type': 'SoftwareApplication', name: 'File Statistics', softwareVersion: '1.0.0' });
    for (const output of job.outputs as { path: string; sha256: string; size: number }[]) {
      const name = output.path.slice(`processed/${jobId}/`.length);
      expect(entity(graph, name)).toMatchObject({ '@type': 'File', sha256: output.sha256, contentSize: String(output.size) });
      expect(readFileSync(join(folder, name)).length).toBe(output.size);
    }
    const input = entity(graph, `${platform.edgeUrl}/api/projects/${session.project}/files/${session.csv}/content`);
    expect(input).toMatchObject({ '@type': 'File', name: 'raw/intensities.csv', sha256: expect.stringMatching(/^[0-9a-f]{64}$/), encodingFormat: 'text/csv' });
    expect(entity(graph, '#parameter-bins')).toMatchObject({ '@type': 'PropertyValue', value: '4' });
    await expectValid('succeeded', folder);
  });

  it('a rerun on another machine links to the job it reruns and to the root; `npm run cairn -- jobs crate` writes the same zip', async () => {
    const original = await session.run(session.carol, { template: 'File Statistics', parameters: { bins: 4 } });
    await session.ended(original);
    const rerunId = (await session.as(session.bob).post(`/api/jobs/${original}/rerun`, { parameters: { bins: 16 }, machine: GPU }).expect(201)).body.id as string;
    expect((await session.ended(rerunId)).status).toBe('succeeded');
    const folder = await unpacked(rerunId);
    const out = join(mkdtempSync(join(tmpdir(), 'cairn-crate-cli-')), 'rerun.zip');
    // Not execFileSync: the edge answering the CLI runs in this very process.
    const { stdout: printed } = await promisify(execFile)(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/deploy/local/cairn.js'), 'jobs', 'crate', rerunId, '--out', out, '--api', platform.edgeUrl], {
      env: { ...process.env, TOKEN: session.bob },
      encoding: 'utf8',
    });
    expect(printed).toContain(`wrote ${out}`);
    expect(readFileSync(out).equals(readFileSync(join(folder, '..', 'crate.zip')))).toBe(true);
    const graph = graphOf(folder);
    expect(entity(graph, './')!.isBasedOn).toEqual({ '@id': `${platform.edgeUrl}/api/jobs/${original}/ro-crate` });
    expect(entity(graph, `#run-${rerunId}`)).toMatchObject({ agent: { '@id': expect.stringMatching(/^#person-/) } });
    expect(entity(graph, '#machine')).toMatchObject({ value: 'gpu/standard' });
    await expectValid('rerun', folder);
  });

  it('a failed Render Molecule job (an input that is no molecule): FailedActionStatus with its failure kind and reason', async () => {
    const broken = (await session.as(session.carol).upload(`/api/projects/${session.project}/files`, 'raw/broken.xyz', 'this is no molecule\n').expect(201)).body.id as string;
    const jobId = await session.run(session.carol, { template: 'Render Molecule', inputs: [broken] });
    const job = await session.ended(jobId);
    expect(job).toMatchObject({ status: 'failed', failure: { kind: 'executor' } });
    const folder = await unpacked(jobId);
    expect(entity(graphOf(folder), `#run-${jobId}`)).toMatchObject({
      actionStatus: 'http://schema.org/FailedActionStatus',
      error: `executor failure: ${job.failure.reason}`,
    });
    await expectValid('failed', folder);
  });

  it('answers a job of a project one may not read exactly as a job that does not exist', async () => {
    const dave = await signDevToken({ username: 'dave', email: 'dave@example.org', name: 'Dave' }, LOCAL_DEV_JWT_SECRET);
    const jobId = await session.run(session.carol, { template: 'File Statistics', parameters: { bins: 2 } });
    await session.ended(jobId);
    const hidden = await request(platform.edgeUrl).get(`/api/jobs/${jobId}/ro-crate`).set('authorization', `Bearer ${dave}`);
    const missing = await request(platform.edgeUrl).get('/api/jobs/0190f7c2-0000-7000-8000-000000000000/ro-crate').set('authorization', `Bearer ${dave}`);
    expect(hidden.status).toBe(404);
    expect({ ...hidden.body, detail: undefined, instance: undefined }).toEqual({ ...missing.body, detail: undefined, instance: undefined });
  });
});
