import { MongoClient, type Db } from 'mongodb';
import { connect, type NatsConnection } from 'nats';
import { validateOnConsume, type CairnEvent } from '@cairn/contracts';
import { JetStreamEventStore } from '@cairn/event-store';
import { deadLetterCount } from '@cairn/messaging';
import { publishUnchecked } from '@cairn/messaging/test-support';
import { configureLogging, metricValue } from '@cairn/telemetry';
import { startFerretDb, startNatsServer, uniqueDbName, waitUntil, type FerretDbHandle, type NatsServerHandle } from '@cairn/testing';
import { allEvents, expectedRenameCounts, renameCounts, renameProject, type RenameCount } from '../test-support/counting-projection';
import type { Projection } from './projection';
import { ProjectionRunner } from './projection-runner';
import { ReadModelCollections } from './read-model-collections';
import { rebuildProjection } from './rebuild';

// Two private servers, one of them killed and restarted.
jest.setTimeout(60_000);

const NAME = 'outage_counts';
/** Today's whole retry schedule, made short: two failed handlings 50 and 100 ms apart dead-letter an event. */
const MAX_DELIVER = 2;
const SCHEDULE = { maxDeliver: MAX_DELIVER, backoffMs: [50, 100], outageBackoffMs: [50, 100] };

let nats: NatsServerHandle;
let ferret: FerretDbHandle;
let store: JetStreamEventStore;
let nc: NatsConnection;
let mongo: MongoClient;
let db: Db;
let runner: ProjectionRunner | undefined;
const logLines: Array<{ msg: string; consumer?: string; level: string }> = [];

beforeAll(async () => {
  [nats, ferret] = await Promise.all([startNatsServer(), startFerretDb()]);
  store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  nc = await connect(nats.connectionOptions());
  // Each try during the outage gives up after half a second, not the driver's default 30 s.
  mongo = await MongoClient.connect(ferret.url, { serverSelectionTimeoutMS: 500 });
  db = mongo.db(uniqueDbName('read_models_outage'));
  configureLogging({ service: 'outage-spec', level: 'debug', destination: { write: (line: string) => void logLines.push(JSON.parse(line)) } });
});

afterAll(async () => {
  await runner?.stop();
  await mongo?.close();
  await nc?.close();
  await store?.close();
  await Promise.all([nats?.stop(), ferret?.stop()]);
});

/** The counting projection, noting how many times each event was handed to it (once per try). */
function countingTries(): { projection: Projection; tries: Map<number, number> } {
  const counting = renameCounts(NAME);
  const tries = new Map<number, number>();
  const handle = (events: readonly CairnEvent[]) => {
    for (const event of events) tries.set(event.position, (tries.get(event.position) ?? 0) + 1);
    return counting.handle(events);
  };
  return { projection: { ...counting, handle }, tries };
}

/** A rename the store would refuse (no name), put on the bus as a foreign producer would: a poison event. */
function renameWithoutName(projectId: string): Promise<number> {
  const stream = { context: 'projects', aggregate: 'project', id: projectId };
  return publishUnchecked(nc, store, stream, { type: 'projects.project.updated.v1', data: { projectId } });
}

async function model(): Promise<RenameCount[]> {
  const collection = await new ReadModelCollections(db, { cacheMs: 0 }).resolve<RenameCount>(NAME);
  return collection.find().sort({ _id: 1 }).toArray();
}

const paused = () => metricValue('cairn_consumer_paused', { consumer: NAME });
const linesOf = (message: string) => logLines.filter((line) => line.consumer === NAME && line.msg.startsWith(message));

describe('a projection runner while MongoDB (FerretDB) is down', () => {
  it('waits out an outage far longer than its whole retry schedule, then applies what was appended meanwhile, once each, dead-lettering only the poison event', async () => {
    // Given a runner that has applied ten renames
    const { projection, tries } = countingTries();
    const errors: string[] = [];
    const running = await ProjectionRunner.start({
      nc,
      db,
      projection,
      consumer: { ...SCHEDULE, ackWaitMs: 5_000, longPollMs: 300, pinnedTtlMs: 2_000 },
      onError: (error) => errors.push(error.message),
    });
    runner = running;
    for (let index = 0; index < 10; index++) await renameProject(store, `o${index % 3}`, `before-${index}`);
    const before = await store.headPosition();
    await waitUntil('the first ten renames are applied', async () => running.appliedPosition >= before);

    // When FerretDB is killed, ten more renames and an event that fails validation are appended, and the
    // runner keeps failing to write them for many times its whole retry schedule
    await ferret.kill('SIGKILL');
    const outageStarted = Date.now();
    for (let index = 0; index < 10; index++) {
      await renameProject(store, `o${index % 4}`, `during-${index}`);
      if (index === 4) await renameWithoutName('o1');
    }
    const firstDuring = before + 1;
    await waitUntil(
      'the runner has tried the first event of the outage three times more than the schedule allows',
      async () => (tries.get(firstDuring) ?? 0) >= MAX_DELIVER + 3,
    );
    expect(await paused()).toBe(1);
    // The poison event is dead-lettered as ever, without waiting for the outage to end
    await waitUntil('the poison event is dead-lettered', async () => (await deadLetterCount(await nc.jetstreamManager(), NAME)) === 1);
    const outageMs = Date.now() - outageStarted;

    // Then, once FerretDB is back, the runner takes the same events again and applies each once
    await ferret.restart();
    const head = await store.headPosition();
    await waitUntil('the renames of the outage are applied', async () => running.appliedPosition >= head);

    const events = (await allEvents(store, ['projects_project'])).filter((event) => validateOnConsume(event).ok);
    const live = await model();
    expect(live).toEqual(expectedRenameCounts(events));
    expect(await deadLetterCount(await nc.jetstreamManager(), NAME)).toBe(1);
    expect(await paused()).toBe(0);
    expect(errors.filter((message) => /handler failed|dead/i.test(message))).toEqual([]);
    // Said once when it started and once when it ended, not at every try
    expect(linesOf('consumer paused')).toHaveLength(1);
    expect(linesOf('consumer resumed')).toHaveLength(1);
    expect(logLines.filter((line) => line.consumer === NAME && line.level === 'warn')).toHaveLength(1);
    // The outage lasted many times the whole schedule (150 ms of pauses), and still nothing counted
    expect(outageMs).toBeGreaterThan(10 * (50 + 100));
    await running.stop();
    runner = undefined;

    // And a rebuild from the store gives the same model
    await rebuildProjection({ nc, db, projection: renameCounts(NAME), dropOldAfterMs: 0 });
    expect(await model()).toEqual(live);
  });
});
