import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { slurmUnavailableReason, startSlurmCluster, type SlurmClusterHandle } from './slurm-cluster';
import { waitUntil } from './processes';

const run = promisify(execFile);
const unavailable = slurmUnavailableReason();
if (unavailable) console.warn(`Slurm cluster specification skipped: ${unavailable}`);
const describeWithSlurm = unavailable ? describe.skip : describe;

describeWithSlurm(`a private single-node Slurm cluster${unavailable ? ` (skipped: ${unavailable})` : ''}`, () => {
  let cluster: SlurmClusterHandle;
  const env = () => ({ ...process.env, ...cluster.env });
  const stateOf = async (jobId: string) => {
    const { stdout } = await run('scontrol', ['show', 'job', jobId], { env: env() });
    return { state: /JobState=(\S+)/.exec(stdout)?.[1], exitCode: /ExitCode=(\S+)/.exec(stdout)?.[1], partition: /Partition=(\S+)/.exec(stdout)?.[1] };
  };

  beforeAll(async () => {
    cluster = await startSlurmCluster({ partitions: [{ name: 'cpu', isDefault: true }, { name: 'gpu-fast' }], cpus: 8 });
  }, 60_000);
  afterAll(() => cluster?.stop());

  it('runs a batch job on its default partition and keeps its output and exit code', async () => {
    const out = join(cluster.sharedDir, 'out-%j.txt');
    const { stdout } = await run('sbatch', ['--parsable', `--output=${out}`, '--wrap', 'echo hello; exit 3'], { env: env() });
    const jobId = stdout.trim().split(';')[0];
    await waitUntil(`job ${jobId} to end`, async () => (await stateOf(jobId)).state === 'FAILED', 30_000);
    expect(await stateOf(jobId)).toEqual({ state: 'FAILED', exitCode: '3:0', partition: 'cpu' });
    expect(readFileSync(out.replace('%j', jobId), 'utf8')).toBe('hello\n');
  });

  it('schedules a job asking for a GPU on another partition', async () => {
    const { stdout } = await run('sbatch', ['--parsable', '--partition=gpu-fast', '--gres=gpu:1', '--output=/dev/null', '--wrap', 'true'], { env: env() });
    const jobId = stdout.trim().split(';')[0];
    await waitUntil(`job ${jobId} to complete`, async () => (await stateOf(jobId)).state === 'COMPLETED', 30_000);
    expect((await stateOf(jobId)).partition).toBe('gpu-fast');
  });

  it('runs as many one-CPU jobs at once as the node declares CPUs, more than the machine has', async () => {
    const jobIds: string[] = [];
    for (let index = 0; index < 8; index += 1) {
      const { stdout } = await run('sbatch', ['--parsable', '--cpus-per-task=1', '--output=/dev/null', '--wrap', 'sleep 5'], { env: env() });
      jobIds.push(stdout.trim().split(';')[0]);
    }
    await waitUntil('all eight running together', async () => {
      const { stdout } = await run('squeue', ['--noheader', '--states=RUNNING', `--jobs=${jobIds.join(',')}`, '--format=%i'], { env: env() });
      return stdout.trim().split('\n').filter(Boolean).length === 8;
    }, 20_000);
  });
});
