import { v7 as uuidv7 } from 'uuid';
import type { NewEvent, StreamName } from '@cairn/contracts';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { describeEventStoreContract, eventually } from '../contract/event-store.contract';
import { WrongExpectedVersionError } from '../port';
import { JetStreamEventStore } from './jetstream-event-store';

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
});

describeEventStoreContract('JetStream', () => JetStreamEventStore.connect({ connection: server.connectionOptions() }));

describe('JetStream event store retries', () => {
  let store: JetStreamEventStore;
  let otherProcess: JetStreamEventStore;

  beforeAll(async () => {
    store = await JetStreamEventStore.connect({ connection: server.connectionOptions() });
    otherProcess = await JetStreamEventStore.connect({ connection: server.connectionOptions() });
  });

  afterAll(async () => {
    await store?.close();
    await otherProcess?.close();
  });

  const commitOf = (...labels: string[]): NewEvent[] =>
    labels.map((label) => ({ id: uuidv7(), type: 'retry.thing.noted.v1', data: { label } }));

  it('returns the first result when an append with any is retried after it was stored', async () => {
    const stream = { context: 'retry', aggregate: 'thing', id: uuidv7() };
    const batch = commitOf('a', 'b');
    const single = commitOf('c');

    const firstBatch = await store.append(stream, batch, 'any');
    const firstSingle = await store.append(stream, single, 'any');

    expect(await store.append(stream, batch, 'any')).toEqual(firstBatch);
    expect(await store.append(stream, single, 'any')).toEqual(firstSingle);
    expect((await store.readStream(stream)).map((event) => event.id)).toEqual([...batch, ...single].map((e) => e.id));
  });

  it('recognises its own stored events when the acknowledgement was lost and its view of the stream is stale', async () => {
    const stream = { context: 'retry', aggregate: 'thing', id: uuidv7() };
    await store.append(stream, commitOf('v0'), 'no-stream');
    const lostAcknowledgement = commitOf('v1', 'v2');
    // Another instance stores the commit, as if this one's acknowledgement had been lost on the way.
    const stored = await otherProcess.append(stream, lostAcknowledgement, 0);

    expect(await store.append(stream, lostAcknowledgement, 0)).toEqual(stored);
    await expect(store.append(stream, commitOf('late'), 0)).rejects.toMatchObject({ expected: 0, actual: 2 });
  });
});

describe('JetStream event store when nats-server is killed mid-append', () => {
  let crashing: NatsServerHandle;
  let store: JetStreamEventStore;

  beforeAll(async () => {
    crashing = await startNatsServer();
    store = await JetStreamEventStore.connect({ connection: crashing.connectionOptions() });
  });

  afterAll(async () => {
    await store?.close();
    await crashing?.stop();
  });

  it('loses no acknowledged append and stores none twice', async () => {
    const writers = 6;
    const commitsPerWriter = 40;
    const acknowledged = new Map<string, string[]>();
    let acknowledgedCommits = 0;

    // Each writer owns a stream and retries a failed commit with the same ids and expected version
    // until it is acknowledged, as a command handler behind an idempotent API would.
    const write = async (writer: number) => {
      const stream: StreamName = { context: 'crash', aggregate: 'writer', id: `w${writer}` };
      const ids: string[] = [];
      acknowledged.set(stream.id, ids);
      const commitSize = writer % 2 === 0 ? 1 : 3;
      let expected: number | 'no-stream' = 'no-stream';
      for (let commit = 0; commit < commitsPerWriter; commit++) {
        const events: NewEvent[] = Array.from({ length: commitSize }, (_, index) => ({
          id: uuidv7(),
          type: 'crash.writer.wrote.v1',
          data: { commit, index },
        }));
        expected = (await appendUntilAcknowledged(store, stream, events, expected)).nextVersion;
        ids.push(...events.map((event) => event.id as string));
        acknowledgedCommits++;
      }
    };
    const writing = Promise.all(Array.from({ length: writers }, (_, writer) => write(writer)));

    await eventually(() => acknowledgedCommits >= 60, 'appends before the crash');
    await crashing.kill('SIGKILL');
    const acknowledgedBeforeCrash = acknowledgedCommits;
    await crashing.restart();
    await writing;

    expect(acknowledgedBeforeCrash).toBeLessThan(writers * commitsPerWriter);
    for (const [id, ids] of acknowledged) {
      const stored = await store.readStream({ context: 'crash', aggregate: 'writer', id });
      expect(stored.map((event) => event.id)).toEqual(ids);
      expect(stored.map((event) => event.streamversion)).toEqual([...ids.keys()]);
    }
  }, 60_000);
});

async function appendUntilAcknowledged(
  store: JetStreamEventStore,
  stream: StreamName,
  events: NewEvent[],
  expected: number | 'no-stream',
) {
  for (;;) {
    try {
      return await store.append(stream, events, expected);
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
