import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { demoTemplates, dialsUnavailableReason, openBabelUnavailableReason, type SlurmClusterHandle, slurmUnavailableReason, startSlurmCluster } from '@cairn/testing';
import { startPlatform, type RunningPlatform } from '@cairn/local-platform';
import { CPU, facilityPrograms, GPU, openJobsSession, probeTemplate, type JobsSession } from './jobs-session';
import { requireBuild } from './local-platform';

const DEMO_TEMPLATES = demoTemplates();
const withoutOpenBabel = openBabelUnavailableReason();
const withoutDials = dialsUnavailableReason();
const skipped = (reason: string | undefined) => (reason ? ` (skipped: ${reason})` : '');

jest.setTimeout(120_000);

const unavailable = slurmUnavailableReason();
if (unavailable) console.warn(`The jobs-on-Slurm walkthrough is skipped: ${unavailable}`);
const describeWithSlurm = unavailable ? describe.skip : describe;

const TICKS = 12;
const PROBES = [
  probeTemplate('Exit Three', ['node', '-e', "console.error('cannot parse the input'); process.exit(3)"]),
  probeTemplate('Sleep', ['node', '-e', "console.log('sleeping'); setTimeout(() => {}, 120000)"]),
  // Slurm counts limits in whole minutes: one second asks for one minute.
  probeTemplate('Past Its Limit', ['node', '-e', "console.log('integrating forever'); setInterval(() => {}, 1000)"], { timeLimitSeconds: 1 }),
  probeTemplate('Tick', ['node', '-e', `let tick = 0; const timer = setInterval(() => { console.log('tick ' + ++tick); if (tick < ${TICKS}) return; clearInterval(timer); require('fs').writeFileSync(process.argv[1] + '/result.txt', 'survived'); }, 500)`, '--', '{{outputDir}}']),
  probeTemplate('Echo Arguments', ['node', '-e', "require('fs').writeFileSync(process.argv[1] + '/args.json', JSON.stringify(process.argv.slice(2)))", '--', '{{outputDir}}', '{{parameters.note}}', '--title={{parameters.title}}'], {
    parameters: { type: 'object', properties: { note: { type: 'string', default: '' }, title: { type: 'string', default: '' } } },
  }),
];

/**
 * Issue #13 end to end: the jobs walkthrough of the facility guide (docs/requirements.md F-14 to F-22) with the runner's slurm backend, every
 * service and the runner as their own processes behind the edge, on a private single-node Slurm cluster
 * (partition `cpu` for cpu/standard, `gpu-fast` for gpu/standard), over HTTP only. Needs the build.
 */
