import { EventValidationError, type Decider, type DomainEvent } from '@cairn/contracts';
import { startNatsServer, type NatsServerHandle } from '@cairn/testing';
import { handleCommand } from './command-handler';
import { JetStreamEventStore } from './jetstream/jetstream-event-store';

type LabCreated = DomainEvent<'access.lab.created.v1', { lab: string; name: string; slug: string; actor: string }>;

/** A decider whose output the test controls, to see what handleCommand lets through. */
const echo: Decider<LabCreated[], number, LabCreated> = {
  initialState: () => 0,
  decide: (events) => events,
  evolve: (count) => count + 1,
};

describe('handleCommand', () => {
  let nats: NatsServerHandle;
  let store: JetStreamEventStore;
  const stream = { context: 'access', aggregate: 'lab', id: 'optics' };

  beforeAll(async () => {
    nats = await startNatsServer();
    store = await JetStreamEventStore.connect({ servers: nats.url });
  });
  afterAll(async () => {
    await store?.close();
    await nats?.stop();
  });

  it('appends what the decider decided and returns the position and the new state', async () => {
    const created: LabCreated = { type: 'access.lab.created.v1', data: { lab: 'optics', name: 'Optics', slug: 'optics', actor: 'u-a' } };
    const outcome = await handleCommand(store, stream, echo, [created], { actorid: 'u-a' });
    expect(outcome).toMatchObject({ state: 1, version: 0 });
    expect((await store.readStream(stream)).map((event) => [event.type, event.actorid])).toEqual([['access.lab.created.v1', 'u-a']]);
  });

  it('refuses to publish an event its schema rejects, and appends nothing', async () => {
    const malformed = { type: 'access.lab.created.v1', data: { lab: 'optics', name: '', slug: 'Not A Slug', actor: 'u-a' } } as LabCreated;
    await expect(handleCommand(store, stream, echo, [malformed])).rejects.toBeInstanceOf(EventValidationError);
    expect(await store.readStream(stream)).toHaveLength(1);
  });
});
