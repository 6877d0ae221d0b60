import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK_STREAM, workConsumerOf, type Assignment, type Machine } from '@cairn/contracts';
import { demoTemplate, dialsUnavailableReason, openBabelUnavailableReason, type SlurmClusterHandle, slurmUnavailableReason, startSlurmCluster, waitUntil } from '@cairn/testing';
import { startRunnerProcess } from '../../test-support/runner-process';
import { testSiteIn } from '../../test-support/test-site';
import { assignmentOf, dialsOnTheSweep, nodeCommand, shellBaitJob, startProtocolTestbed, type ProtocolTestbed } from '../../test-support/testbed';
import { SlurmBackend } from '../backends/slurm-backend';
import { SlurmCli } from '../backends/slurm-cli';
import { BARE_SITE, siteOf, type Site } from '../domain/site';
import { slurmSettingsFrom } from '../domain/slurm-settings';
import { installDemoPrograms } from '../templates/programs';
import { runnerCredentialsFrom } from './credentials';
import { Runner } from './runner';

const FILE_STATISTICS = demoTemplate('File Statistics');
const RENDER_MOLECULE = demoTemplate('Render Molecule');
const withoutOpenBabel = openBabelUnavailableReason();
const withoutDials = dialsUnavailableReason();

jest.setTimeout(120_000);

const unavailable = slurmUnavailableReason();
if (unavailable) console.warn(`The runner's Slurm specification is skipped: ${unavailable}`);
const describeWithSlurm = unavailable ? describe.skip : describe;

const SECRET = 'a-slurm-runner-test-secret-of-at-least-32-chars';
const SAMPLES = join(__dirname, '../../samples');
const CPU: Machine = { type: 'cpu', performance: 'standard' };
const CPU_TURBO: Machine = { type: 'cpu', performance: 'turbo' };
const GPU: Machine = { type: 'gpu', performance: 'standard' };
const GPU_TURBO: Machine = { type: 'gpu', performance: 'turbo' };

/** What a facility would set: cpu/standard on partition `cpu`, gpu/turbo on `gpu-fast`; small jobs, so many fit the one node. */
const SLURM_ENV = {
  CAIRN_SLURM_PARTITIONS: 'cpu/standard=cpu,cpu/turbo=cpu,gpu/standard=cpu,gpu/turbo=gpu-fast',
  CAIRN_SLURM_CPUS: 'cpu/standard=1,cpu/turbo=1,gpu/standard=7,gpu/turbo=1',
  CAIRN_SLURM_MEMORY: 'cpu/standard=128M,cpu/turbo=128M,gpu/standard=128M,gpu/turbo=128M',
  CAIRN_SLURM_GPUS: 'gpu/standard=1,gpu/turbo=1',
  CAIRN_SLURM_POLL_MS: '250',
};

