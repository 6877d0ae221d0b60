import { MongoClient, type Db } from 'mongodb';
import { validateOnConsume } from '@cairn/contracts';
import { connect, type NatsConnection } from 'nats';
import { ConsistencyWaiter, DEAD_LETTER_STREAM, deadLetterSubject, DeadLetterHeaders } from '@cairn/messaging';
import { publishUnchecked } from '@cairn/messaging/test-support';
import { JetStreamEventStore } from '@cairn/event-store';
import { startNatsServer, testMongoUrl, uniqueDbName, waitUntil, type NatsServerHandle } from '@cairn/testing';
import {
  allEvents,
  expectedRenameCounts,
  renameCounts,
  renameProject,
  type RenameCount,
} from '../test-support/counting-projection';
import { ProjectionRunner, ProjectionSupersededError, type ProjectionRunnerOptions } from './projection-runner';
import { ReadModelCollections } from './read-model-collections';
import { rebuildProjection, type RebuildProgress } from './rebuild';

jest.setTimeout(30_000);

let nats: NatsServerHandle;
let store: JetStreamEventStore;
let nc: NatsConnection;
let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  nats = await startNatsServer();
  store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  nc = await connect(nats.connectionOptions());
  mongo = await MongoClient.connect(testMongoUrl());
  db = mongo.db(uniqueDbName('read_models_runner'));
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
  await nc?.close();
  await store?.close();
  await nats?.stop();
});

const runners: ProjectionRunner[] = [];
afterEach(async () => {
  await Promise.all(runners.splice(0).map((runner) => runner.stop()));
});

async function startRunner(name: string, extra: Partial<ProjectionRunnerOptions> = {}): Promise<ProjectionRunner> {
  const runner = await ProjectionRunner.start({
    nc,
    db,
    projection: renameCounts(name),
    consumer: { ackWaitMs: 1_000, longPollMs: 300, pinnedTtlMs: 2_000, backoffMs: [50] },
    dropRetiredAfterMs: 0,
    onError: () => undefined,
    ...extra,
  });
  runners.push(runner);
  return runner;
}

async function caughtUp(runner: ProjectionRunner): Promise<void> {
  const head = await store.headPosition();
  await waitUntil(`${runner.name} reaches ${head}`, async () => runner.appliedPosition >= head);
}

async function modelOf(name: string): Promise<RenameCount[]> {
  const collection = await new ReadModelCollections(db, { cacheMs: 0 }).resolve<RenameCount>(name);
  return collection.find().sort({ _id: 1 }).toArray();
}

/** From the events themselves, leaving out the ones that fail validation (they are dead-lettered). */
async function expectedModel(): Promise<RenameCount[]> {
  const events = await allEvents(store, ['projects_project']);
  return expectedRenameCounts(events.filter((event) => validateOnConsume(event).ok));
}

