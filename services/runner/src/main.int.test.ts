import { waitUntil } from '@cairn/testing';
import { startRunnerProcess } from '../test-support/runner-process';
import { assignmentOf, startProtocolTestbed, type ProtocolTestbed } from '../test-support/testbed';

jest.setTimeout(90_000);

const SECRET = 'a-runner-process-secret-of-at-least-32-characters';

let testbed: ProtocolTestbed;

beforeAll(async () => {
  testbed = await startProtocolTestbed(SECRET);
});

afterAll(() => testbed?.stop());

const startRunner = (runnerId: string) => startRunnerProcess(testbed, { runnerId, secret: SECRET, args: ['--queues', 'cpu/standard'] });

const queueJob = (jobId: string, script: string) => testbed.queue(assignmentOf(jobId, { command: ['node', '-e', script], timeLimitSeconds: 600, heartbeatIntervalMs: 500 }));

const logOf = (jobId: string) => testbed.jobs.logText(jobId);

describe('the runner process', () => {
  it('on SIGTERM takes no more work, finishes the running job, and exits 0', async () => {
    const runner = await startRunner('runner-process-1');
    const job = await queueJob(`sigterm-${Date.now()}`, "console.log('started'); setTimeout(() => console.log('finished the integration'), 1500)");
    await waitUntil('the job runs', async () => logOf(job.jobId).includes('started'), 30_000);

    runner.process.signal('SIGTERM');
    await waitUntil('not ready any more', async () => (await fetch(`${runner.url}/health/ready`).then((response) => response.status, () => 503)) === 503);
    const later = await queueJob(`after-sigterm-${Date.now()}`, "console.log('too late')");

    expect(await runner.exited).toBe(0);
    expect(testbed.jobs.finishedOf(job.jobId)).toMatchObject({ outcome: 'succeeded' });
    expect(logOf(job.jobId)).toContain('finished the integration');
    expect(testbed.jobs.claims.map((claim) => claim.jobId)).not.toContain(later.jobId);
    expect(runner.output()).toContain('SIGTERM: taking no more work; finishing');
  });

  it('on the same signal twice stops the running command and reports a system failure', async () => {
    const runner = await startRunner('runner-process-2');
    const job = await queueJob(`twice-${Date.now()}`, "console.log('started'); setInterval(() => {}, 1000)");
    await waitUntil('the job runs', async () => logOf(job.jobId).includes('started'), 30_000);

    runner.process.signal('SIGTERM');
    await waitUntil('the first signal is taken', async () => runner.output().includes('SIGTERM: taking no more work'));
    runner.process.signal('SIGTERM');

    expect(await runner.exited).toBe(0);
    expect(testbed.jobs.finishedOf(job.jobId)).toMatchObject({ outcome: 'failed', failure: { kind: 'system', reason: 'the runner was stopped before the command ended' } });
  });
});
