import { connect, type NatsConnection } from 'nats';
import { ALL_MACHINES, WORK_STREAM, workConsumerOf, workSubjectOf } from '@cairn/contracts';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { pullBatch } from './pull-batch';
import { ensureWorkQueues } from './work-queues';

jest.setTimeout(30_000);

let nats: NatsServerHandle;
let nc: NatsConnection;

beforeAll(async () => {
  nats = await startNatsServer();
  nc = await connect(nats.connectionOptions());
});

afterAll(async () => {
  await nc?.close();
  await nats?.stop();
});

describe('work queues', () => {
  it('are provisioned by whoever comes first, and a second or concurrent provisioning changes nothing', async () => {
    const jsm = await nc.jetstreamManager();
    await Promise.all([ensureWorkQueues(jsm, ALL_MACHINES), ensureWorkQueues(jsm, ALL_MACHINES.slice(0, 1))]);
    const before = await jsm.consumers.info(WORK_STREAM, workConsumerOf(ALL_MACHINES[0]));
    await ensureWorkQueues(jsm, ALL_MACHINES);

    expect((await jsm.streams.info(WORK_STREAM)).config.retention).toBe('workqueue');
    const consumers = [];
    for await (const page of jsm.consumers.list(WORK_STREAM)) consumers.push(page);
    expect(consumers.map((consumer) => consumer.name).sort()).toEqual(ALL_MACHINES.map(workConsumerOf).sort());
    expect((await jsm.consumers.info(WORK_STREAM, workConsumerOf(ALL_MACHINES[0]))).created).toEqual(before.created);
  });

  it('deliver a job queued twice under its id once, and only to the consumer of its machine', async () => {
    const jsm = await nc.jetstreamManager();
    await ensureWorkQueues(jsm, ALL_MACHINES);
    const js = nc.jetstream();
    const gpuTurbo = { type: 'gpu', performance: 'turbo' } as const;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      await js.publish(workSubjectOf(gpuTurbo), JSON.stringify({ jobId: 'j-1', projectId: 'p-1' }), { msgID: 'j-1' });
    }

    const cpu = await pullBatch(nc, { stream: WORK_STREAM, consumer: workConsumerOf({ type: 'cpu', performance: 'standard' }), batch: 5 });
    const gpu = await pullBatch(nc, { stream: WORK_STREAM, consumer: workConsumerOf(gpuTurbo), batch: 5, waitMs: 1_000 });
    expect(cpu.messages).toHaveLength(0);
    expect(gpu.messages.map((message) => message.json())).toEqual([{ jobId: 'j-1', projectId: 'p-1' }]);
    gpu.messages[0].ack();
  });
});
