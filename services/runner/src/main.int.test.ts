import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitUntil } from '@cairn/testing';
import { assignmentOf, startProtocolTestbed, type ProtocolTestbed } from '../test-support/testbed';

jest.setTimeout(90_000);

const SECRET = 'a-runner-process-secret-of-at-least-32-characters';
const REPO = join(__dirname, '../../..');

let testbed: ProtocolTestbed;

beforeAll(async () => {
  testbed = await startProtocolTestbed(SECRET);
});

afterAll(() => testbed?.stop());

/** `main.ts` as its own process, from source (as `node dist/services/runner/src/main.js` runs it built). */
async function startRunnerProcess(runnerId: string): Promise<{ child: ChildProcess; url: string; exited: Promise<number | null>; output: () => string }> {
  const port = await freePort();
  const scratch = mkdtempSync(join(tmpdir(), 'cairn-runner-process-'));
  let output = '';
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', 'services/runner/src/main.ts', '--queues', 'cpu/standard'], {
    cwd: REPO,
    env: {
      PATH: process.env.PATH,
      NATS_URL: testbed.nats.url,
      CAIRN_API_URL: testbed.files.url,
      CAIRN_AUTH_MODE: 'dev',
      CAIRN_DEV_JWT_SECRET: SECRET,
      CAIRN_RUNNER_ID: runnerId,
      CAIRN_RUNNER_SCRATCH: scratch,
      PORT: String(port),
      TS_NODE_PROJECT: 'tsconfig.json',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => {
    rmSync(scratch, { recursive: true, force: true });
    resolve(code);
  }));
  const url = `http://127.0.0.1:${port}`;
  await waitUntil(`the runner process (${output})`, async () => (await fetch(`${url}/health/ready`)).ok, 60_000);
  return { child, url, exited, output: () => output };
}

const queueJob = (jobId: string, script: string) => testbed.queue(assignmentOf(jobId, { command: ['node', '-e', script], timeLimitSeconds: 600, heartbeatIntervalMs: 500 }));

const logOf = (jobId: string) => testbed.jobs.reportsOf('log', jobId).map((chunk) => chunk.text).join('');

describe('the runner process', () => {
  it('on SIGTERM takes no more work, finishes the running job, and exits 0', async () => {
    const runner = await startRunnerProcess('runner-process-1');
    const job = await queueJob(`sigterm-${Date.now()}`, "console.log('started'); setTimeout(() => console.log('finished the integration'), 1500)");
    await waitUntil('the job runs', async () => logOf(job.jobId).includes('started'), 30_000);

    runner.child.kill('SIGTERM');
    await waitUntil('not ready any more', async () => (await fetch(`${runner.url}/health/ready`).then((response) => response.status, () => 503)) === 503);
    const later = await queueJob(`after-sigterm-${Date.now()}`, "console.log('too late')");

    expect(await runner.exited).toBe(0);
    expect(testbed.jobs.finishedOf(job.jobId)).toMatchObject({ outcome: 'succeeded' });
    expect(logOf(job.jobId)).toContain('finished the integration');
    expect(testbed.jobs.claims.map((claim) => claim.jobId)).not.toContain(later.jobId);
    expect(runner.output()).toContain('SIGTERM: taking no more work; finishing');
  });

  it('on the same signal twice stops the running command and reports a system failure', async () => {
    const runner = await startRunnerProcess('runner-process-2');
    const job = await queueJob(`twice-${Date.now()}`, "console.log('started'); setInterval(() => {}, 1000)");
    await waitUntil('the job runs', async () => logOf(job.jobId).includes('started'), 30_000);

    runner.child.kill('SIGTERM');
    await waitUntil('the first signal is taken', async () => runner.output().includes('SIGTERM: taking no more work'));
    runner.child.kill('SIGTERM');

    expect(await runner.exited).toBe(0);
    expect(testbed.jobs.finishedOf(job.jobId)).toMatchObject({ outcome: 'failed', failure: { kind: 'system', reason: 'the runner was stopped before the command ended' } });
  });
});
