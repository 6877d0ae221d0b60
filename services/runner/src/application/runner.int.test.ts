import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { NatsConnection } from 'nats';
import { cancelSubjectOf, WORK_STREAM, workConsumerOf, workSubjectOf, type Assignment, type Machine } from '@cairn/contracts';
import { metricValue } from '@cairn/telemetry';
import { demoTemplate, dialsUnavailableReason, openBabelUnavailableReason, waitUntil } from '@cairn/testing';
import { boundPort } from '@cairn/telemetry';
import type { FakeFileApi } from '../../test-support/fake-file-api';
import type { FakeJobs } from '../../test-support/fake-jobs-service';
import { assignmentOf, dialsOnTheSweep, nodeCommand, shellBaitJob, startProtocolTestbed, type ProtocolTestbed } from '../../test-support/testbed';
import { LocalBackend } from '../backends/local-backend';
import type { Site } from '../domain/site';
import { MODULE_FUNCTION, testSiteIn } from '../../test-support/test-site';
import { demoProgramSources, installDemoPrograms } from '../templates/programs';
import { runnerCredentialsFrom } from './credentials';
import { startHealthServer } from './health';
import { Runner, type RunnerOptions } from './runner';

const FILE_STATISTICS = demoTemplate('File Statistics');
const RENDER_MOLECULE = demoTemplate('Render Molecule');
const withoutOpenBabel = openBabelUnavailableReason();
const withoutDials = dialsUnavailableReason();

jest.setTimeout(60_000);

const SECRET = 'a-runner-test-secret-of-at-least-32-characters';
const SAMPLES = join(__dirname, '../../samples');
const CPU: Machine = { type: 'cpu', performance: 'standard' };
const GPU_TURBO: Machine = { type: 'gpu', performance: 'turbo' };

let testbed: ProtocolTestbed;
let nc: NatsConnection;
let files: FakeFileApi;
let jobs: FakeJobs;

beforeAll(async () => {
  testbed = await startProtocolTestbed(SECRET);
  ({ nc, files, jobs } = testbed);
});

afterAll(() => testbed?.stop());

let jobCounter = 0;

/** A job the jobs service's side hands out, queued on its machine's work queue. */
function queueJob(overrides: Partial<Assignment> & Pick<Assignment, 'command'>): Promise<Assignment> {
  jobCounter += 1;
  return testbed.queue(assignmentOf(`job-${jobCounter}-${Date.now()}`, overrides));
}

async function withRunner<T>(options: Partial<RunnerOptions> & { runnerId?: string }, body: (runner: Runner) => Promise<T>): Promise<T> {
  const credentials = runnerCredentialsFrom({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: SECRET, CAIRN_RUNNER_ID: options.runnerId ?? 'runner-test-1' });
  const identity = { kind: 'runner', id: (options.credentials ?? credentials).runnerId } as const;
  await testbed.nats.register(identity);
  const scratchDir = mkdtempSync(join(tmpdir(), 'cairn-runner-test-'));
  const runner = await Runner.start({
    nats: testbed.nats.connectionOptions(identity),
    apiUrl: files.url,
    credentials,
    backend: new LocalBackend({
      scratchDir,
      // From their TypeScript source here, as the runner runs from its own: the tests need no build.
      binDirs: [await installDemoPrograms(join(scratchDir, 'bin'))],
      sandbox: { readOnly: demoProgramSources() },
      stopGraceMs: 1_000,
    }),
    queues: [CPU, GPU_TURBO],
    pollMs: 300,
    requestTimeoutMs: 2_000,
    ...options,
  });
  try {
    return await body(runner);
  } finally {
    await runner.stop();
    rmSync(scratchDir, { recursive: true, force: true });
  }
}

const finished = (jobId: string, timeoutMs?: number) => jobs.untilFinished(jobId, timeoutMs);
const logText = (jobId: string) => jobs.logText(jobId);

/** Running, not merely a zombie waiting for a parent that no longer exists to reap it. */
const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  const status = existsSync(`/proc/${pid}/status`) ? readFileSync(`/proc/${pid}/status`, 'utf8') : '';
  return !/^State:\s+Z/m.test(status);
};

