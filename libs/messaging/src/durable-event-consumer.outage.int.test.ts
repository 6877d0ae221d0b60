import { connect, type NatsConnection } from 'nats';
import { JetStreamEventStore } from '@cairn/event-store';
import { startNatsServer, waitUntil, type NatsServerHandle } from '@cairn/testing';
import { deadLetterCount } from './dead-letter';
import { DurableEventConsumer } from './durable-event-consumer';

// A private nats-server, killed and restarted.
jest.setTimeout(60_000);

let nats: NatsServerHandle;
let store: JetStreamEventStore;
let nc: NatsConnection;
let consumer: DurableEventConsumer | undefined;

beforeAll(async () => {
  nats = await startNatsServer();
  store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  nc = await connect({ ...nats.connectionOptions(), maxReconnectAttempts: -1, reconnectTimeWait: 100 });
});

afterAll(async () => {
  await consumer?.stop();
  await nc?.close();
  await store?.close();
  await nats?.stop();
});

async function rename(name: string): Promise<number> {
  const project = { context: 'projects', aggregate: 'project', id: 'p-outage' };
  return (await store.append(project, [{ type: 'projects.project.updated.v1', data: { projectId: project.id, name, actor: 'u-alice' } }], 'any')).position;
}

describe('DurableEventConsumer while NATS is down', () => {
  it('takes pulls that get no answer for an outage, waits it out without reporting every try, and goes on where it was once NATS is back', async () => {
    const handled: string[] = [];
    const errors: string[] = [];
    const start = await rename('before');
    const running = await DurableEventConsumer.create({
      nc,
      name: 'nats_outage_spec',
      categories: ['projects_project'],
      handle: async (events) => void handled.push(...events.map((event) => (event.data as { name: string }).name)),
      maxDeliver: 2,
      backoffMs: [20],
      outageBackoffMs: [50, 100],
      ackWaitMs: 2_000,
      pinnedTtlMs: 2_000,
      longPollMs: 300,
      resumePosition: async () => start - 1,
      onError: (error) => errors.push(error.message),
    });
    consumer = running;
    running.start();
    await waitUntil('the first rename is settled', async () => handled.includes('before') && (await running.hasSettledThrough(start)));

    await nats.kill('SIGKILL');
    await waitUntil('the consumer is paused', async () => running.isPaused);
    await nats.restart();
    await waitUntil('JetStream answers again', async () => (await store.headPosition()) >= start);
    await rename('after');
    await waitUntil('the rename appended after the outage is handled', async () => handled.includes('after'));
    await running.stop();
    consumer = undefined;

    // At least once: JetStream writes a consumer's acknowledgements to disk a moment later, so a SIGKILL
    // may bring back what was handled just before it (handlers are idempotent). Nothing is skipped.
    expect([...new Set(handled)]).toEqual(['before', 'after']);
    expect(handled.filter((name) => name === 'after')).toHaveLength(1);
    expect(running.isPaused).toBe(false);
    // The outage itself is not reported try by try (after the restart, the server may have lost the
    // pin with the acknowledgement, and the consumer then reports starting over from its checkpoint)
    expect(errors.filter((message) => /TIMEOUT|no answer|DISCONNECT|handler failed/.test(message))).toEqual([]);
    expect(await deadLetterCount(await nc.jetstreamManager(), 'nats_outage_spec')).toBe(0);
    await running.delete();
  });
});
