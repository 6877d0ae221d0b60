import { connect, type NatsConnection } from 'nats';
import type { CairnEvent } from '@cairn/contracts';
import { JetStreamEventStore } from '@cairn/event-store';
import { startNatsServer, waitUntil, type NatsServerHandle } from '@cairn/testing';
import { EventRelay, RELAY_CHECKPOINT_BUCKET, type RelayCheckpoint } from './event-relay';

/**
 * The relay between two real servers: the "source" plays EventStoreDB (a JetStream store on its own
 * server, stream SOURCE), the "target" is the bus the consumers read (CAIRN_EVENTS).
 */
// The int project's testTimeout is not applied per project; servers on a shared machine need more than 5 s.
jest.setTimeout(30_000);

let sourceServer: NatsServerHandle;
let targetServer: NatsServerHandle;
let source: JetStreamEventStore;
let target: JetStreamEventStore;
let targetNc: NatsConnection;

beforeAll(async () => {
  [sourceServer, targetServer] = await Promise.all([startNatsServer(), startNatsServer()]);
  source = await JetStreamEventStore.connect({ connection: sourceServer.connectionOptions(), streamName: 'SOURCE', subjectPrefix: 'source.events' });
  targetNc = await connect(targetServer.connectionOptions());
  target = await JetStreamEventStore.connect({ nc: targetNc });
});

afterAll(async () => {
  await source?.close();
  await target?.close();
  await targetNc?.close();
  await Promise.all([sourceServer?.stop(), targetServer?.stop()]);
});

const alpha = { context: 'projects', aggregate: 'project', id: 'alpha' };
const beta = { context: 'projects', aggregate: 'project', id: 'beta' };
const lab = { context: 'access', aggregate: 'lab', id: 'l1' };

async function rename(project: typeof alpha, name: string): Promise<void> {
  await source.append(project, [{ type: 'projects.project.updated.v1', data: { projectId: project.id, name, actor: 'u1' } }], 'any');
}

async function collect(events: AsyncIterable<CairnEvent>): Promise<CairnEvent[]> {
  const all: CairnEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

const withoutPosition = ({ position: _position, ...envelope }: CairnEvent) => envelope;

function startRelay(): Promise<EventRelay> {
  return EventRelay.start({
    source,
    nc: targetNc,
    name: 'projects',
    categories: ['projects_project'],
    checkpointEveryMs: 20,
    onError: () => undefined,
  });
}

describe('EventRelay', () => {
  it('publishes its own categories in order, and resumes after a crash with no gap and no duplicate', async () => {
    await rename(alpha, 'a1');
    await rename(beta, 'b1');
    await source.append(lab, [{ type: 'access.lab.created.v1', data: { lab: 'l1', name: 'Lab', slug: 'l1', actor: 'u1' } }], 'no-stream');
    await source.append(alpha, [
      { type: 'projects.project.updated.v1', data: { projectId: 'alpha', name: 'a2', actor: 'u1' } },
      { type: 'projects.project.updated.v1', data: { projectId: 'alpha', name: 'a3', actor: 'u1' } },
    ], 'any');

    const first = await startRelay();
    await waitUntil('four events are relayed', async () => (await target.headPosition()) >= 4);
    await first.stop();

    // A crash after publishing, before storing the checkpoint: the checkpoint is still at the first event.
    const kv = await targetNc.jetstream().views.kv(RELAY_CHECKPOINT_BUCKET);
    const stored = (await kv.get('projects'))!.json<RelayCheckpoint>();
    const firstEvent = (await collect(source.readAll({ categories: ['projects_project'] })))[0];
    await kv.put('projects', JSON.stringify({ sourcePosition: firstEvent.position, targetPosition: 1 }));
    await rename(beta, 'b2');

    const second = await startRelay();
    await waitUntil('the fifth event is relayed', async () => (await target.headPosition()) >= 5);
    await second.stop();

    const published = await collect(source.readAll({ categories: ['projects_project'] }));
    const relayed = await collect(target.readAll());
    expect(relayed.map(withoutPosition)).toEqual(published.map(withoutPosition));
    expect(relayed.map((event) => event.position)).toEqual([1, 2, 3, 4, 5]);
    expect(stored).toEqual({ sourcePosition: published[3].position, targetPosition: 4 });
    expect((await kv.get('projects'))!.json<RelayCheckpoint>()).toEqual({
      sourcePosition: published[4].position,
      targetPosition: 5,
    });
    expect((await target.readStream(alpha)).map(withoutPosition)).toEqual((await source.readStream(alpha)).map(withoutPosition));
  });
});
