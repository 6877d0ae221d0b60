import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { LOCAL_DEV_JWT_SECRET } from '@cairn/auth';
import { slurmUnavailableReason, startSlurmCluster, type SlurmClusterHandle } from '@cairn/testing';
import { startPlatform, type RunningPlatform } from '@cairn/local-platform';
import { figures } from '../latencies';
import { exitAtOnce, openBenchProject, type BenchProject } from './bench-project';

/**
 * Issue #13, point 4: JOBS jobs of a template that exits at once (`true`) submitted through Cairn (the
 * whole platform as separate processes, the runner with --backend slurm) to a private single-node
 * Slurm cluster, against the same number submitted with bare `sbatch` from a shell script, in the same
 * run and on the same cluster:
 * - submit → succeeded, per job: Cairn from `POST /api/projects/:id/jobs` sent to `jobs.job.succeeded.v1`
 *   on the bus; bare from the script's `sbatch` to the first `squeue` that shows it `COMPLETED`;
 * - jobs/s drained: all of them, from the first submission to the last end.
 * Both are watched at the same interval (POLL_MS: the runner's CAIRN_SLURM_POLL_MS, the script's
 * squeue), so neither gains from looking more often. The node declares CPUS CPUs on this machine's few
 * cores; every job asks for one CPU and 16 MB.
 */

const JOBS = Number(process.env.BENCH_SLURM_JOBS ?? 200);
const POLL_MS = 250;
const CPUS = 64;
const SUBMITTERS = 8;
const execute = promisify(execFile);

export async function run(): Promise<void> {
  const unavailable = slurmUnavailableReason();
  if (unavailable) {
    console.log(`jobs on Slurm: skipped, ${unavailable}`);
    return;
  }
  const cluster = await startSlurmCluster({ cpus: CPUS, minJobAge: 300 });
  const home = await mkdtemp(join(tmpdir(), 'cairn-bench-slurm-'));
  let platform: RunningPlatform | undefined;
  let bench: BenchProject | undefined;
  try {
    const version = (await execute('sbatch', ['--version'], { env: { ...process.env, ...cluster.env } })).stdout.trim();
    const bare = await bareSbatch(cluster);

    platform = await startPlatform({
      homeDir: home,
      edgePort: 0,
      env: { CAIRN_AUTH_MODE: 'dev', CAIRN_DEV_JWT_SECRET: LOCAL_DEV_JWT_SECRET },
      runner: {
        args: ['--backend', 'slurm', '--queues', 'cpu/standard'],
        env: {
          ...cluster.env,
          CAIRN_RUNNER_ID: 'runner-bench-slurm',
          CAIRN_SLURM_WORKDIR: cluster.sharedDir,
          CAIRN_SLURM_CPUS: 'cpu/standard=1',
          CAIRN_SLURM_MEMORY: 'cpu/standard=16M',
          CAIRN_SLURM_POLL_MS: String(POLL_MS),
          CAIRN_SLURM_MAX_SUBMITTED: String(JOBS),
        },
      },
    });
    bench = await openBenchProject(platform, exitAtOnce(['true']));
    const { submit, succeeded, ended } = bench;
    // One job warms every path (connections, compiled schemas, the first sbatch): it is not counted.
    await ended(await submit());

    const sentAt = new Map<string, number>();
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: SUBMITTERS }, async () => {
        while (next++ < JOBS) {
          const sent = performance.now();
          sentAt.set(await submit(), sent);
        }
      }),
    );
    await Promise.all([...sentAt.keys()].map(ended));
    const ours = [...sentAt].map(([jobId, sent]) => succeeded.get(jobId)! - sent);
    const oursSeconds = (Math.max(...[...sentAt.keys()].map((jobId) => succeeded.get(jobId)!)) - started) / 1000;

    console.log(
      `jobs on Slurm: ${JOBS} jobs of a template that exits at once, ${version} (private single-node cluster, ${CPUS} CPUs declared), ` +
        `whole platform as separate processes (nats-server, FerretDB v1.24.2 SQLite), states read every ${POLL_MS} ms by both`,
    );
    figures(`  submit → succeeded (${SUBMITTERS} submitting at once) vs bare sbatch → COMPLETED`, ours, bare.latencies);
    const oursRate = JOBS / oursSeconds;
    const bareRate = JOBS / bare.seconds;
    console.log(`  drained: ${oursRate.toFixed(1)} jobs/s through Cairn (${oursSeconds.toFixed(1)} s), ${bareRate.toFixed(1)} jobs/s bare sbatch (${bare.seconds.toFixed(1)} s); ours/raw ${(oursRate / bareRate).toFixed(2)}`);
  } finally {
    await bench?.close();
    await platform?.stop();
    await cluster.stop();
    await rm(home, { recursive: true, force: true });
  }
}

/**
 * The base: a shell script submits the jobs one `sbatch` after another and prints each job id with the
 * time it was submitted; the jobs are watched with `squeue` until every one is `COMPLETED`.
 */
async function bareSbatch(cluster: SlurmClusterHandle): Promise<{ latencies: number[]; seconds: number }> {
  const env = { ...process.env, ...cluster.env };
  const script = `for i in $(seq ${JOBS}); do sbatch --parsable --cpus-per-task=1 --mem=16M --output=/dev/null --wrap true; done`;
  await execute('sbatch', ['--parsable', '--wrap', 'true', '--output=/dev/null', '--mem=16M'], { env });
  const submittedAt = new Map<string, number>();
  const started = performance.now();
  const submitter = spawn('bash', ['-c', script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let pending = '';
  submitter.stdout.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop()!;
    for (const line of lines) if (line.trim() !== '') submittedAt.set(line.trim().split(';')[0], performance.now());
  });
  const submitted = new Promise<void>((resolve, reject) => submitter.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`the sbatch script exited ${code}`)))));
  const completedAt = new Map<string, number>();
  let scriptDone = false;
  void submitted.then(() => (scriptDone = true));
  while (!scriptDone || completedAt.size < submittedAt.size) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const { stdout } = await execute('squeue', ['--noheader', '--states=all', '--format=%i|%T'], { env, maxBuffer: 16 * 1024 * 1024 });
    const now = performance.now();
    for (const line of stdout.split('\n')) {
      const [slurmJobId, state] = line.trim().split('|');
      if (state === 'COMPLETED' && submittedAt.has(slurmJobId) && !completedAt.has(slurmJobId)) completedAt.set(slurmJobId, now);
    }
  }
  await submitted;
  return {
    latencies: [...submittedAt].map(([slurmJobId, at]) => completedAt.get(slurmJobId)! - at),
    seconds: (Math.max(...completedAt.values()) - started) / 1000,
  };
}
