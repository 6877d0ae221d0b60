import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { REPO, startPlatform, type RunningPlatform } from '@cairn/local-platform';
import { CPU, facilityPrograms, GPU, openJobsSession, probeTemplate, type JobsSession } from './jobs-session';
import { requireBuild } from './local-platform';
import { demoTemplates, demoTemplatesDir, dialsUnavailableReason, openBabelUnavailableReason } from '@cairn/testing';

const DEMO_TEMPLATES = demoTemplates();
const withoutOpenBabel = openBabelUnavailableReason();
const withoutDials = dialsUnavailableReason();
const skipped = (reason: string | undefined) => (reason ? ` (skipped: ${reason})` : '');

const HEARTBEAT_TIMEOUT_MS = 4_000;

/** Templates whose commands misbehave on purpose. */
const PROBES = [
  probeTemplate('Exit Three', ['node', '-e', "console.error('cannot parse the input'); process.exit(3)"]),
  probeTemplate('Sleep', ['node', '-e', 'setTimeout(() => {}, 120000)']),
  probeTemplate('Count Slowly', ['node', '-e', "let i = 0; const t = setInterval(() => { console.log('line ' + ++i); if (i === 6) clearInterval(t); }, 400)"]),
];

/**
 * Issue #10, Steps 2 to 4 of the facility guide end to end (docs/requirements.md F-14 to F-22): every service and the reference runner as
 * their own processes behind the edge, over HTTP only, the runner running the demo templates' real
 * programs. Needs the build (`npx tsc -p tsconfig.build.json`).
 */