/** The processes on this machine with every one of `words` among their arguments. */
const processesWith = (...words: string[]) =>
  readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
        return words.every((word) => argv.includes(word));
      } catch {
        return false;
      }
    })
    .map(Number)
    .filter(alive);

describe('the runner against the runner protocol', () => {
  it('runs File Statistics: stages the inputs, uploads stats.json and report.txt into the job folder and reports them, then success', async () => {
    const csv = files.put('p-lysozyme', 'raw/run-1/measurements.csv', readFileSync(join(SAMPLES, 'measurements.csv')));
    const xyz = files.put('p-lysozyme', 'raw/run-1/water.xyz', readFileSync(join(SAMPLES, 'water.xyz')));
    const job = await queueJob({
      template: { name: FILE_STATISTICS.name, version: FILE_STATISTICS.version },
      command: FILE_STATISTICS.command,
      parameters: { bins: 8, title: 'Lysozyme run 1' },
      inputs: [
        { fileId: csv.id, path: csv.path },
        { fileId: xyz.id, path: xyz.path },
      ],
    });

    const end = await withRunner({}, () => finished(job.jobId));

    expect(end).toEqual({ jobId: job.jobId, runnerId: 'runner-test-1', outcome: 'succeeded', exitCode: 0 });
    const uploads = files.uploads.filter((upload) => upload.path.startsWith(job.outputFolder));
    // The job's whole log comes after the outputs, into the same folder: "the output folder holds the log as well as the outputs";
    // its crate, which lists them all, comes last.
    expect(uploads.map((upload) => upload.path)).toEqual([
      `${job.outputFolder}report.txt`,
      `${job.outputFolder}stats.json`,
      `${job.outputFolder}job.log`,
      `${job.outputFolder}ro-crate-metadata.json`,
    ]);
    expect(uploads[2].bytes.toString('utf8')).toBe(logText(job.jobId));
    const crate = JSON.parse(uploads[3].bytes.toString('utf8')) as { '@graph': { '@id': string; sha256?: string }[] };
    expect(crate['@graph'].filter((entity) => entity.sha256 !== undefined).map((entity) => entity['@id'])).toEqual(['report.txt', 'stats.json', 'job.log']);
    // Each is reported as an output of the job, the log among them; the crate is not: it describes them.
    expect(jobs.reportsOf('output', job.jobId)).toEqual(
      uploads.slice(0, 3).map((upload) => ({ jobId: job.jobId, runnerId: 'runner-test-1', fileId: upload.id, path: upload.path, size: upload.bytes.length, sha256: upload.sha256 })),
    );
    const stats = JSON.parse(uploads[1].bytes.toString('utf8'));
    expect(stats).toMatchObject({ title: 'Lysozyme run 1', bins: 8 });
    expect(stats.files.map((file: { name: string; lines: number; sha256: string }) => [file.name, file.lines, file.sha256])).toEqual([
      ['measurements.csv', 5, csv.sha256],
      ['water.xyz', 5, xyz.sha256],
    ]);
    expect(uploads[0].bytes.toString('utf8')).toContain('Lysozyme run 1');
    expect(logText(job.jobId)).toContain('[1/2] measurements.csv: 5 lines, 156 bytes');
    expect(jobs.reportsOf('progress', job.jobId).at(-1)).toEqual({ jobId: job.jobId, runnerId: 'runner-test-1', fraction: 1, message: '2 of 2 files read' });
    // Every transfer waits for the claim's position.
    expect(files.downloads.filter((download) => [csv.id, xyz.id].includes(download.fileId)).map((download) => download.minPosition)).toEqual(['42', '42']);
    expect(uploads.map((upload) => upload.minPosition)).toEqual(['42', '42', '42', '42']);
  });

  (withoutOpenBabel ? it.skip : it)(`runs Render Molecule in the sandbox: Open Babel draws the XYZ file as an SVG and a PNG${withoutOpenBabel ? ` (skipped: ${withoutOpenBabel})` : ''}`, async () => {
    const caffeine = files.put('p-lysozyme', 'raw/caffeine.xyz', readFileSync(join(SAMPLES, 'caffeine.xyz')));
    const job = await queueJob({
      template: { name: RENDER_MOLECULE.name, version: RENDER_MOLECULE.version },
      command: RENDER_MOLECULE.command,
      parameters: { style: 'cartoon', view: 'all', width: 900 },
      inputs: [{ fileId: caffeine.id, path: caffeine.path }],
      machine: GPU_TURBO,
    });

    expect(await withRunner({}, () => finished(job.jobId))).toMatchObject({ outcome: 'succeeded' });
    const uploads = files.uploads.filter((upload) => upload.path.startsWith(job.outputFolder));
    expect(uploads.map((upload) => upload.path)).toEqual([`${job.outputFolder}caffeine.png`, `${job.outputFolder}caffeine.svg`, `${job.outputFolder}job.log`, `${job.outputFolder}ro-crate-metadata.json`]);
    expect(uploads[0].bytes.subarray(1, 4).toString()).toBe('PNG');
    const svg = uploads[1].bytes.toString('utf8');
    expect(svg).toContain('width="900px"');
    expect(svg).toContain('caffeine (1,3,7-trimethylxanthine)');
    expect(logText(job.jobId)).toContain('-h -xa -xC -xt -xP 900');
  });

  (withoutDials ? it.skip : it)(`runs DIALS in the sandbox: dials.import, then dials.find_spots on a sweep of CBF frames; the .expt, the .refl and both DIALS logs uploaded${withoutDials ? ` (skipped: ${withoutDials})` : ''}`, async () => {
    const job = await queueJob({ ...dialsOnTheSweep(files), timeLimitSeconds: 600 });

    expect(await withRunner({}, () => finished(job.jobId, 180_000))).toMatchObject({ outcome: 'succeeded' });
    const uploads = files.uploads.filter((upload) => upload.path.startsWith(job.outputFolder));
    expect(uploads.map((upload) => upload.path.slice(job.outputFolder.length))).toEqual(['dials.find_spots.log', 'dials.import.log', 'imported.expt', 'strong.refl', 'job.log', 'ro-crate-metadata.json']);
    expect(JSON.parse(uploads[2].bytes.toString('utf8')).imageset[0].__id__).toBe('ImageSequence');
    expect(logText(job.jobId)).toMatch(/Saved \d+ reflections to .*strong\.refl/);
  }, 240_000);

  it('reports a command that exits 3 as an executor failure with exit code 3 and the last log lines', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('indexing 1200 spots'); console.error('no lattice fits the spots'); process.exit(3)") });

    const end = await withRunner({}, () => finished(job.jobId));

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', exitCode: 3, reason: 'the command exited with code 3' } });
    expect(end.outcome === 'failed' && end.failure.lastLogLines).toEqual(expect.arrayContaining(['indexing 1200 spots', 'no lattice fits the spots']));
    // A failed job's folder holds its log too: what went wrong is readable beside where the outputs would be.
    const [log] = files.uploads.filter((upload) => upload.path.startsWith(job.outputFolder));
    expect(log.path).toBe(`${job.outputFolder}job.log`);
    expect(log.bytes.toString('utf8')).toContain('no lattice fits the spots');
    // Its one output is that log: nothing the failed command wrote is taken.
    expect(jobs.reportsOf('output', job.jobId).map((output) => output.path)).toEqual([`${job.outputFolder}job.log`]);
  });

  it('stops a command that runs past its time limit and reports an executor failure saying so', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('still integrating'); setInterval(() => {}, 1000)"), timeLimitSeconds: 1 });

    const end = await withRunner({}, () => finished(job.jobId));

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', reason: 'the command ran past its time limit of 1 s and was stopped', lastLogLines: ['still integrating'] } });
  });

  it('stops the command and whatever it started when a heartbeat answers cancel, and reports cancelled', async () => {
    // Process ids inside the sandbox are its own namespace's: the processes are found from here by a word in their arguments.
    const marker = `cancel-${Date.now()}`;
    const child = 'setInterval(() => {}, 1000)';
    const script = `require('child_process').spawn(process.execPath, ['-e', '${child}', process.argv[1]]); console.log('started'); setInterval(() => {}, 1000)`;
    const job = await queueJob({ command: nodeCommand(script, marker) });

    const [end, pids] = await withRunner({}, async () => {
      await waitUntil('the command and its child run', async () => processesWith(marker, child).length === 1, 20_000);
      const started = processesWith(marker);
      expect(started.length).toBeGreaterThanOrEqual(2);
      jobs.requestCancel(job.jobId);
      return [await finished(job.jobId), started] as const;
    });

    expect(end).toEqual({ jobId: job.jobId, runnerId: 'runner-test-1', outcome: 'cancelled' });
    expect(pids.filter(alive)).toEqual([]);
    // No outputs of a cancelled job: only its log, with what it wrote until it was stopped, and its crate, which says it was cancelled.
    const folder = files.uploads.filter((upload) => upload.path.startsWith(job.outputFolder));
    expect(folder.map((upload) => upload.path)).toEqual([`${job.outputFolder}job.log`, `${job.outputFolder}ro-crate-metadata.json`]);
    expect(folder[0].bytes.toString('utf8')).toBe('started\n');
    const crate = JSON.parse(folder[1].bytes.toString('utf8')) as { '@graph': { '@type': string; error?: string }[] };
    expect(crate['@graph'].find((entity) => entity['@type'] === 'CreateAction')).toMatchObject({ actionStatus: 'http://schema.org/FailedActionStatus', error: expect.stringMatching(/^cancelled/) });
  });

  it('cancels on a notice on its cancel subject without waiting for the next heartbeat', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('waiting'); setInterval(() => {}, 1000)"), heartbeatIntervalMs: 60_000 });

    const end = await withRunner({ runnerId: 'runner-test-cancel' }, async () => {
      await waitUntil('the command runs', async () => logText(job.jobId).includes('waiting'), 20_000);
      nc.publish(cancelSubjectOf('runner-test-cancel'), JSON.stringify({ jobId: job.jobId }));
      return finished(job.jobId, 10_000);
    });

    expect(end.outcome).toBe('cancelled');
  });

  it('hands parameters holding $(...), quotes and newlines to the command as literal arguments', async () => {
    const marker = join(mkdtempSync(join(tmpdir(), 'cairn-shell-')), 'pwned');
    const bait = shellBaitJob(marker);
    const job = await queueJob({ command: bait.command, parameters: bait.parameters });

    expect((await withRunner({}, () => finished(job.jobId))).outcome).toBe('succeeded');
    const [args] = files.uploads.filter((upload) => upload.path === `${job.outputFolder}args.json`);
    expect(JSON.parse(args.bytes.toString('utf8'))).toEqual(bait.argumentsReceived);
    expect(existsSync(marker)).toBe(false);
  });

  it('sends the output as log chunks in order, bounded in size, while the command still runs', async () => {
    // The gate is in the job's folder, the one folder of this machine the sandboxed command sees.
    const script = [
      "const fs = require('fs');",
      "console.log('waiting for the gate');",
      'console.error(`gate ${process.argv[1]}`);',
      'const timer = setInterval(() => {',
      '  if (!fs.existsSync(process.argv[1])) return;',
      '  clearInterval(timer);',
      "  for (let i = 1; i <= 200; i += 1) (i % 50 === 0 ? console.error : console.log)(`line ${i} ünïcödé`);",
      '}, 50);',
    ].join('\n');
    const job = await queueJob({ command: nodeCommand(script, '{{workDir}}/open') });

    await withRunner({ logLimits: { maxChunkBytes: 100 } }, async () => {
      await waitUntil('the first chunks arrive', async () => /gate (\S+)\n/.test(logText(job.jobId)), 20_000);
      expect(logText(job.jobId)).toContain('waiting for the gate');
      expect(jobs.finishedOf(job.jobId)).toBeUndefined();
      writeFileSync(/gate (\S+)\n/.exec(logText(job.jobId))![1], '');
      await finished(job.jobId);
    });

    const chunks = jobs.reportsOf('log', job.jobId);
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_chunk, index) => index + 1));
    expect(chunks.every((chunk) => Buffer.byteLength(chunk.text) <= 100)).toBe(true);
    const stdout = ['waiting for the gate', ...Array.from({ length: 200 }, (_unused, i) => i + 1).filter((i) => i % 50 !== 0).map((i) => `line ${i} ünïcödé`)];
    expect(chunks.filter((chunk) => chunk.stream === 'stdout').map((chunk) => chunk.text).join('')).toBe(`${stdout.join('\n')}\n`);
    expect(chunks.filter((chunk) => chunk.stream === 'stderr').map((chunk) => chunk.text).join('')).toMatch(/^gate \S+\nline 50 ünïcödé\nline 100 ünïcödé\nline 150 ünïcödé\nline 200 ünïcödé\n$/);
  });

  it('heartbeats at the assignment interval while the job runs, and counts them by answer', async () => {
    const job = await queueJob({ command: nodeCommand('setTimeout(() => {}, 1500)'), heartbeatIntervalMs: 200 });
    const accepted = () => metricValue('cairn_runner_heartbeats_total', { runner: 'runner-heartbeats', answer: 'accepted' });

    await withRunner({ runnerId: 'runner-heartbeats' }, () => finished(job.jobId));

    const sent = jobs.reportsOf('heartbeat', job.jobId).length;
    expect(sent).toBeGreaterThanOrEqual(4);
    expect(await accepted()).toBe(sent);
  });

  it('serves only the queues named, leaving the other queues to runners that serve them', async () => {
    const onGpu = await queueJob({ command: nodeCommand("console.log('gpu work')"), machine: GPU_TURBO });
    const onCpu = await queueJob({ command: nodeCommand("console.log('cpu work')"), machine: CPU });

    await withRunner({ runnerId: 'runner-cpu-only', queues: [CPU] }, () => finished(onCpu.jobId));
    expect(jobs.claims.map((claim) => claim.jobId)).not.toContain(onGpu.jobId);
    const gpuQueue = await (await nc.jetstreamManager()).consumers.info(WORK_STREAM, workConsumerOf(GPU_TURBO));
    expect(gpuQueue.num_pending + gpuQueue.num_ack_pending).toBe(1);

    const end = await withRunner({ runnerId: 'runner-gpu-only', queues: [GPU_TURBO] }, () => finished(onGpu.jobId));
    expect(end).toMatchObject({ runnerId: 'runner-gpu-only', outcome: 'succeeded' });
  });

  it('fails the job as a system failure when an input cannot be staged, without running the command', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('ran')"), inputs: [{ fileId: 'no-such-file', path: 'raw/missing.txt' }] });

    const end = await withRunner({}, () => finished(job.jobId));

    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'system' } });
    expect(end.outcome === 'failed' && end.failure.reason).toMatch(/^staging the inputs failed: download of file no-such-file failed: 404/);
    expect(jobs.reportsOf('log', job.jobId)).toEqual([]);
  });

  it('fails the job as a system failure when an output cannot be uploaded', async () => {
    const job = await queueJob({ command: nodeCommand("require('fs').writeFileSync(process.argv[1] + '/result.txt', 'done')", '{{outputDir}}') });
    files.failUploads = true;
    try {
      const end = await withRunner({}, () => finished(job.jobId));
      expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'system' } });
      expect(end.outcome === 'failed' && end.failure.reason).toMatch(/^uploading the output result.txt failed: upload of processed\/.+\/result.txt failed: 500 the blob store is full/);
    } finally {
      files.failUploads = false;
    }
  });

  it('acknowledges a work item whose job is gone and runs nothing for it', async () => {
    const jobId = `gone-${Date.now()}`;
    await nc.jetstream().publish(workSubjectOf(CPU), JSON.stringify({ jobId, projectId: 'p-lysozyme' }), { msgID: jobId });

    await withRunner({}, () => waitUntil('the claim', async () => jobs.claims.some((claim) => claim.jobId === jobId)));

    const queue = await (await nc.jetstreamManager()).consumers.info(WORK_STREAM, workConsumerOf(CPU));
    expect(queue.num_pending + queue.num_ack_pending).toBe(0);
    expect(jobs.reports.filter((report) => report.body.jobId === jobId)).toEqual([]);
  });

  it('on stop takes no more work but lets the running job finish', async () => {
    const running = await queueJob({ command: nodeCommand("setTimeout(() => console.log('done'), 1000)") });
    let later: Assignment | undefined;
    await withRunner({}, async (runner) => {
      await waitUntil('the job runs', async () => runner.runningJobIds.includes(running.jobId), 20_000);
      const stopped = runner.stop();
      later = await queueJob({ command: nodeCommand("console.log('too late')") });
      await stopped;
      expect(jobs.finishedOf(running.jobId)).toMatchObject({ outcome: 'succeeded' });
    });
    expect(jobs.claims.map((claim) => claim.jobId)).not.toContain(later!.jobId);
    // Served by the next runner instead.
    expect((await withRunner({}, () => finished(later!.jobId))).outcome).toBe('succeeded');
  });

  it('on stop with a drain deadline hands back a job still running then: stopped, and reported as a system failure', async () => {
    const endless = await queueJob({ command: nodeCommand("console.log('integrating'); setInterval(() => {}, 1000)") });
    await withRunner({}, async (runner) => {
      await waitUntil('the job runs', async () => runner.runningJobIds.includes(endless.jobId), 20_000);
      await runner.stop({ handBackAfterMs: 500 });
      expect(runner.runningJobIds).toEqual([]);
      expect(jobs.finishedOf(endless.jobId)).toMatchObject({ outcome: 'failed', failure: { kind: 'system', reason: 'the runner was stopped before the command ended' } });
    });
  });

  it('stops a job the jobs service has ended behind its back and reports nothing more for it', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('working'); setInterval(() => {}, 1000)") });

    await withRunner({}, async (runner) => {
      await waitUntil('the command runs', async () => logText(job.jobId).includes('working'), 20_000);
      jobs.endBehindTheRunnersBack(job.jobId);
      await waitUntil('the runner lets go of the job', async () => !runner.runningJobIds.includes(job.jobId), 10_000);
    });
    expect(jobs.finishedOf(job.jobId)).toBeUndefined();
  });

  it('is refused its claims without a valid runner token, and the work item stays queued for a runner that has one', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('never')") });
    const forged = { runnerId: 'runner-forged', bearer: () => Promise.resolve('not-a-token') };

    await withRunner({ credentials: forged }, () => new Promise((resolve) => setTimeout(resolve, 1_000)));

    expect(jobs.claims.map((claim) => claim.jobId)).not.toContain(job.jobId);
    // A runner with a valid token takes it.
    expect((await withRunner({}, () => finished(job.jobId))).outcome).toBe('succeeded');
  });

  it('answers health and metrics requests: ready while it takes work, jobs ended by outcome', async () => {
    const job = await queueJob({ command: nodeCommand('process.exit(3)') });
    await withRunner({ runnerId: 'runner-health' }, async (runner) => {
      const health = await startHealthServer(runner, 0, '127.0.0.1');
      try {
        const url = `http://127.0.0.1:${boundPort(health)}`;
        expect(await (await fetch(`${url}/health/live`)).json()).toEqual({ status: 'ok', sandbox: 'bubblewrap' });
        expect(await (await fetch(`${url}/health/ready`)).json()).toEqual({ status: 'ok', runnerId: 'runner-health', sandbox: 'bubblewrap' });
        await finished(job.jobId);
        await waitUntil('the run is counted', async () => runner.endedJobs.failed === 1);
        const metrics = await (await fetch(`${url}/metrics`)).text();
        expect(metrics).toContain('cairn_runner_jobs_ended_total{runner="runner-health",ending="failed"} 1');
        expect(metrics).toContain('cairn_runner_jobs_running{runner="runner-health"} 0');
        void runner.stop();
        const stopping = await fetch(`${url}/health/ready`);
        expect(stopping.status).toBe(503);
        expect(stopping.headers.get('content-type')).toBe('application/problem+json');
        expect(await stopping.json()).toMatchObject({ detail: 'Not ready: claiming work', runnerId: 'runner-health' });
      } finally {
        health.close();
      }
    });
  });
});

