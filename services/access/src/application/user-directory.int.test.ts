import { MongoClient, type Db } from 'mongodb';
import type { Principal } from '@cairn/auth';
import { testMongoUrl, uniqueDbName } from '@cairn/testing';
import { UserDirectory } from './user-directory';

let mongo: MongoClient;
let db: Db;

beforeAll(async () => {
  mongo = await MongoClient.connect(testMongoUrl());
  db = mongo.db(uniqueDbName('user_directory'));
});

afterAll(async () => {
  await db?.dropDatabase();
  await mongo?.close();
});

const newcomer = (index: number): Principal => ({ userId: `u-newcomer-${index}`, username: `newcomer${index}`, name: `New Comer ${index}`, isFacilityAdmin: false }) as Principal;

describe('UserDirectory', () => {
  it("records people whose first requests arrive at once (a page's parallel calls, several replicas): every request is answered", async () => {
    // Each replica has its own directory object; all write to the one collection.
    const replicas = await Promise.all(Array.from({ length: 8 }, () => UserDirectory.open(db)));
    const people = Array.from({ length: 30 }, (_, index) => newcomer(index));

    const sightings = await Promise.allSettled(people.flatMap((person) => replicas.map((directory) => directory.recordSighting(person))));

    expect(sightings.filter((sighting) => sighting.status === 'rejected')).toEqual([]);
    expect(await db.collection('user_directory').countDocuments()).toBe(people.length);
    expect(await replicas[0].resolve('newcomer7')).toMatchObject({ userId: 'u-newcomer-7', displayName: 'New Comer 7' });
  });
});