describe('jobs end to end, with the reference runner as its own process', () => {
  let platform: RunningPlatform;
  let session: JobsSession;
  let carol: string, bob: string;
  let project: string;
  let csv: string;
  const as = (token: string) => session.as(token);
  const run = (token: string, body: object) => session.run(token, body);
  const until = (...args: Parameters<JobsSession['until']>) => session.until(...args);
  const ended = (jobId: string, timeoutMs?: number) => session.ended(jobId, timeoutMs);
  const programs = facilityPrograms(() => session);

  beforeAll(async () => {
    requireBuild();
    platform = await startPlatform({
      homeDir: mkdtempSync(join(tmpdir(), 'cairn-e2e-jobs-')),
      edgePort: 0,
      env: {
        CAIRN_AUTH_MODE: 'dev',
        CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET,
        CAIRN_JOB_HEARTBEAT_INTERVAL_MS: '500',
        CAIRN_JOB_HEARTBEAT_TIMEOUT_MS: String(HEARTBEAT_TIMEOUT_MS),
      },
    });
    session = await openJobsSession(platform, [...DEMO_TEMPLATES, ...PROBES]);
    ({ carol, bob, project, csv } = session);
  }, 180_000);
  afterAll(() => platform?.stop(), 60_000);

  it('Steps 2-4: Carol runs File Statistics; Bob finds it, inspects it and reruns it with another parameter on a GPU', async () => {
    const carols = await run(carol, { template: 'File Statistics', parameters: { bins: 4 } });
    const done = await ended(carols);
    expect(done).toMatchObject({ status: 'succeeded', triggeredBy: { username: 'carol', displayName: 'Carol' } });

    // Step 2: "Search by triggerer", "Search by job template name".
    const byTriggerer = await as(bob).get('/api/jobs?triggeredBy=carol').expect(200);
    const byTemplate = await as(bob).get(`/api/projects/${project}/jobs?template=file%20stat`).expect(200);
    expect(byTriggerer.body.items.map((job: { id: string }) => job.id)).toEqual([carols]);
    expect(byTemplate.body.items.map((job: { id: string }) => job.id)).toEqual([carols]);

    // Step 3: "Job Details (inputs, parameters, machine type), Output files, Logs".
    const details = (await as(bob).get(`/api/jobs/${carols}`).expect(200)).body;
    expect(details).toMatchObject({ template: 'File Statistics@1.0.0', inputs: [{ fileId: csv, path: 'raw/intensities.csv' }], parameters: { bins: 4 }, machine: CPU });
    // What the command wrote, and the job's whole log, which the runner reports as an output beside them.
    expect(details.outputs.map((output: { path: string }) => output.path).sort()).toEqual([`processed/${carols}/job.log`, `processed/${carols}/report.txt`, `processed/${carols}/stats.json`]);
    const stats = details.outputs.find((output: { path: string }) => output.path.endsWith('stats.json'));
    const statsJson = JSON.parse((await as(bob).get(`/api/projects/${project}/files/${stats.fileId}/content`).expect(200)).body.toString());
    expect(JSON.stringify(statsJson)).toContain('intensities.csv');
    const logs = (await as(bob).get(`/api/jobs/${carols}/logs`).expect(200)).body;
    expect(logs.ended).toBe(true);

    // Step 4: rerun with a changed parameter on a GPU machine.
    const bobs = (await as(bob).post(`/api/jobs/${carols}/rerun`, { parameters: { bins: 16 }, machine: GPU }).expect(201)).body.id;
    const rerun = await ended(bobs);
    expect(rerun).toMatchObject({ status: 'succeeded', rerunOf: carols, rootJobId: carols, triggeredBy: { username: 'bob' }, outputFolder: `processed/${bobs}/` });
    expect(rerun.changes).toEqual({ parameters: { bins: { from: 4, to: 16 } }, machine: { from: CPU, to: GPU } });

    // "Result: Your rerun will appear in the job list with you as the triggerer"; each job its own real output folder.
    const listed = await as(carol).get(`/api/projects/${project}/jobs?template=file`).expect(200);
    expect(listed.body.items.map((job: { id: string; triggeredBy: { username: string } }) => [job.id, job.triggeredBy.username])).toEqual([
      [bobs, 'bob'],
      [carols, 'carol'],
    ]);
    for (const jobId of [carols, bobs]) {
      const folder = await as(carol).get(`/api/projects/${project}/files?folder=processed/${jobId}`).expect(200);
      // The outputs, and the job's whole log and its crate, which the runner leaves beside them when the job ends.
      expect(folder.body.items.map((file: { name: string; size: number }) => [file.name, file.size > 0])).toEqual([
        ['job.log', true],
        ['report.txt', true],
        ['ro-crate-metadata.json', true],
        ['stats.json', true],
      ]);
    }
    const original = (await as(carol).get(`/api/jobs/${carols}`).expect(200)).body;
    expect(original).toMatchObject({ status: 'succeeded', parameters: { bins: 4 }, outputs: details.outputs });
  });

  (withoutOpenBabel ? it.skip : it)(`Render Molecule: Open Babel draws Carol's molecule in the sandbox, an SVG and a PNG in processed/<job>/${skipped(withoutOpenBabel)}`, () => programs.renderMolecule(GPU));

  (withoutDials ? it.skip : it)(`DIALS: dials.import, then dials.find_spots on Carol's CBF sweep in the sandbox; the .expt, the .refl and both DIALS logs in processed/<job>/${skipped(withoutDials)}`, () => programs.dials(CPU));

  it('`npm run cairn -- templates apply deploy/templates` finds every demo template registered and changes nothing; a changed body is refused, naming the file', async () => {
    const apply = (dir: string) =>
      promisify(execFile)(process.execPath, ['-r', join(REPO, 'deploy/local/register.js'), join(REPO, 'dist/deploy/local/cairn.js'), 'templates', 'apply', dir, '--api', platform.edgeUrl], {
        env: { ...process.env, CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET },
      }).then(
        ({ stdout }) => ({ code: 0, stdout }),
        (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
      );
    const files = readdirSync(demoTemplatesDir()).filter((file) => file.endsWith('.yaml')).sort();

    const unchanged = await apply(demoTemplatesDir());
    expect(unchanged).toEqual({ code: 0, stdout: expect.stringContaining(`${files.length} template file(s) in ${demoTemplatesDir()}: 0 registered, ${files.length} unchanged, 0 refused`) });

    const changed = mkdtempSync(join(tmpdir(), 'templates-'));
    writeFileSync(join(changed, 'stats.yaml'), readFileSync(join(demoTemplatesDir(), 'file-statistics.yaml'), 'utf8').replace('--bins', '--bins-changed'));
    const refused = await apply(changed);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('stats.yaml: File Statistics@1.0.0 refused: File Statistics@1.0.0 is registered with another command; a version never changes: give the change a new version');
  });

  it('"A command that exits 3 fails with executor and exit code 3"', async () => {
    const failed = await ended(await run(carol, { template: 'Exit Three' }));
    expect(failed).toMatchObject({ status: 'failed', failure: { kind: 'executor', exitCode: 3 } });
    expect(failed.failure.lastLogLines.join('\n')).toContain('cannot parse the input');
  });

  it('"Live logs arrive over SSE while the job runs"', async () => {
    const jobId = await run(carol, { template: 'Count Slowly' });
    await until(jobId, (job) => job.status === 'running');
    const received: { at: number; text: string }[] = [];
    const response = await fetch(`${platform.edgeUrl}/api/jobs/${jobId}/logs`, { headers: { authorization: `Bearer ${bob}`, accept: 'text/event-stream' } });
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const decoder = new TextDecoder();
    for await (const part of response.body!) received.push({ at: Date.now(), text: decoder.decode(part, { stream: true }) });
    const stream = received.map((part) => part.text).join('');
    for (let line = 1; line <= 6; line++) expect(stream).toContain(`line ${line}`);
    expect(stream).toMatch(/event: end\ndata: \{"status":"succeeded"\}\n\n$/);
    // Live: the chunks came over time, not all at the end.
    const firstChunk = received.find((part) => part.text.includes('line 1'))!;
    const end = received.find((part) => part.text.includes('event: end'))!;
    expect(end.at - firstChunk.at).toBeGreaterThan(500);
  });

  it('"A runner SIGKILLed mid-job: the job fails with system within the heartbeat timeout, and a later job still runs"', async () => {
    const jobId = await run(carol, { template: 'Sleep' });
    await until(jobId, (job) => job.status === 'running');
    const killedAt = Date.now();
    await platform.runner!.process.stop('SIGKILL');
    const lost = await ended(jobId, HEARTBEAT_TIMEOUT_MS + 10_000);
    expect(lost).toMatchObject({ status: 'failed', failure: { kind: 'system', reason: expect.stringContaining('stopped heartbeating') } });
    expect(Date.now() - killedAt).toBeLessThan(HEARTBEAT_TIMEOUT_MS + 6_000);

    platform.runner!.process.start();
    const later = await ended(await run(carol, { template: 'File Statistics' }), 60_000);
    expect(later.status).toBe('succeeded');
  });
});