describe('ProjectionRunner', () => {
  it('builds the model incrementally, and a full rebuild yields the same model in a new collection', async () => {
    for (let index = 0; index < 15; index++) await renameProject(store, `r${index % 4}`, `name-${index}`);
    const runner = await startRunner('rebuilt_counts');
    await caughtUp(runner);
    const incremental = await modelOf('rebuilt_counts');
    const liveCollection = runner.collection;
    const head = await store.headPosition();

    const progress: RebuildProgress[] = [];
    const rebuilt = await rebuildProjection({
      nc,
      db,
      projection: renameCounts('rebuilt_counts'),
      onProgress: (step) => progress.push(step),
      dropOldAfterMs: 0,
    });

    expect(incremental).toEqual(await expectedModel());
    expect(await modelOf('rebuilt_counts')).toEqual(incremental);
    expect(rebuilt.collection).not.toBe(liveCollection);
    expect(rebuilt.collection).toMatch(/^rebuilt_counts__v1_\d+_[0-9a-f]{8}$/);
    expect((await db.listCollections({ name: liveCollection }).toArray()).length).toBe(0);
    expect(progress[progress.length - 1]).toMatchObject({ applied: head, total: head });
    expect(progress.every((step) => step.ratePerSecond >= 0 && step.applied <= step.total)).toBe(true);

    // The live runner goes on, now in the rebuilt collection.
    await renameProject(store, 'r0', 'after the rebuild');
    await caughtUp(runner);
    await waitUntil('the runner writes to the rebuilt collection', async () => runner.collection === rebuilt.collection);
    expect(await modelOf('rebuilt_counts')).toEqual(await expectedModel());
  });

  it('rebuilds on start when the projection version went up; an older version then refuses to run', async () => {
    await renameProject(store, 'v1', 'first');
    const first = await startRunner('versioned_counts');
    await caughtUp(first);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);

    const upgraded = await startRunner('versioned_counts', { projection: renameCounts('versioned_counts', 2) });
    await caughtUp(upgraded);

    expect(upgraded.collection).toMatch(/^versioned_counts__v2_\d+_[0-9a-f]{8}$/);
    expect(await modelOf('versioned_counts')).toEqual(await expectedModel());
    await expect(startRunner('versioned_counts')).rejects.toThrow(ProjectionSupersededError);
  });

  it('dead-letters a poison event on cairn.dlq.<consumer> with the reason and goes on with the next ones', async () => {
    const runner = await startRunner('poison_counts');
    await caughtUp(runner);
    await renameProject(store, 'x1', 'good');
    const poison = await publishUnchecked(nc, store, { context: 'projects', aggregate: 'project', id: 'x1' }, {
      type: 'projects.project.updated.v1',
      data: { name: 'no id, no actor' },
    });
    const next = await renameProject(store, 'x1', 'next');

    await waitUntil('the event after the poison one is applied', async () => runner.appliedPosition >= next);

    const x1 = (await modelOf('poison_counts')).find((document) => document._id === 'projects_project-x1');
    expect(x1).toMatchObject({ count: 2, lastName: 'next' });
    expect(x1?.positions).not.toContain(poison);
    const jsm = await nc.jetstreamManager();
    const letter = await jsm.streams.getMessage(DEAD_LETTER_STREAM, { last_by_subj: deadLetterSubject('poison_counts') });
    expect(letter.header.get(DeadLetterHeaders.sequence)).toBe(String(poison));
    expect(letter.header.get(DeadLetterHeaders.reason)).toMatch(/data of projects\.project\.updated\.v1/);
  });

  it('shows its lag: events pending while it is down, none once it has caught up', async () => {
    const first = await startRunner('lagging_counts');
    await caughtUp(first);
    await first.stop();
    runners.splice(runners.indexOf(first), 1);
    for (let index = 0; index < 3; index++) await renameProject(store, 'lag', `name-${index}`);

    const whileDown = await first.lag();
    const second = await startRunner('lagging_counts');
    await caughtUp(second);
    const afterwards = await second.lag();

    expect(whileDown.pending).toBe(3);
    expect(afterwards).toMatchObject({ pending: 0, ackPending: 0 });
    expect(await modelOf('lagging_counts')).toEqual(await expectedModel());
  });

  /** A caught-up runner registered with a waiter, whose checkpoint can be held back after its writes. */
  async function waitedRunner(name: string) {
    const waiter = new ConsistencyWaiter(store, { fallbackCheckMs: 50 });
    let release: () => void = () => undefined;
    let holding = false;
    const runner = await startRunner(name, {
      waiter,
      hooks: { afterWrite: () => (holding ? new Promise<void>((resolve) => (release = resolve)) : undefined) },
    });
    await caughtUp(runner);
    return {
      waiter,
      holdCheckpoint: () => (holding = true),
      releaseCheckpoint: () => {
        holding = false;
        release();
      },
    };
  }

  it('lets a read wait for a position: true once the projection has passed it, false on timeout', async () => {
    const { waiter, holdCheckpoint, releaseCheckpoint } = await waitedRunner('waited_counts');

    const renamed = await renameProject(store, 'w1', 'read your writes');
    expect(await waiter.waitFor(renamed)).toBe(true);
    expect((await modelOf('waited_counts')).find((document) => document._id === 'projects_project-w1')?.lastName).toBe(
      'read your writes',
    );

    const labCreated = { lab: 'l1', name: 'Crystallography', slug: 'l1', actor: 'u-admin' };
    const elsewhere = (
      await store.append({ context: 'access', aggregate: 'lab', id: 'l1' }, [{ type: 'access.lab.created.v1', data: labCreated }], 'no-stream')
    ).position;
    expect(await waiter.waitFor(elsewhere)).toBe(true);

    holdCheckpoint();
    const held = await renameProject(store, 'w1', 'not yet checkpointed');
    expect(await waiter.waitFor(held, 300)).toBe(false);
    releaseCheckpoint();
    expect(await waiter.waitFor(held)).toBe(true);
  });

  it("gives a command's decision the read model with everything the store held when the command arrived", async () => {
    const { waiter, holdCheckpoint, releaseCheckpoint } = await waitedRunner('fresh_counts');
    const gate = waiter.gate('fresh_counts');

    await renameProject(store, 'f1', 'decided on at once');
    expect(await gate.waitForHead(5_000)).toBe(true);
    expect((await modelOf('fresh_counts')).find((document) => document._id === 'projects_project-f1')?.lastName).toBe('decided on at once');

    // Other categories' events after its last one do not hold it up.
    const labCreated = { lab: 'l2', name: 'Spectroscopy', slug: 'l2', actor: 'u-admin' };
    await store.append({ context: 'access', aggregate: 'lab', id: 'l2' }, [{ type: 'access.lab.created.v1', data: labCreated }], 'no-stream');
    expect(await gate.waitForHead(5_000)).toBe(true);

    holdCheckpoint();
    await renameProject(store, 'f1', 'not yet checkpointed');
    expect(await gate.waitForHead(300)).toBe(false);
    releaseCheckpoint();
    expect(await gate.waitForHead(5_000)).toBe(true);
    await expect(waiter.gate('no_such_model').waitForHead(100)).rejects.toThrow('no read model no_such_model runs in this process');
  });
});