describeWithSlurm(`the runner with the slurm backend, on a private Slurm cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cluster: SlurmClusterHandle;
  let testbed: ProtocolTestbed;
  /** Serves cpu/standard and gpu/turbo for most specifications. */
  let runner: Runner;
  const runnerLog: string[] = [];
  let jobCounter = 0;
  /** Queued first: Slurm enforces time limits in whole minutes, checked every 30 s, so it ends last. */
  let pastItsLimit: Assignment;

  const queueJob = (overrides: Partial<Assignment> & Pick<Assignment, 'command'>) => {
    jobCounter += 1;
    return testbed.queue(assignmentOf(`slurm-${jobCounter}-${Date.now()}`, { timeLimitSeconds: 600, ...overrides }));
  };
  const slurmJobIdOf = (jobId: string) => /submitted as Slurm job (\d+)/.exec(runnerLog.find((line) => line.startsWith(`job ${jobId}: submitted`)) ?? '')?.[1];
  const controllerLog = () => readFileSync(join(cluster.logDir, 'slurmctld.log'), 'utf8');
  // The outputs the command wrote; the job's log (an output too) and crate go beside them (as runner.int.test.ts specifies).
  const besideOutputs = (job: Assignment) => [`${job.outputFolder}job.log`, `${job.outputFolder}ro-crate-metadata.json`];
  const uploadsOf = (job: Assignment) => testbed.files.uploads.filter((upload) => upload.path.startsWith(job.outputFolder) && !besideOutputs(job).includes(upload.path));
  const jobFolderOf = (runnerId: string, jobId: string) => join(cluster.sharedDir, runnerId, 'jobs', jobId);

  async function startSlurmRunner(runnerId: string, queues: Machine[], env: NodeJS.ProcessEnv = {}, site: Site = BARE_SITE): Promise<Runner> {
    const settings = slurmSettingsFrom({ CAIRN_RUNNER_ID: runnerId, CAIRN_SLURM_WORKDIR: cluster.sharedDir, ...SLURM_ENV, ...env }, site.machines);
    const log = (line: string) => runnerLog.push(line);
    await testbed.nats.register({ kind: 'runner', id: runnerId });
    return Runner.start({
      nats: testbed.nats.connectionOptions({ kind: 'runner', id: runnerId }),
      apiUrl: testbed.files.url,
      credentials: runnerCredentialsFrom({ CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: SECRET, CAIRN_RUNNER_ID: runnerId }),
      backend: new SlurmBackend({
        settings,
        cli: new SlurmCli({ env: SlurmCli.environmentFrom({ ...process.env, ...cluster.env }) }),
        runnerId,
        // On the shared folder, where the node finds them; from their TypeScript source, as the tests run.
        binDirs: [await installDemoPrograms(join(cluster.sharedDir, runnerId, 'bin')), ...site.binDirs],
        env: site.env,
        log,
      }),
      site,
      queues,
      slots: settings.maxSubmitted,
      pollMs: 300,
      requestTimeoutMs: 2_000,
      log,
    });
  }

  beforeAll(async () => {
    [cluster, testbed] = await Promise.all([
      startSlurmCluster({ partitions: [{ name: 'cpu', isDefault: true }, { name: 'gpu-fast' }], cpus: 8, minJobAge: 2 }),
      startProtocolTestbed(SECRET),
    ]);
    runner = await startSlurmRunner('runner-slurm-1', [CPU, GPU_TURBO]);
    pastItsLimit = await queueJob({ command: nodeCommand("console.log('integrating forever'); setInterval(() => {}, 1000)"), timeLimitSeconds: 1 });
  }, 120_000);

  afterAll(async () => {
    await runner?.stop();
    await testbed?.stop();
    await cluster?.stop();
  });

  it("runs the site's prologue and the template's modules in the batch script, the command through the wrapper with its image; what the site lacks, or a prologue that fails, is a system failure", async () => {
    const site = testSiteIn(join(cluster.sharedDir, 'site'));
    const report = nodeCommand("console.log(JSON.stringify({ loaded: process.env.LOADED, facility: process.env.FACILITY }))");
    const onSite = await startSlurmRunner('runner-slurm-site', [CPU_TURBO], {}, site);
    const failing = await startSlurmRunner('runner-slurm-failing-prologue', [GPU], {}, { ...site, prologue: ['false'] });
    try {
      const [ran, lacking, stopped] = [
        await queueJob({ command: report, machine: CPU_TURBO, environment: { modules: ['openbabel/3.1', 'dials'], image: 'dials-3.12' } }),
        await queueJob({ command: report, machine: CPU_TURBO, environment: { modules: ['xds'] } }),
        await queueJob({ command: report, machine: GPU }),
      ];
      expect(await testbed.jobs.untilFinished(ran.jobId, 60_000)).toMatchObject({ outcome: 'succeeded' });
      const [said, json] = testbed.jobs.logText(ran.jobId).trim().split('\n');
      expect(said).toBe('in image /images/dials-3.12.sif');
      expect(JSON.parse(json)).toEqual({ loaded: 'openbabel/3.1 dials', facility: 'beamline-7' });
      expect(await testbed.jobs.untilFinished(lacking.jobId, 60_000)).toMatchObject({
        outcome: 'failed',
        failure: { kind: 'system', reason: 'this runner cannot provide the module xds (it has dials, openbabel/3.1)' },
      });
      expect(await testbed.jobs.untilFinished(stopped.jobId, 60_000)).toMatchObject({ outcome: 'failed', failure: { kind: 'system', reason: expect.stringContaining("the site's prologue failed at: false") } });
    } finally {
      await Promise.all([onSite.stop(), failing.stop()]);
    }
  });

  it("maps a machine type onto the Slurm options the site file gives it: the batch script carries them and scontrol reads partition, gres, CPUs, memory and time limit back", async () => {
    const site = siteOf({ machines: { 'gpu/standard': { partition: 'gpu-fast', gres: 'gpu:1', cpusPerTask: 2, memory: '256M', timeLimit: '7m' } } }, 'the test site');
    const mapped = await startSlurmRunner('runner-slurm-mapped', [GPU], {}, site);
    try {
      const job = await queueJob({ command: nodeCommand('setTimeout(() => console.log("done"), 4000)'), machine: GPU, timeLimitSeconds: 3600 });
      await waitUntil(`job ${job.jobId} submitted`, async () => slurmJobIdOf(job.jobId) !== undefined, 30_000);
      const shown = execFileSync('scontrol', ['--oneliner', 'show', 'job', slurmJobIdOf(job.jobId)!], { env: { ...process.env, ...cluster.env }, encoding: 'utf8' });
      expect(shown).toContain('Partition=gpu-fast');
      expect(shown).toMatch(/TresPerNode=(gres:)?gpu:1\b/);
      expect(shown).toContain('CPUs/Task=2');
      expect(shown).toContain('MinMemoryNode=256M');
      // The job's own hour is cut to the machine type's longest, 7 minutes.
      expect(shown).toContain('TimeLimit=00:07:00');
      // It announced the types its site file maps, so templates for them can be registered.
      expect(testbed.jobs.announced.get('runner-slurm-mapped')).toEqual(['gpu/standard']);
      const script = readFileSync(join(jobFolderOf('runner-slurm-mapped', job.jobId), 'cairn-runner', 'job.sh'), 'utf8');
      expect(script).toContain('#SBATCH --cpus-per-task=2\n#SBATCH --mem=256M\n#SBATCH --time=7\n#SBATCH --partition=gpu-fast\n#SBATCH --gres=gpu:1\n');
      expect(await testbed.jobs.untilFinished(job.jobId, 60_000)).toMatchObject({ outcome: 'succeeded' });
    } finally {
      await mapped.stop();
    }
  });

  it('runs File Statistics as a batch job on the partition of its machine type: inputs staged in the shared folder, output followed as log chunks, outputs uploaded, succeeded', async () => {
    const csv = testbed.files.put('p-lysozyme', 'raw/run-1/measurements.csv', readFileSync(join(SAMPLES, 'measurements.csv')));
    const job = await queueJob({
      template: { name: FILE_STATISTICS.name, version: FILE_STATISTICS.version },
      command: FILE_STATISTICS.command,
      parameters: { bins: 8, title: 'Lysozyme on Slurm' },
      inputs: [{ fileId: csv.id, path: csv.path }],
    });

    const end = await testbed.jobs.untilFinished(job.jobId, 60_000);

    expect(end).toEqual({ jobId: job.jobId, runnerId: 'runner-slurm-1', outcome: 'succeeded', exitCode: 0 });
    expect(uploadsOf(job).map((upload) => upload.path)).toEqual([`${job.outputFolder}report.txt`, `${job.outputFolder}stats.json`]);
    expect(JSON.parse(uploadsOf(job)[1].bytes.toString('utf8'))).toMatchObject({ title: 'Lysozyme on Slurm', bins: 8 });
    expect(testbed.jobs.logText(job.jobId)).toContain('[1/1] measurements.csv: 5 lines, 156 bytes');
    // As on the local backend, the job's whole log is reported as an output beside those the command wrote.
    const log = testbed.files.uploads.find((upload) => upload.path === `${job.outputFolder}job.log`)!;
    expect(log.bytes.toString('utf8')).toBe(testbed.jobs.logText(job.jobId));
    expect(testbed.jobs.reportsOf('output', job.jobId).map((output) => output.path)).toEqual([`${job.outputFolder}report.txt`, `${job.outputFolder}stats.json`, `${job.outputFolder}job.log`]);
    expect(controllerLog()).toMatch(new RegExp(`Allocate JobId=${slurmJobIdOf(job.jobId)} NodeList=\\S+ #CPUs=1 Partition=cpu`));
    // The folder is released after the end is reported, so it goes a moment after the job ends.
    await waitUntil(`job ${job.jobId}'s folder released`, async () => !existsSync(jobFolderOf('runner-slurm-1', job.jobId)), 10_000);
  });

  (withoutOpenBabel ? it.skip : it)(`runs Render Molecule (Open Babel) on gpu/turbo on the partition that type maps to, with a GPU${withoutOpenBabel ? ` (skipped: ${withoutOpenBabel})` : ''}`, async () => {
    const caffeine = testbed.files.put('p-lysozyme', 'raw/caffeine.xyz', readFileSync(join(SAMPLES, 'caffeine.xyz')));
    const job = await queueJob({
      template: { name: RENDER_MOLECULE.name, version: RENDER_MOLECULE.version },
      command: RENDER_MOLECULE.command,
      parameters: { style: 'cartoon', view: 'front', width: 400 },
      inputs: [{ fileId: caffeine.id, path: caffeine.path }],
      machine: GPU_TURBO,
    });
    const gpuCheck = await queueJob({ command: nodeCommand("console.log(process.env.SLURM_JOB_PARTITION, 'gpus', process.env.SLURM_GPUS_ON_NODE)"), machine: GPU_TURBO });

    expect(await testbed.jobs.untilFinished(job.jobId, 60_000)).toMatchObject({ outcome: 'succeeded' });
    expect(uploadsOf(job).map((upload) => upload.path)).toEqual([`${job.outputFolder}caffeine.png`, `${job.outputFolder}caffeine.svg`]);
    expect(uploadsOf(job)[1].bytes.toString('utf8')).toContain('width="400px"');
    expect(controllerLog()).toMatch(new RegExp(`Allocate JobId=${slurmJobIdOf(job.jobId)} NodeList=\\S+ #CPUs=1 Partition=gpu-fast`));
    expect(await testbed.jobs.untilFinished(gpuCheck.jobId)).toMatchObject({ outcome: 'succeeded' });
    expect(testbed.jobs.logText(gpuCheck.jobId)).toBe('gpu-fast gpus 1\n');
  });

  (withoutDials ? it.skip : it)(`runs DIALS as a batch job: dials.import, then dials.find_spots on the CBF sweep staged in the shared folder${withoutDials ? ` (skipped: ${withoutDials})` : ''}`, async () => {
    const job = await queueJob({ ...dialsOnTheSweep(testbed.files), timeLimitSeconds: 600 });

    expect(await testbed.jobs.untilFinished(job.jobId, 180_000)).toMatchObject({ outcome: 'succeeded' });
    expect(uploadsOf(job).map((upload) => upload.path.slice(job.outputFolder.length))).toEqual(['dials.find_spots.log', 'dials.import.log', 'imported.expt', 'strong.refl']);
    expect(testbed.jobs.logText(job.jobId)).toMatch(/Saved \d+ reflections to .*strong\.refl/);
  }, 240_000);

  it('fails a job that exits 3 as the executor\'s, with the exit code, Slurm\'s state and reason, and the last log lines', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('indexing 1200 spots'); console.error('no lattice fits the spots'); process.exit(3)") });

    const end = await testbed.jobs.untilFinished(job.jobId);

    expect(end).toEqual({
      jobId: job.jobId,
      runnerId: 'runner-slurm-1',
      outcome: 'failed',
      failure: {
        kind: 'executor',
        exitCode: 3,
        reason: `the command exited with code 3 (Slurm job ${slurmJobIdOf(job.jobId)}: FAILED, NonZeroExitCode)`,
        lastLogLines: ['indexing 1200 spots', 'no lattice fits the spots'],
      },
    });
  });

  it("keeps the job's folder its owner's alone on the shared file system, whatever the umask: folders 0700, files 0600", async () => {
    const input = testbed.files.put('p-lysozyme', 'raw/private.csv', Buffer.from('a,b\n1,2\n'));
    const job = await queueJob({
      command: ['sh', '-c', 'echo done > "$1/result.txt"; find "$2" -exec stat -c "%a %F %n" {} +', 'sh', '{{outputDir}}', '{{workDir}}'],
      inputs: [{ fileId: input.id, path: input.path }],
    });
    const umask = process.umask(0);
    let end;
    try {
      end = await testbed.jobs.untilFinished(job.jobId, 60_000);
    } finally {
      process.umask(umask);
    }

    expect(end.outcome).toBe('succeeded');
    const entries = testbed.jobs.logText(job.jobId).trim().split('\n').map((line) => /^(\d+) (directory|regular (?:empty )?file) (.+)$/.exec(line)!);
    expect(entries.map((entry) => entry[3])).toEqual(expect.arrayContaining([jobFolderOf('runner-slurm-1', job.jobId), expect.stringMatching(/inputs\/raw\/private\.csv$/), expect.stringMatching(/out\/result\.txt$/), expect.stringMatching(/cairn-runner\/job\.sh$/), expect.stringMatching(/cairn-runner\/stdout\.log$/), expect.stringMatching(/cairn-runner\/assignment\.json$/)]));
    expect(entries.filter((entry) => entry[2] === 'directory').map((entry) => `${entry[1]} ${entry[3]}`)).toEqual(entries.filter((entry) => entry[2] === 'directory').map((entry) => `700 ${entry[3]}`));
    expect(entries.filter((entry) => entry[2] !== 'directory').map((entry) => `${entry[1]} ${entry[3]}`)).toEqual(entries.filter((entry) => entry[2] !== 'directory').map((entry) => `600 ${entry[3]}`));
  });

  it('hands parameters holding $(...), quotes and newlines to the command as literal arguments through the batch script', async () => {
    const marker = join(cluster.sharedDir, 'pwned');
    const bait = shellBaitJob(marker);
    const job = await queueJob({ command: bait.command, parameters: bait.parameters });

    expect((await testbed.jobs.untilFinished(job.jobId)).outcome).toBe('succeeded');
    const [args] = uploadsOf(job);
    expect(JSON.parse(args.bytes.toString('utf8'))).toEqual(bait.argumentsReceived);
    expect(existsSync(marker)).toBe(false);
  });

  it('fails a job whose program is not on the node as a system failure: the command never started', async () => {
    const job = await queueJob({ command: ['cairn-no-such-program', 'indexed.refl'] });

    expect(await testbed.jobs.untilFinished(job.jobId)).toMatchObject({
      outcome: 'failed',
      failure: { kind: 'system', reason: 'the command could not be started: "cairn-no-such-program" is not an executable on the node\'s PATH' },
    });
  });

  it('cancels with scancel when Cairn asks, and reports cancelled once Slurm says CANCELLED', async () => {
    const job = await queueJob({ command: nodeCommand("console.log('refining'); setInterval(() => {}, 1000)") });
    await waitUntil('the command runs', async () => testbed.jobs.logText(job.jobId).includes('refining'), 60_000);

    testbed.jobs.requestCancel(job.jobId);

    expect(await testbed.jobs.untilFinished(job.jobId)).toEqual({ jobId: job.jobId, runnerId: 'runner-slurm-1', outcome: 'cancelled' });
    expect(controllerLog()).toContain(`REQUEST_KILL_JOB JobId=${slurmJobIdOf(job.jobId)} uid`);
  });

  it('keeps at most CAIRN_SLURM_MAX_SUBMITTED jobs in Slurm and leaves the rest queued in JetStream; a job waiting for resources says so', async () => {
    // Each takes seven of the node's eight CPUs (the job past its limit holds one): one runs, one waits in Slurm's queue, the rest in the work queue.
    const manyRunner = await startSlurmRunner('runner-slurm-many', [GPU], { CAIRN_SLURM_MAX_SUBMITTED: '2' });
    try {
      const many = await Promise.all(Array.from({ length: 5 }, () => queueJob({ command: nodeCommand("setTimeout(() => console.log('done'), 1500)"), machine: GPU })));
      const cli = new SlurmCli({ env: SlurmCli.environmentFrom({ ...process.env, ...cluster.env }) });
      const names = many.map((job) => `cairn-${job.jobId}`);
      let mostInSlurm = 0;
      let mostWaitingInJetStream = 0;
      await waitUntil(
        'all five end',
        async () => {
          mostInSlurm = Math.max(mostInSlurm, (await cli.named(names)).filter((entry) => !['COMPLETED', 'FAILED', 'CANCELLED'].includes(entry.state)).length);
          const queue = await (await testbed.nc.jetstreamManager()).consumers.info(WORK_STREAM, workConsumerOf(GPU));
          mostWaitingInJetStream = Math.max(mostWaitingInJetStream, queue.num_pending);
          return many.every((job) => testbed.jobs.finishedOf(job.jobId) !== undefined);
        },
        90_000,
      );
      expect(many.map((job) => testbed.jobs.finishedOf(job.jobId)?.outcome)).toEqual(Array(5).fill('succeeded'));
      expect(mostInSlurm).toBe(2);
      expect(mostWaitingInJetStream).toBeGreaterThanOrEqual(2);
      const waited = many.flatMap((job) => testbed.jobs.reportsOf('progress', job.jobId)).map((progress) => progress.message ?? '');
      expect(waited).toContainEqual(expect.stringMatching(/^waiting in Slurm's queue: job \d+ on partition cpu \((Resources|Priority)\)$/));
    } finally {
      await manyRunner.stop();
    }
  });

  it('goes on following its Slurm job after the runner is SIGKILLed and restarted: the job succeeds with its outputs, every line of its log once', async () => {
    const script = [
      "console.log('started');",
      'let tick = 0;',
      'const timer = setInterval(() => {',
      '  tick += 1;',
      '  console.log(`tick ${tick}`);',
      '  if (tick < 16) return;',
      '  clearInterval(timer);',
      "  require('fs').writeFileSync(process.argv[1] + '/result.txt', 'survived');",
      "  console.log('done');",
      '}, 500);',
    ].join('\n');
    const job = await queueJob({ command: nodeCommand(script, '{{outputDir}}'), machine: CPU_TURBO });
    const processEnv = { ...cluster.env, CAIRN_SLURM_WORKDIR: cluster.sharedDir, ...SLURM_ENV };
    const start = () => startRunnerProcess(testbed, { runnerId: 'runner-slurm-process', secret: SECRET, args: ['--backend', 'slurm', '--queues', 'cpu/turbo'], env: processEnv });

    const first = await start();
    await waitUntil('the job runs', async () => testbed.jobs.logText(job.jobId).includes('tick 2'), 60_000);
    first.process.signal('SIGKILL');
    await first.exited;
    expect(testbed.jobs.finishedOf(job.jobId)).toBeUndefined();

    const second = await start();
    try {
      expect(await testbed.jobs.untilFinished(job.jobId, 60_000)).toEqual({ jobId: job.jobId, runnerId: 'runner-slurm-process', outcome: 'succeeded', exitCode: 0 });
      expect(second.output()).toContain(`job ${job.jobId}: taken up again after a restart`);
      expect(uploadsOf(job).map((upload) => [upload.path, upload.bytes.toString('utf8')])).toEqual([[`${job.outputFolder}result.txt`, 'survived']]);
      const lines = ['started', ...Array.from({ length: 16 }, (_unused, index) => `tick ${index + 1}`), 'done'];
      expect(testbed.jobs.logText(job.jobId)).toBe(`${lines.join('\n')}\n`);
      const seqs = testbed.jobs.reportsOf('log', job.jobId).map((chunk) => chunk.seq);
      expect(seqs).toEqual(seqs.map((_seq, index) => index + 1));
    } finally {
      second.process.signal('SIGTERM');
      await second.exited;
    }
  });

  it('misses no end: a job that ended while no runner followed it, until Slurm forgot it, ends with the exit status its script left', async () => {
    const job = await queueJob({ command: nodeCommand("require('fs').writeFileSync(process.argv[1] + '/late.txt', 'unseen'); setTimeout(() => process.exit(0), 1500)", '{{outputDir}}'), machine: CPU_TURBO });
    const lost = await startRunnerProcess(testbed, {
      runnerId: 'runner-slurm-forgotten',
      secret: SECRET,
      args: ['--backend', 'slurm', '--queues', 'cpu/turbo'],
      env: { ...cluster.env, CAIRN_SLURM_WORKDIR: cluster.sharedDir, ...SLURM_ENV },
    });
    const cli = new SlurmCli({ env: SlurmCli.environmentFrom({ ...process.env, ...cluster.env }) });
    await waitUntil('the job is in Slurm', async () => (await cli.named([`cairn-${job.jobId}`])).length > 0, 60_000);
    lost.process.signal('SIGKILL');
    await lost.exited;
    await waitUntil('Slurm has forgotten the ended job', async () => (await cli.named([`cairn-${job.jobId}`])).length === 0, 60_000);

    const restarted = await startSlurmRunner('runner-slurm-forgotten', [CPU_TURBO]);
    try {
      expect(await testbed.jobs.untilFinished(job.jobId)).toMatchObject({ outcome: 'succeeded' });
      expect(uploadsOf(job).map((upload) => upload.bytes.toString('utf8'))).toEqual(['unseen']);
    } finally {
      await restarted.stop();
    }
  });

  it('fails a job past its time limit as the executor\'s when Slurm ends it TIMEOUT', async () => {
    const end = await testbed.jobs.untilFinished(pastItsLimit.jobId, 110_000);

    expect(end).toMatchObject({
      outcome: 'failed',
      failure: {
        kind: 'executor',
        reason: `the command ran past its time limit and Slurm stopped it (Slurm job ${slurmJobIdOf(pastItsLimit.jobId)}: TIMEOUT, TimeLimit)`,
        lastLogLines: ['integrating forever', expect.stringMatching(/^slurmstepd-\S+: error: \*\*\* JOB \d+ ON \S+ CANCELLED AT \S+ DUE TO TIME LIMIT \*\*\*$/)],
      },
    });
  });
});
