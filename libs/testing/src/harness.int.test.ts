import { MongoClient } from 'mongodb';
import { connect } from 'nats';
import { startNatsServer, testMongoUrl, uniqueDbName } from './index';

describe('test harness', () => {
  it('starts a private nats-server with JetStream that keeps its store across a kill and restart', async () => {
    const server = await startNatsServer();
    try {
      let nc = await connect(server.connectionOptions());
      const jsm = await nc.jetstreamManager();
      await jsm.streams.add({ name: 'HARNESS', subjects: ['harness.>'] });
      await nc.jetstream().publish('harness.one', new TextEncoder().encode('kept'));
      await nc.close();

      await server.kill();
      await server.restart();

      nc = await connect(server.connectionOptions());
      const info = await (await nc.jetstreamManager()).streams.info('HARNESS');
      expect(info.state.messages).toBe(1);
      await nc.close();
    } finally {
      await server.stop();
    }
  });

  it('serves the MongoDB wire protocol from the run-wide FerretDB', async () => {
    const client = await MongoClient.connect(testMongoUrl());
    try {
      const db = client.db(uniqueDbName('harness'));
      await db.collection('things').insertOne({ _id: 'a' as never, n: 1 });
      expect(await db.collection('things').findOne({ _id: 'a' as never })).toEqual({ _id: 'a', n: 1 });
      await db.dropDatabase();
    } finally {
      await client.close();
    }
  });
});
