import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from '@cairn/contracts';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { JetStreamEventStore } from './jetstream-event-store';

let server: NatsServerHandle;

beforeAll(async () => {
  server = await startNatsServer();
});

afterAll(async () => {
  await server?.stop();
});

const noted = (): NewEvent[] => [{ id: uuidv7(), type: 'tail.thing.noted.v1', data: {} }];
const append = async (store: JetStreamEventStore, context: string) =>
  (await store.append({ context, aggregate: 'thing', id: uuidv7() }, noted(), 'no-stream')).position;
const soon = () => Date.now() + 5_000;

describe('JetStreamLogTail (a store that follows its tail)', () => {
  let writer: JetStreamEventStore;
  let follower: JetStreamEventStore;
  let before: number;

  beforeAll(async () => {
    writer = await JetStreamEventStore.connect({ connection: server.connectionOptions() });
    before = await append(writer, 'tail');
    follower = await JetStreamEventStore.connect({ connection: server.connectionOptions(), followTail: true });
  });

  afterAll(async () => {
    await follower?.close();
    await writer?.close();
  });

  it('sees every event appended after it started, by category, in agreement with the server', async () => {
    const ours = await append(writer, 'tail');
    const theirs = await append(writer, 'other');
    const index = follower.index!;

    expect(await index.reach(theirs, soon())).toBe(true);
    expect(index.firstBetween(before, theirs, ['tail_thing'])).toBe(ours);
    expect(index.firstBetween(ours, theirs, ['tail_thing'])).toBeUndefined();
    expect(await follower.firstPositionAfter(ours, ['tail_thing'])).toBeUndefined();
    expect(index.firstBetween(before, theirs, ['other_thing'])).toBe(await follower.firstPositionAfter(before, ['other_thing']));
  });

  it('leaves what came before it started to the server', () => {
    expect(follower.index!.firstBetween(before - 1, before, ['tail_thing'])).toBeNull();
  });

  it('once stopped, waits for nothing more', async () => {
    const stopping = await JetStreamEventStore.connect({ connection: server.connectionOptions(), followTail: true });
    await stopping.close();

    expect(await stopping.index!.reach(stopping.index!.position + 1, soon())).toBe(false);
  });
});