describeWithSlurm(`jobs end to end on Slurm${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cluster: SlurmClusterHandle;
  let platform: RunningPlatform;
  let session: JobsSession;
  /** Run first: Slurm enforces time limits in whole minutes, checked every 30 s, so it ends last. */
  let pastItsLimit: string;

  const runnerLog = () => readFileSync(platform.runner!.logFile, 'utf8');
  /** The Slurm job and partition the runner submitted a Cairn job to, from its log. */
  const submissionOf = (jobId: string) => {
    const [, slurmJobId, partition] = new RegExp(`job ${jobId}: submitted as Slurm job (\\d+) \\(([^,]+),`).exec(runnerLog()) ?? [];
    return { slurmJobId, partition };
  };
  const controllerLog = () => readFileSync(join(cluster.logDir, 'slurmctld.log'), 'utf8');
  const programs = facilityPrograms(() => session);
  const contentOf = async (fileId: string) => (await session.as(session.carol).get(`/api/projects/${session.project}/files/${fileId}/content`).expect(200)).body.toString();

  beforeAll(async () => {
    requireBuild();
    cluster = await startSlurmCluster({ partitions: [{ name: 'cpu', isDefault: true }, { name: 'gpu-fast' }], cpus: 8, minJobAge: 2 });
    platform = await startPlatform({
      homeDir: mkdtempSync(join(tmpdir(), 'cairn-e2e-slurm-')),
      edgePort: 0,
      env: {
        CAIRN_AUTH_MODE: 'dev',
        CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET,
        CAIRN_JOB_HEARTBEAT_INTERVAL_MS: '500',
        // Longer than the runner's restart in the SIGKILL specification takes.
        CAIRN_JOB_HEARTBEAT_TIMEOUT_MS: '20000',
      },
      runner: {
        args: ['--backend', 'slurm'],
        env: {
          ...cluster.env,
          CAIRN_RUNNER_ID: 'runner-e2e-slurm',
          CAIRN_SLURM_WORKDIR: cluster.sharedDir,
          CAIRN_SLURM_PARTITIONS: 'cpu/standard=cpu,gpu/standard=gpu-fast',
          CAIRN_SLURM_CPUS: 'cpu/standard=1,gpu/standard=1',
          CAIRN_SLURM_MEMORY: 'cpu/standard=256M,gpu/standard=256M',
          CAIRN_SLURM_POLL_MS: '250',
        },
      },
    });
    session = await openJobsSession(platform, [...DEMO_TEMPLATES, ...PROBES]);
    pastItsLimit = await session.run(session.carol, { template: 'Past Its Limit' });
  }, 240_000);
  afterAll(async () => {
    await platform?.stop();
    await cluster?.stop();
  }, 120_000);

  it('Steps 2-4 on Slurm: Carol\'s File Statistics runs on partition cpu, Bob\'s rerun on a GPU machine on gpu-fast; both succeed with real outputs and logs', async () => {
    const { as, carol, bob, project } = session;
    const carols = await session.run(carol, { template: 'File Statistics', parameters: { bins: 4 } });
    expect(await session.ended(carols, 60_000)).toMatchObject({ status: 'succeeded', triggeredBy: { username: 'carol' }, machine: CPU });

    const bobs = (await as(bob).post(`/api/jobs/${carols}/rerun`, { parameters: { bins: 16 }, machine: GPU }).expect(201)).body.id as string;
    const rerun = await session.ended(bobs, 60_000);
    expect(rerun).toMatchObject({ status: 'succeeded', rerunOf: carols, triggeredBy: { username: 'bob' }, machine: GPU, outputFolder: `processed/${bobs}/` });

    expect([submissionOf(carols).partition, submissionOf(bobs).partition]).toEqual(['cpu', 'gpu-fast']);
    expect(controllerLog()).toMatch(new RegExp(`Allocate JobId=${submissionOf(bobs).slurmJobId} NodeList=\\S+ #CPUs=1 Partition=gpu-fast`));
    for (const [jobId, bins] of [
      [carols, 4],
      [bobs, 16],
    ] as const) {
      const details = (await as(bob).get(`/api/jobs/${jobId}`).expect(200)).body;
      // What the command wrote, and the job's whole log, an output on Slurm as on the local backend.
      expect(details.outputs.map((output: { path: string }) => output.path).sort()).toEqual([`processed/${jobId}/job.log`, `processed/${jobId}/report.txt`, `processed/${jobId}/stats.json`]);
      const stats = JSON.parse(await contentOf(details.outputs.find((output: { path: string }) => output.path.endsWith('stats.json')).fileId));
      expect(stats).toMatchObject({ bins, files: [{ name: 'intensities.csv', lines: 3 }] });
      expect(await session.logText(jobId)).toContain('[1/1] intensities.csv: 3 lines');
      const folder = await as(carol).get(`/api/projects/${project}/files?folder=processed/${jobId}`).expect(200);
      // The outputs, and the job's whole log and its crate, which the runner leaves beside them when the job ends.
      expect(folder.body.items.map((file: { name: string }) => file.name)).toEqual(['job.log', 'report.txt', 'ro-crate-metadata.json', 'stats.json']);
    }
  });

  (withoutOpenBabel ? it.skip : it)(`Render Molecule on Slurm: Open Babel draws Carol's molecule on gpu-fast, an SVG and a PNG in processed/<job>/${skipped(withoutOpenBabel)}`, () => programs.renderMolecule(GPU));

  (withoutDials ? it.skip : it)(`DIALS on Slurm: dials.import, then dials.find_spots on Carol's CBF sweep; the .expt, the .refl and both DIALS logs in processed/<job>/${skipped(withoutDials)}`, () => programs.dials(CPU));

  it('"A job that exits 3 fails with executor", with the exit code and Slurm\'s state and reason', async () => {
    const jobId = await session.run(session.carol, { template: 'Exit Three' });
    const failed = await session.ended(jobId);
    expect(failed).toMatchObject({
      status: 'failed',
      failure: { kind: 'executor', exitCode: 3, reason: `the command exited with code 3 (Slurm job ${submissionOf(jobId).slurmJobId}: FAILED, NonZeroExitCode)` },
    });
    expect(failed.failure.lastLogLines).toContain('cannot parse the input');
  });

  it('"scancel through Cairn\'s cancel ends as cancelled"', async () => {
    const jobId = await session.run(session.carol, { template: 'Sleep' });
    await waitForLog(session, jobId, 'sleeping');

    expect((await session.as(session.carol).post(`/api/jobs/${jobId}/cancel`).expect(200)).body).toMatchObject({ status: 'cancelling' });

    expect(await session.ended(jobId)).toMatchObject({ status: 'cancelled' });
    expect(controllerLog()).toContain(`REQUEST_KILL_JOB JobId=${submissionOf(jobId).slurmJobId} uid`);
  });

  it('"Parameters containing $(...), quotes and newlines reach the command as literal strings"', async () => {
    const marker = join(cluster.sharedDir, 'pwned');
    const note = `$(touch ${marker}) \`touch ${marker}\`; touch ${marker}\n"double" 'single' '\\''`;
    const jobId = await session.run(session.carol, { template: 'Echo Arguments', parameters: { note, title: "it's $HOME" } });

    const done = await session.ended(jobId);
    expect(done.status).toBe('succeeded');
    expect(JSON.parse(await contentOf(done.outputs[0].fileId))).toEqual([note, "--title=it's $HOME"]);
    expect(existsSync(marker)).toBe(false);
  });

  it('"A runner SIGKILLed while its Slurm job runs is restarted, and the job still ends succeeded with its outputs"', async () => {
    const jobId = await session.run(session.carol, { template: 'Tick' });
    await waitForLog(session, jobId, 'tick 2');

    await platform.runner!.process.stop('SIGKILL');
    platform.runner!.process.start();

    const done = await session.ended(jobId, 60_000);
    expect(done).toMatchObject({ status: 'succeeded' });
    expect(done.outputs.map((output: { path: string }) => output.path)).toEqual([`processed/${jobId}/result.txt`, `processed/${jobId}/job.log`]);
    expect(await contentOf(done.outputs[0].fileId)).toBe('survived');
    expect(await session.logText(jobId)).toBe(Array.from({ length: TICKS }, (_unused, index) => `tick ${index + 1}\n`).join(''));
    expect(runnerLog()).toContain(`job ${jobId}: taken up again after a restart`);
  });

  it('"A job past its time limit fails as TIMEOUT"', async () => {
    const failed = await session.ended(pastItsLimit, 110_000);
    expect(failed).toMatchObject({
      status: 'failed',
      failure: { kind: 'executor', reason: `the command ran past its time limit and Slurm stopped it (Slurm job ${submissionOf(pastItsLimit).slurmJobId}: TIMEOUT, TimeLimit)` },
    });
  });
});

async function waitForLog(session: JobsSession, jobId: string, text: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!(await session.logText(jobId)).includes(text)) {
    if (Date.now() > deadline) throw new Error(`job ${jobId} never logged "${text}"`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}
