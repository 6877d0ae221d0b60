import { MongoClient, type CommandStartedEvent, type Collection, type Db, type Document } from 'mongodb';
import { testMongoUrl, uniqueDbName } from '@cairn/testing';
import { applyWriteIntents, highestAppliedPosition } from './guarded-writes';
import type { WriteIntent } from './projection';

jest.setTimeout(30_000);

let mongo: MongoClient;
let db: Db;

/** Every command this file's client sends, to see which filters the writes use. */
const commands: CommandStartedEvent[] = [];

beforeAll(async () => {
  mongo = await MongoClient.connect(testMongoUrl(), { monitorCommands: true });
  mongo.on('commandStarted', (event) => commands.push(event));
  db = mongo.db(uniqueDbName('guarded_writes'));
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
});

let collectionCounter = 0;
async function freshCollection(): Promise<Collection<Document>> {
  const collection = db.collection(`c${++collectionCounter}`);
  await collection.createIndex({ slug: 1 }, { unique: true, sparse: true });
  return collection;
}

const count = (id: string, position: number): WriteIntent => ({
  kind: 'update',
  id,
  position,
  update: { $inc: { count: 1 }, $push: { seen: position } },
});

describe('applyWriteIntents', () => {
  const batch = [count('a', 1), count('b', 2), count('a', 3), { kind: 'replace', id: 'c', position: 4, document: { v: 4 } }, count('b', 5)] as WriteIntent[];

  it('applied twice (a redelivery), changes nothing the second time', async () => {
    const collection = await freshCollection();
    await applyWriteIntents(collection, batch, { guardThrough: 0, maxPerCommand: 2 });
    const once = await collection.find().sort({ _id: 1 }).toArray();

    await applyWriteIntents(collection, batch, { guardThrough: await highestAppliedPosition(collection), maxPerCommand: 2 });

    expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual(once);
    expect(once).toEqual([
      { _id: 'a', count: 2, seen: [1, 3], _position: 3 },
      { _id: 'b', count: 2, seen: [2, 5], _position: 5 },
      { _id: 'c', v: 4, _position: 4 },
    ]);
  });

  it('after a batch that failed half-way, applies exactly the rest when it comes again', async () => {
    const collection = await freshCollection();
    await applyWriteIntents(collection, batch.slice(0, 3), { guardThrough: 0 });

    await applyWriteIntents(collection, [...batch, count('d', 6)], { guardThrough: 5 });

    expect(await collection.find().sort({ _id: 1 }).toArray()).toEqual([
      { _id: 'a', count: 2, seen: [1, 3], _position: 3 },
      { _id: 'b', count: 2, seen: [2, 5], _position: 5 },
      { _id: 'c', v: 4, _position: 4 },
      { _id: 'd', count: 1, seen: [6], _position: 6 },
    ]);
  });

  it('still fails on a duplicate key of another unique index', async () => {
    const collection = await freshCollection();
    await applyWriteIntents(collection, [{ kind: 'update', id: 'x', position: 1, update: { $set: { slug: 'taken' } } }]);

    await expect(
      applyWriteIntents(collection, [{ kind: 'update', id: 'y', position: 2, update: { $set: { slug: 'taken' } } }]),
    ).rejects.toThrow(/duplicate key/i);
  });

  it('refuses two writes to one document for one event, which the guard would take for a redelivery', async () => {
    await expect(applyWriteIntents(await freshCollection(), [count('a', 1), count('a', 1)])).rejects.toThrow(/merge them/);
  });

  it('reads and writes by _id alone, the one filter FerretDB serves from an index, a redelivery included', async () => {
    const collection = await freshCollection();
    await applyWriteIntents(collection, batch, { guardThrough: 0 });
    commands.length = 0;

    await applyWriteIntents(collection, [...batch, count('d', 6)], { guardThrough: 5 });

    const filters = commands.flatMap(({ command }) => {
      if (command.find) return [command.filter];
      if (command.update) return command.updates.map((update: { q: Document }) => update.q);
      if (command.delete) return command.deletes.map((removal: { q: Document }) => removal.q);
      return [];
    });
    expect(filters.length).toBeGreaterThan(0);
    expect(filters.every((filter) => Object.keys(filter).join() === '_id' && typeof filter._id === 'string')).toBe(true);
    expect(await collection.findOne({ _id: 'd' as never })).toEqual({ _id: 'd', count: 1, seen: [6], _position: 6 });
  });
});