describe('inputs in place: staged under their project paths', () => {
  it('gives the command inputs/raw/run1/img_0001.cbf and inputs/raw/run2/img_0001.cbf: equal names in different folders keep their folders', async () => {
    const first = files.put('p-lysozyme', 'raw/run1/img_0001.cbf', Buffer.from('frame of run 1'));
    const second = files.put('p-lysozyme', 'raw/run2/img_0001.cbf', Buffer.from('frame of run 2'));
    const job = await queueJob({
      command: nodeCommand(
        "const fs = require('fs'); const path = require('path'); for (const input of process.argv.slice(1)) console.log(path.relative(process.cwd(), input), fs.readFileSync(input, 'utf8'))",
        '{{inputs}}',
      ),
      inputs: [
        { fileId: first.id, path: first.path },
        { fileId: second.id, path: second.path },
      ],
    });
    expect(await withRunner({}, () => finished(job.jobId))).toMatchObject({ outcome: 'succeeded' });
    expect(logText(job.jobId)).toBe('inputs/raw/run1/img_0001.cbf frame of run 1\ninputs/raw/run2/img_0001.cbf frame of run 2\n');
  });
});

describe("the site's environment on the local backend (CAIRN_RUNNER_SITE), inside the sandbox", () => {
  let siteDir: string;
  let site: Site;

  beforeAll(() => {
    siteDir = mkdtempSync(join(tmpdir(), 'cairn-site-'));
    site = testSiteIn(siteDir);
  });
  afterAll(() => rmSync(siteDir, { recursive: true, force: true }));

  /** A runner on this site: its bin folders on PATH and its variables in the environment, under bubblewrap. */
  const onSite = <T>(siteOfRunner: Site, body: () => Promise<T>) =>
    withRunner({ runnerId: 'runner-on-site', site: siteOfRunner }, async () => body());
  const siteBackend = async (scratchDir: string, siteOfRunner: Site) =>
    new LocalBackend({
      scratchDir,
      binDirs: [await installDemoPrograms(join(scratchDir, 'bin')), ...siteOfRunner.binDirs],
      env: siteOfRunner.env,
      sandbox: { readOnly: [...demoProgramSources(), ...siteOfRunner.readOnly] },
      stopGraceMs: 1_000,
    });
  const report = "console.log(JSON.stringify({ loaded: process.env.LOADED, facility: process.env.FACILITY, userNamespace: require('fs').readlinkSync('/proc/self/ns/user') }))";

  it('runs the prologue, loads the modules in order and runs the command through the wrapper with its image, all in the sandbox', async () => {
    const job = await queueJob({ command: nodeCommand(report), environment: { modules: ['openbabel/3.1', 'dials'], image: 'dials-3.12' } });
    const scratchDir = mkdtempSync(join(tmpdir(), 'cairn-runner-test-'));
    try {
      const end = await withRunner({ runnerId: 'runner-on-site', site, backend: await siteBackend(scratchDir, site) }, () => finished(job.jobId));
      expect(end).toMatchObject({ outcome: 'succeeded' });
    } finally {
      rmSync(scratchDir, { recursive: true, force: true });
    }
    const [said, json] = logText(job.jobId).trim().split('\n');
    expect(said).toBe('in image /images/dials-3.12.sif');
    const seen = JSON.parse(json) as { loaded: string; facility: string; userNamespace: string };
    expect(seen).toMatchObject({ loaded: 'openbabel/3.1 dials', facility: 'beamline-7' });
    // bubblewrap gave it a user namespace of its own: the prologue and the wrapper ran inside the sandbox too.
    expect(seen.userNamespace).not.toBe(readlinkSync('/proc/self/ns/user'));
  });

  it('a job whose template needs a module or an image the site lacks fails as system, naming it, before anything is staged', async () => {
    const module = await queueJob({ command: nodeCommand(report), environment: { modules: ['dials', 'xds'] } });
    const image = await queueJob({ command: nodeCommand(report), environment: { image: 'phenix-1.21' } });
    const ends = await onSite(site, () => Promise.all([finished(module.jobId), finished(image.jobId)]));
    expect(ends[0]).toMatchObject({ outcome: 'failed', failure: { kind: 'system', reason: 'this runner cannot provide the module xds (it has dials, openbabel/3.1)' } });
    expect(ends[1]).toMatchObject({ outcome: 'failed', failure: { kind: 'system', reason: 'this runner cannot provide the image phenix-1.21 (it has dials-3.12)' } });
  });

  it("a prologue line that fails stops the command before it starts, and the log names the line", async () => {
    const job = await queueJob({ command: nodeCommand('console.log("ran")'), environment: { modules: ['dials'] } });
    const failing = { ...site, prologue: [MODULE_FUNCTION, 'module load missing-init-script >/dev/null && false'] };
    const end = await onSite(failing, () => finished(job.jobId));
    expect(end).toMatchObject({ outcome: 'failed', failure: { kind: 'executor', exitCode: 127 } });
    expect(logText(job.jobId)).toContain("cairn: the site's prologue failed at: module load missing-init-script >/dev/null && false");
    expect(logText(job.jobId)).not.toContain('ran');
  });
});
