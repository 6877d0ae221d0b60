import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient, type Db } from 'mongodb';
import type { CairnEvent } from '@cairn/contracts';
import { JetStreamEventStore } from '@cairn/event-store';
import { startNatsServer, testMongoUrl, uniqueDbName, type NatsServerHandle } from '@cairn/testing';
import {
  allEvents,
  expectedRenameCounts,
  renameProject,
  type RenameCount,
} from '../test-support/counting-projection';
import { CHECKPOINTS_COLLECTION, type CheckpointDocument } from './projection-state';
import { ReadModelCollections } from './read-model-collections';

// Two child processes (TypeScript compiled on start) and a pin hand-over: well beyond Jest's 5 s default.
jest.setTimeout(90_000);

const REPO_ROOT = join(__dirname, '..', '..', '..');
const PROCESS_SCRIPT = join(__dirname, '..', 'test-support', 'counting-runner-process.ts');

let nats: NatsServerHandle;
let store: JetStreamEventStore;
let mongo: MongoClient;
let db: Db;
let dbName: string;

beforeAll(async () => {
  nats = await startNatsServer();
  store = await JetStreamEventStore.connect({ connection: nats.connectionOptions() });
  dbName = uniqueDbName('read_models_crash');
  mongo = await MongoClient.connect(testMongoUrl());
  db = mongo.db(dbName);
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
  await store?.close();
  await nats?.stop();
});

interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  exitedAt: number;
}

/** The projection as a separate process, the way a service runs it. */
function runProjectionProcess(env: Record<string, string>): Promise<Exit> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ['-r', 'ts-node/register/transpile-only', '-r', 'tsconfig-paths/register', PROCESS_SCRIPT],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, TS_NODE_PROJECT: 'tsconfig.json', ...nats.env({ kind: 'service', context: 'projects' }), MONGO_URL: testMongoUrl(), DB_NAME: dbName, ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => resolve({ code, signal, output, exitedAt: Date.now() }));
  });
}

async function model(projection = 'rename_counts'): Promise<RenameCount[]> {
  const collection = await new ReadModelCollections(db, { cacheMs: 0 }).resolve<RenameCount>(projection);
  return collection.find().sort({ _id: 1 }).toArray();
}

async function checkpoint(projection = 'rename_counts'): Promise<CheckpointDocument | null> {
  return db.collection<CheckpointDocument>(CHECKPOINTS_COLLECTION).findOne({ _id: projection });
}

describe('a projection process', () => {
  it('killed (SIGKILL) between its write and its checkpoint resumes with nothing counted twice', async () => {
    // Given twenty renames of three projects
    for (let index = 0; index < 20; index++) await renameProject(store, `p${index % 3}`, `name-${index}`);
    const events: CairnEvent[] = await allEvents(store, ['projects_project']);
    const head = String(events[events.length - 1].position);

    // When the process (batches of 4) dies right after writing its third batch, before its checkpoint
    const killed = await runProjectionProcess({ UNTIL_POSITION: head, KILL_AFTER_EVENTS: '10' });

    expect(killed.signal).toBe('SIGKILL');
    expect((await checkpoint())?.position).toBe(events[7].position);
    expect((await model()).reduce((sum, document) => sum + document.count, 0)).toBe(12);

    // Then a restarted process takes the unacknowledged batch again and finishes, counting each rename once
    const resumed = await runProjectionProcess({ UNTIL_POSITION: head });

    expect(resumed).toMatchObject({ code: 0, signal: null });
    expect(await model()).toEqual(expectedRenameCounts(events));
    expect((await checkpoint())?.position).toBe(events[events.length - 1].position);
  });

  it('run by two replicas, the pinned one SIGKILLed between its write and its checkpoint: the other takes over within the ack wait, counting each rename once', async () => {
    const projection = 'replicated_counts';
    const ackWaitMs = 20_000;
    for (let index = 0; index < 20; index++) await renameProject(store, `q${index % 3}`, `name-${index}`);
    const events: CairnEvent[] = await allEvents(store, ['projects_project']);
    const head = events[events.length - 1].position;

    // Given two replicas of the projection, whichever is pinned dies right after writing its third batch
    const replica = {
      PROJECTION: projection,
      UNTIL_POSITION: String(head),
      KILL_AFTER_EVENTS: '10',
      KILL_MARKER: join(mkdtempSync(join(tmpdir(), 'cairn-replicas-')), 'killed'),
      ACK_WAIT_MS: String(ackWaitMs),
      PINNED_TTL_MS: '1500',
    };
    const exits = await Promise.all([runProjectionProcess(replica), runProjectionProcess(replica)]);
    const killed = exits.find((exit) => exit.signal === 'SIGKILL');
    const survivor = exits.find((exit) => exit !== killed);

    // Then the other one takes its unacknowledged batch over once the pin has run out, long before the
    // ack wait would have handed it out again, and finishes with every rename counted once
    expect(killed).toBeDefined();
    expect(survivor).toMatchObject({ code: 0, signal: null });
    expect(survivor!.output).toMatch(/left unacknowledged by a previous client/);
    expect(survivor!.exitedAt - killed!.exitedAt).toBeLessThan(ackWaitMs);
    expect(await model(projection)).toEqual(expectedRenameCounts(events));
    expect((await checkpoint(projection))?.position).toBe(head);
  });
});
